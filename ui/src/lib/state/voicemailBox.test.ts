import { describe, expect, it, vi } from 'vitest';
import { VoicemailBoxState, type VoicemailBoxApi } from './voicemailBox.svelte';
import type { GreetingView, VoicemailBoxView } from '../ipc';

const limits: VoicemailBoxView = {
  declaredDialect: 'omtp-vvm13', languages: ['1', '2'], maxGreetingSeconds: 45, maxVoiceSignatureSeconds: 8,
  tuiPasswordLength: [4, 6], tuiNumber: '+15550100', passwordChangeSupported: true, greetingChangeSupported: true,
};

/** A box server over `greetings`: activation keeps one active per kind, like the real one. */
function fakeApi(greetings: GreetingView[]): VoicemailBoxApi {
  return {
    voicemailBox: vi.fn(async () => ({
      dialect: 'omtp-vvm13', storage: { used: 120, limit: 10240 }, messages: null, hasGreetings: true,
      greetings: greetings.map((g) => ({ ...g })),
    })),
    activateGreeting: vi.fn(async (_account: string, uid: number) => {
      const kind = greetings.find((g) => g.uid === uid)!.kind;
      for (const g of greetings) if (g.kind === kind) g.active = g.uid === uid;
    }),
    deleteGreeting: vi.fn(async (_account: string, uid: number) => {
      greetings.splice(greetings.findIndex((g) => g.uid === uid), 1);
    }),
    uploadGreeting: vi.fn(async () => 9),
    changeVoicemailPin: vi.fn(async (_account: string, _old: string, pin: string) => {
      if (pin.length < 4) throw { code: 'refused', message: 'the voicemail server refused the new PIN: password too short' };
    }),
    changeVoicemailLanguage: vi.fn(async () => undefined),
  };
}

const greeting = (uid: number, active: boolean): GreetingView =>
  ({ uid, kind: 'normal-greeting', active, duration: 5, hasAudio: true });

describe('VoicemailBoxState', () => {
  it('reads the box, switches the active greeting and reads it again', async () => {
    const api = fakeApi([greeting(1, true), greeting(2, false)]);
    const box = new VoicemailBoxState('vvm', limits, api);
    await box.refresh();
    expect(box.status?.storage).toEqual({ used: 120, limit: 10240 });
    expect(await box.activate(2)).toBe(true);
    expect(box.status?.greetings.map((g) => [g.uid, g.active])).toEqual([[1, false], [2, true]]);
    expect(box.done).toBe('The greeting is active.');
    await box.remove(1);
    expect(box.status?.greetings.map((g) => g.uid)).toEqual([2]);
  });

  it('uploads a recording with its kind and activation as raw bytes', async () => {
    const api = fakeApi([]);
    const box = new VoicemailBoxState('vvm', limits, api);
    box.uploadKind = 'busy-greeting';
    box.uploadActivate = false;
    const bytes = new Uint8Array([0x23, 0x21, 0x41, 0x4d, 0x52, 0x0a]);
    expect(await box.upload({ arrayBuffer: async () => bytes.slice().buffer })).toBe(true);
    expect(api.uploadGreeting).toHaveBeenCalledWith('vvm', 'busy-greeting', false, expect.any(ArrayBuffer));
    const sent = (api.uploadGreeting as ReturnType<typeof vi.fn>).mock.calls[0][3] as ArrayBuffer;
    expect([...new Uint8Array(sent)]).toEqual([...bytes]);
    expect(api.voicemailBox).toHaveBeenCalledTimes(1);
  });

  it('checks that the two new PINs agree, shows a refusal and clears the form on success', async () => {
    const api = fakeApi([]);
    const box = new VoicemailBoxState('vvm', limits, api);
    box.oldPin = '1234';
    box.newPin = '5678';
    box.confirmPin = '5679';
    expect(box.canChangePin).toBe(false);
    expect(await box.changePin()).toBe(false);
    expect(box.error?.message).toBe('The two new PINs differ.');
    expect(api.changeVoicemailPin).not.toHaveBeenCalled();

    box.newPin = box.confirmPin = '12';
    expect(await box.changePin()).toBe(false);
    expect(box.error?.code).toBe('refused');
    expect(box.oldPin).toBe('1234');

    box.newPin = box.confirmPin = '5678';
    expect(await box.changePin()).toBe(true);
    expect([box.oldPin, box.newPin, box.confirmPin]).toEqual(['', '', '']);
    expect(box.done).toBe('The PIN was changed.');
  });

  it('offers the languages of the STATUS SMS and sends the chosen one', async () => {
    const api = fakeApi([]);
    const box = new VoicemailBoxState('vvm', limits, api);
    expect(box.language).toBe('1');
    box.language = '2';
    await box.changeLanguage();
    expect(api.changeVoicemailLanguage).toHaveBeenCalledWith('vvm', '2');
  });
});
