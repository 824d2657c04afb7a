import { describe, expect, it, vi } from 'vitest';
import { SettingsState, type SettingsApi } from './settings.svelte';
import type { Settings } from '../ipc';

const DEFAULTS: Settings = {
  theme: 'system', hour12: false, dateFormat: '%Y-%m-%d', avatarSize: 40, remoteImages: 'block', allowedSenders: [], notifications: true,
};

function fakeApi(): SettingsApi {
  let saved = { ...DEFAULTS };
  return {
    getSettings: vi.fn(async () => ({ settings: saved, problem: null })),
    saveSettings: vi.fn(async (settings: Settings) => {
      if (settings.avatarSize > 64) throw { code: 'invalid_input', message: 'Avatars are 16–64 pixels, not 90.' };
      saved = { ...settings, allowedSenders: settings.allowedSenders.map((s) => s.toLowerCase()) };
      return saved;
    }),
    allowRemoteSender: vi.fn(async (email: string) => {
      saved = { ...saved, allowedSenders: [...saved.allowedSenders, email.toLowerCase()] };
      return saved;
    }),
  };
}

describe('SettingsState', () => {
  it('applies the theme to the page and follows the system again when asked', async () => {
    const root = { dataset: {} as DOMStringMap };
    const state = new SettingsState(fakeApi(), root);
    await state.start();
    expect(root.dataset.theme).toBeUndefined();
    await state.update({ theme: 'dark' });
    expect(root.dataset.theme).toBe('dark');
    expect(state.changed).toBe(0);
    await state.update({ theme: 'system' });
    expect(root.dataset.theme).toBeUndefined();
  });

  it('saves a display change, counts it as a rendering change and keeps a refused one out', async () => {
    const api = fakeApi();
    const state = new SettingsState(api, null);
    await state.start();
    await state.update({ hour12: true });
    expect(state.settings?.hour12).toBe(true);
    expect(state.changed).toBe(1);
    await state.update({ avatarSize: 90 });
    expect(state.error?.message).toBe('Avatars are 16–64 pixels, not 90.');
    expect(state.settings?.avatarSize).toBe(40);
    expect(state.changed).toBe(1);
  });

  it('allows and forgets a sender', async () => {
    const state = new SettingsState(fakeApi(), null);
    await state.start();
    await state.allowSender('News@Example.org');
    expect(state.settings?.allowedSenders).toEqual(['news@example.org']);
    await state.forgetSender('news@example.org');
    expect(state.settings?.allowedSenders).toEqual([]);
    expect(state.changed).toBe(2);
  });
});
