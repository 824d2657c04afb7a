import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen } from '@testing-library/svelte';
import SettingsDialog from './SettingsDialog.svelte';
import { SettingsState } from '../state/settings.svelte';
import type { Settings } from '../ipc';

const DEFAULTS: Settings = {
  theme: 'system', hour12: false, dateFormat: '%Y-%m-%d', avatarSize: 40, remoteImages: 'block', allowedSenders: [], notifications: true,
};

afterEach(cleanup);

describe('SettingsDialog', () => {
  it('switches the language at once and back to the system’s', async () => {
    const settings = new SettingsState({
      getSettings: vi.fn(async () => ({ settings: DEFAULTS, problem: null })),
      saveSettings: vi.fn(async (changed: Settings) => changed),
      allowRemoteSender: vi.fn(),
    }, null);
    await settings.start();
    render(SettingsDialog, { props: { settings, onclose: vi.fn(), onmasks: vi.fn() } });
    expect(screen.getByRole('heading').textContent).toBe('Settings');
    const select = screen.getByLabelText('Language') as HTMLSelectElement;
    expect(select.value).toBe('system');

    await fireEvent.change(select, { target: { value: 'ru' } });
    expect(screen.getByRole('heading').textContent).toBe('Настройки');
    expect(screen.getByLabelText('Тёмная')).toBeTruthy();
    expect(screen.getByRole('option', { name: 'Deutsch' })).toBeTruthy();
    expect(localStorage.getItem('tidings.language')).toBe('ru');

    await fireEvent.change(screen.getByLabelText('Язык'), { target: { value: 'system' } });
    expect(screen.getByRole('heading').textContent).toBe('Settings');
    expect(localStorage.getItem('tidings.language')).toBeNull();
  });
});
