import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen } from '@testing-library/svelte';
import MaskSettings from './MaskSettings.svelte';
import { MaskSettingsState, type MaskApi } from '../state/maskSettings.svelte';
import type { MaskPreview } from '../ipc';

const ENGLISH = { id: 'en', text: 'id = "en"', lists: [{ list: 'attributions' as const, entries: [{ pattern: '{sender} wrote:', enabled: true }] }] };

function api(preview: MaskPreview): MaskApi {
  return {
    listMaskSets: vi.fn(async () => ({ sets: [{ id: 'en', name: 'English', masks: 1, edited: false, shipped: true }], problems: [] })),
    getMaskFile: vi.fn(async () => ENGLISH),
    editMaskFile: vi.fn(async (text: string) => ({ ...ENGLISH, text: `${text}\n# edited` })),
    previewMaskFile: vi.fn(async () => preview),
    saveMaskFile: vi.fn(),
    importMaskFile: vi.fn(),
    resetMaskFile: vi.fn(),
    exportMaskFile: vi.fn(),
  };
}

async function shown(preview: MaskPreview) {
  const settings = new MaskSettingsState(api(preview), 0);
  render(MaskSettings, { props: { settings, onclose: vi.fn(), onchanged: vi.fn() } });
  await vi.waitFor(() => expect(settings.selected).toBe('en'));
  await settings.flush();
  return settings;
}

afterEach(cleanup);

describe('MaskSettings', () => {
  it('labels every row control and shows what the preview matched', async () => {
    const settings = await shown({
      problem: null, lists: ENGLISH.lists, matchedBy: 'draft',
      quotes: [{ depth: 0, kind: 'reply', name: 'Ann Lee', email: 'ann@example.com', date: '2024-03-03', time: '14:05', utcOffset: '+03:00', source: 'x', mask: 'en/attribution-1' }],
    });
    settings.setSampleText('Ann Lee <ann@example.com> wrote:');
    await settings.flush();
    expect(await screen.findByLabelText('Attribution 1')).toHaveProperty('value', '{sender} wrote:');
    expect(screen.getByLabelText('Use attribution 1')).toHaveProperty('checked', true);
    expect(screen.getByLabelText('Remove attribution 1')).toBeTruthy();
    expect(screen.getByText('Ann Lee')).toBeTruthy();
    expect(screen.getByText('14:05 (UTC+03:00)')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Save' })).toHaveProperty('disabled', true);
  });

  it('shows a draft problem inline with its line and will not save it', async () => {
    const settings = await shown({ problem: { line: 4, message: 'unclosed {' }, lists: [], quotes: [], matchedBy: null });
    await fireEvent.input(screen.getByLabelText('Attribution 1'), { target: { value: '{sender wrote:' } });
    await vi.waitFor(() => expect(settings.dirty).toBe(true));
    await settings.flush();
    expect((await screen.findByRole('alert')).textContent).toBe('Line 4: unclosed {');
    expect(screen.getByRole('button', { name: 'Save' })).toHaveProperty('disabled', true);
  });
});
