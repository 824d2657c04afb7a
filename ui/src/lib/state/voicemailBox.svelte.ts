// The "Voicemail box" dialog of a visual-voicemail account: its quota and greetings as the
// server reports them, and the changes the user makes (greetings, PIN, language). Created by
// VoicemailBoxDialog.svelte when it opens; every change is followed by a fresh status.
import * as ipc from '../ipc';
import { t } from '../i18n';
import type { IpcError, VoicemailBoxStatus, VoicemailBoxView } from '../ipc';

/** The commands this state uses; tests pass a fake. */
export interface VoicemailBoxApi {
  voicemailBox: typeof ipc.voicemailBox;
  activateGreeting: typeof ipc.activateGreeting;
  deleteGreeting: typeof ipc.deleteGreeting;
  uploadGreeting: typeof ipc.uploadGreeting;
  changeVoicemailPin: typeof ipc.changeVoicemailPin;
  changeVoicemailLanguage: typeof ipc.changeVoicemailLanguage;
}

/** The greeting kinds OMTP defines, in the order the upload form offers them. */
export const GREETING_KINDS = [
  'normal-greeting',
  'voice-signature',
  'busy-greeting',
  'no-answer-greeting',
  'extended-absence-greeting',
] as const;

export class VoicemailBoxState {
  status = $state<VoicemailBoxStatus | null>(null);
  loading = $state(false);
  /** A change or the status is on its way to the server. */
  busy = $state(false);
  error = $state<IpcError | null>(null);
  /** What the last change did, for a status line. */
  done = $state<string | null>(null);

  oldPin = $state('');
  newPin = $state('');
  confirmPin = $state('');
  language = $state('');
  uploadKind = $state<string>('normal-greeting');
  uploadActivate = $state(true);

  constructor(
    readonly account: string,
    /** The limits the carrier's STATUS SMS gave; null when the account was not made from one. */
    readonly limits: VoicemailBoxView | null,
    private readonly api: VoicemailBoxApi = ipc,
  ) {
    this.language = limits?.languages[0] ?? '';
  }

  /** The PIN form is complete and its two new PINs agree. */
  canChangePin = $derived(this.oldPin !== '' && this.newPin !== '' && this.newPin === this.confirmPin);

  /** Asks the server for the quota and greetings. */
  async refresh(): Promise<void> {
    this.loading = true;
    try {
      this.status = await this.api.voicemailBox(this.account);
      this.error = null;
    } catch (thrown) {
      this.error = ipc.asIpcError(thrown);
    } finally {
      this.loading = false;
    }
  }

  /** Runs one change; on success says `done` and reads the box again. */
  private async change(run: () => Promise<unknown>, done: string, refresh = true): Promise<boolean> {
    if (this.busy) return false;
    this.busy = true;
    this.error = null;
    this.done = null;
    try {
      await run();
      this.done = done;
      if (refresh) await this.refresh();
      return true;
    } catch (thrown) {
      this.error = ipc.asIpcError(thrown);
      return false;
    } finally {
      this.busy = false;
    }
  }

  activate(uid: number): Promise<boolean> {
    return this.change(() => this.api.activateGreeting(this.account, uid), t('voicebox.activated'));
  }

  remove(uid: number): Promise<boolean> {
    return this.change(() => this.api.deleteGreeting(this.account, uid), t('voicebox.deleted'));
  }

  /** Uploads a recorded audio file (a File from the picker) as a greeting of `uploadKind`. */
  upload(file: Pick<Blob, 'arrayBuffer'>): Promise<boolean> {
    return this.change(
      async () => this.api.uploadGreeting(this.account, this.uploadKind, this.uploadActivate, await file.arrayBuffer()),
      t('voicebox.uploaded'),
    );
  }

  /** Changes the PIN; the form is cleared when the server took it. */
  async changePin(): Promise<boolean> {
    if (this.newPin !== this.confirmPin) {
      this.error = { code: 'invalid_input', message: t('voicebox.pinMismatch') };
      return false;
    }
    const changed = await this.change(
      () => this.api.changeVoicemailPin(this.account, this.oldPin, this.newPin),
      t('voicebox.pinChanged'),
      false,
    );
    if (changed) this.oldPin = this.newPin = this.confirmPin = '';
    return changed;
  }

  changeLanguage(): Promise<boolean> {
    return this.change(
      () => this.api.changeVoicemailLanguage(this.account, this.language),
      t('voicebox.languageChanged'),
      false,
    );
  }
}
