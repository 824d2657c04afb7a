// The opened voicemail's audio: WAV bytes from the backend behind a Blob URL for an <audio>
// element. Created when a voicemail is opened, revoked when it is closed or another one opens.
import * as ipc from '../ipc';
import type { IpcError, MessageRef } from '../ipc';

/** The command this state uses; tests pass a fake. */
export interface AudioApi {
  voicemailAudio: typeof ipc.voicemailAudio;
}

/** Blob URLs; tests pass a fake (jsdom has none). */
export interface BlobUrls {
  create(blob: Blob): string;
  revoke(url: string): void;
}

const browserUrls: BlobUrls = {
  create: (blob) => URL.createObjectURL(blob),
  revoke: (url) => URL.revokeObjectURL(url),
};

export class VoicemailAudio {
  /** A blob: URL of the WAV, once loaded. */
  src = $state<string | null>(null);
  error = $state<IpcError | null>(null);
  loading = $state(false);
  private current: unknown = null;

  constructor(
    private readonly api: AudioApi = ipc,
    private readonly urls: BlobUrls = browserUrls,
  ) {}

  /** Fetches `message`'s audio, dropping whatever was loaded before. */
  async load(message: MessageRef): Promise<void> {
    await this.loadWith(message, () => this.api.voicemailAudio(message));
  }

  /**
   * Fetches WAV bytes with `fetch` (a voicemail's, a greeting's), dropping whatever was loaded
   * before; `token` names what is loading, so a late answer for an earlier one is dropped.
   */
  async loadWith(token: unknown, fetch: () => Promise<ArrayBuffer>): Promise<void> {
    this.close();
    this.current = token;
    this.loading = true;
    try {
      const bytes = await fetch();
      // Closed, or something else opened, while this one was decoding: no URL to leak.
      if (this.current !== token) return;
      const data = bytes instanceof ArrayBuffer ? bytes : new Uint8Array(bytes as ArrayLike<number>);
      this.src = this.urls.create(new Blob([data], { type: 'audio/wav' }));
    } catch (thrown) {
      if (this.current === token) this.error = ipc.asIpcError(thrown);
    } finally {
      if (this.current === token) this.loading = false;
    }
  }

  /** Revokes the URL (the <audio> element goes with it). */
  close(): void {
    this.current = null;
    if (this.src) this.urls.revoke(this.src);
    this.src = null;
    this.error = null;
    this.loading = false;
  }
}
