// The whole-account sync behind the progress bar: which account is syncing, how far it got
// (from `sync-progress` events), how it ended, and its Cancel. Created once in App.svelte.
import * as ipc from '../ipc';
import type { AccountSyncView, IpcError, SyncProgress } from '../ipc';

/** The commands this state uses; tests pass a fake. */
export interface AccountSyncApi {
  syncAllFolders: typeof ipc.syncAllFolders;
  cancelSync: typeof ipc.cancelSync;
}

export class AccountSync {
  /** The account being synced, or null. */
  running = $state<string | null>(null);
  progress = $state<SyncProgress | null>(null);
  cancelling = $state(false);
  /** How the last sync ended (per account shown by the caller). */
  result = $state<AccountSyncView | null>(null);
  error = $state<IpcError | null>(null);

  /** Done so far, from 0 to 1: whole folders, plus the share of the current folder's headers and
   * bodies (until the bodies step starts, as many bodies as new headers are expected). */
  fraction = $derived.by(() => {
    const step = this.progress;
    if (!step || step.foldersTotal === 0) return 0;
    const work = step.messagesTotal + (step.bodiesTotal || step.messagesTotal);
    const inFolder = work > 0 ? (step.messagesDone + step.bodiesDone) / work : 0;
    return Math.min(1, (step.foldersDone + (step.foldersDone < step.foldersTotal ? inFolder : 0)) / step.foldersTotal);
  });

  constructor(private readonly api: AccountSyncApi = ipc) {}

  /** Syncs every folder of `id`; resolves when it ended (finished, cancelled or failed). */
  async start(id: string): Promise<void> {
    if (this.running) return;
    this.running = id;
    this.progress = null;
    this.result = null;
    this.error = null;
    this.cancelling = false;
    try {
      this.result = await this.api.syncAllFolders(id);
    } catch (thrown) {
      this.error = ipc.asIpcError(thrown);
    } finally {
      this.running = null;
      this.progress = null;
      this.cancelling = false;
    }
  }

  /** A `sync-progress` event. */
  step(event: SyncProgress): void {
    if (event.account === this.running) this.progress = event;
  }

  async cancel(): Promise<void> {
    if (!this.running || this.cancelling) return;
    this.cancelling = true;
    try {
      await this.api.cancelSync(this.running);
    } catch (thrown) {
      this.error = ipc.asIpcError(thrown);
    }
  }
}
