import { describe, expect, it, vi } from 'vitest';
import { VoicemailAudio, type AudioApi, type BlobUrls } from './voicemail.svelte';
import type { MessageRef } from '../ipc';

const message = (uid: number): MessageRef => ({ account: 'demo', mailbox: 'INBOX', uidValidity: 1, uid });

function fakeUrls(): BlobUrls & { live: Set<string>; blobs: Blob[] } {
  let next = 0;
  const live = new Set<string>();
  const blobs: Blob[] = [];
  return {
    live,
    blobs,
    create: vi.fn((blob: Blob) => {
      blobs.push(blob);
      const url = `blob:tidings/${++next}`;
      live.add(url);
      return url;
    }),
    revoke: vi.fn((url: string) => {
      live.delete(url);
    }),
  };
}

const wav = () => new Uint8Array([0x52, 0x49, 0x46, 0x46, 0, 0, 0, 0, 0x57, 0x41, 0x56, 0x45]).buffer;

describe('VoicemailAudio', () => {
  it('puts the WAV behind a blob URL on load and revokes it on close', async () => {
    const api: AudioApi = { voicemailAudio: vi.fn(async () => wav()) };
    const urls = fakeUrls();
    const audio = new VoicemailAudio(api, urls);
    await audio.load(message(21));
    expect(api.voicemailAudio).toHaveBeenCalledWith(message(21));
    expect(audio.src).toBe('blob:tidings/1');
    expect(audio.loading).toBe(false);
    expect(urls.blobs[0].type).toBe('audio/wav');
    expect(urls.blobs[0].size).toBe(12);
    audio.close();
    expect(audio.src).toBeNull();
    expect(urls.live.size).toBe(0);
  });

  it('revokes the previous URL when another voicemail opens', async () => {
    const urls = fakeUrls();
    const audio = new VoicemailAudio({ voicemailAudio: async () => wav() }, urls);
    await audio.load(message(20));
    await audio.load(message(21));
    expect(audio.src).toBe('blob:tidings/2');
    expect([...urls.live]).toEqual(['blob:tidings/2']);
  });

  it('creates no URL for audio that arrives after the voicemail was closed', async () => {
    let deliver: (bytes: ArrayBuffer) => void = () => {};
    const api: AudioApi = { voicemailAudio: () => new Promise((resolve) => (deliver = resolve)) };
    const urls = fakeUrls();
    const audio = new VoicemailAudio(api, urls);
    const pending = audio.load(message(21));
    expect(audio.loading).toBe(true);
    audio.close();
    deliver(wav());
    await pending;
    expect(audio.src).toBeNull();
    expect(urls.create).not.toHaveBeenCalled();
  });

  it('shows the audio error of corrupt audio instead of throwing', async () => {
    const api: AudioApi = {
      voicemailAudio: vi.fn(async () => {
        throw { code: 'audio', message: 'The voicemail\'s audio cannot be played: the AMR file has no whole frame.' };
      }),
    };
    const audio = new VoicemailAudio(api, fakeUrls());
    await audio.load(message(9));
    expect(audio.src).toBeNull();
    expect(audio.error?.code).toBe('audio');
    expect(audio.loading).toBe(false);
  });
});
