// The "Open link?" prompt: a link the body frame asked to follow, waiting for the user to open
// it in the browser, copy it or cancel. Only `openLink` opens links; nothing opens one by itself.
import * as ipc from '../ipc';
import type { IpcError } from '../ipc';

/** What this state uses; tests pass fakes. */
export interface LinkApi {
  onLinkRequested: typeof ipc.onLinkRequested;
  openLink: typeof ipc.openLink;
}

/** Writes text to the clipboard; tests pass a fake. */
export type Copy = (text: string) => Promise<void>;

const clipboardCopy: Copy = (text) => navigator.clipboard.writeText(text);

export class LinkPrompt {
  /** The link asked for; null when no prompt is shown. */
  url = $state<string | null>(null);
  /** Why the link did not open (refused by the backend, or no browser). */
  error = $state<IpcError | null>(null);
  /** 'copied' after Copy link, 'failed' when the clipboard refused. */
  copy = $state<'copied' | 'failed' | null>(null);

  constructor(
    private readonly api: LinkApi = ipc,
    private readonly copyText: Copy = clipboardCopy,
  ) {}

  /** Listens for links clicked in the body frame; a new one replaces the one shown. */
  start(): Promise<() => void> {
    return this.api.onLinkRequested((event) => this.show(event.url));
  }

  show(url: string) {
    this.url = url;
    this.error = null;
    this.copy = null;
  }

  close() {
    this.url = null;
    this.error = null;
    this.copy = null;
  }

  /** Opens the link in the system browser and closes the prompt; a refusal stays on screen. */
  async open(): Promise<void> {
    const url = this.url;
    if (url === null) return;
    try {
      await this.api.openLink(url);
      if (this.url === url) this.close();
    } catch (thrown) {
      if (this.url === url) this.error = ipc.asIpcError(thrown);
    }
  }

  async copyLink(): Promise<void> {
    const url = this.url;
    if (url === null) return;
    try {
      await this.copyText(url);
      if (this.url === url) this.copy = 'copied';
    } catch {
      if (this.url === url) this.copy = 'failed';
    }
  }
}
