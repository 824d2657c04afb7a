import { describe, expect, it, vi } from 'vitest';
import { MaskSettingsState, type MaskApi } from './maskSettings.svelte';
import type { MaskEdit, MaskListView, MaskPreview, PreviewSample, QuoteView } from '../ipc';
import { setLanguageChoice } from '../i18n';

// A fake backend that keeps one line per pattern: "attributions: <pattern>" (prefixed "# " when
// off), so edits, previews and saves behave like the real ones on a tiny format.
function rows(text: string): MaskListView[] {
  const entries = text
    .split('\n')
    .filter((line) => line.includes('attributions: '))
    .map((line) => ({ pattern: line.split('attributions: ')[1], enabled: !line.startsWith('# ') }));
  return [{ list: 'attributions', entries }];
}

function applyEdit(text: string, edit: MaskEdit): string {
  const lines = text.split('\n');
  const at = (index: number) => lines.findIndex((line, i) => line.includes('attributions: ') && lines.slice(0, i).filter((l) => l.includes('attributions: ')).length === index);
  if (edit.action === 'add') lines.push(`attributions: ${edit.pattern}`);
  if (edit.action === 'set') lines[at(edit.index)] = lines[at(edit.index)].replace(/attributions: .*/, `attributions: ${edit.pattern}`);
  if (edit.action === 'remove') lines.splice(at(edit.index), 1);
  if (edit.action === 'set_enabled') {
    const line = lines[at(edit.index)].replace(/^# /, '');
    lines[at(edit.index)] = edit.enabled ? line : `# ${line}`;
  }
  return lines.join('\n');
}

const quote = (mask: string): QuoteView => ({
  depth: 0, kind: 'reply', name: 'Ann Lee', email: 'ann@example.com', date: '2024-03-03', time: null,
  utcOffset: null, source: 'x', mask,
});

function fakeApi(files: Record<string, string> = { en: 'id = en\nattributions: {sender} wrote:' }) {
  const saved: Record<string, string> = {};
  const sets = () =>
    Object.keys(files).map((id) => ({ id, name: id.toUpperCase(), masks: rows(files[id])[0].entries.length, edited: id in saved, shipped: true }));
  const api: MaskApi = {
    listMaskSets: vi.fn(async () => ({ sets: sets(), problems: ['de.toml:2: broken (file skipped)'] })),
    getMaskFile: vi.fn(async (id: string) => ({ id, text: files[id], lists: rows(files[id]) })),
    editMaskFile: vi.fn(async (text: string, edit: MaskEdit) => {
      const next = applyEdit(text, edit);
      return { id: 'en', text: next, lists: rows(next) };
    }),
    previewMaskFile: vi.fn(async (text: string, sample: PreviewSample): Promise<MaskPreview> => {
      if (text.includes('{broken')) return { problem: { line: 2, message: 'unclosed {' }, lists: rows(text), quotes: [], matchedBy: null };
      const enabled = rows(text)[0].entries.filter((entry) => entry.enabled).map((entry) => entry.pattern);
      const sampleText = sample.kind === 'text' ? sample.text : 'Ann Lee wrote:';
      const index = enabled.findIndex((pattern) => sampleText.endsWith(pattern.replace('{sender} ', '')));
      return index < 0
        ? { problem: null, lists: rows(text), quotes: [], matchedBy: null }
        : { problem: null, lists: rows(text), quotes: [quote(`en/attribution-${index + 1}`)], matchedBy: 'draft' };
    }),
    saveMaskFile: vi.fn(async (text: string) => {
      if (text.includes('{broken')) throw { code: 'invalid_input', message: 'en.toml:2: unclosed {' };
      files.en = text;
      saved.en = text;
      return { id: 'en', settings: { sets: sets(), problems: [] } };
    }),
    importMaskFile: vi.fn(async () => {
      files.xx = 'id = xx\nattributions: {sender} schreef:';
      saved.xx = files.xx;
      return { id: 'xx', settings: { sets: sets(), problems: [] } };
    }),
    resetMaskFile: vi.fn(async (id: string) => {
      delete saved[id];
      return { sets: sets(), problems: [] };
    }),
    exportMaskFile: vi.fn(async (id: string) => `/home/ann/Downloads/tidings-masks-${id}.toml`),
  };
  return api;
}

async function started(api = fakeApi()) {
  const settings = new MaskSettingsState(api, 0);
  await settings.start();
  await settings.flush();
  return settings;
}

describe('MaskSettingsState', () => {
  it('opens English with its rows and shows user files that failed to load', async () => {
    const settings = await started();
    expect(settings.selected).toBe('en');
    expect(settings.lists[0].entries).toEqual([{ pattern: '{sender} wrote:', enabled: true }]);
    expect(settings.problems).toEqual(['de.toml:2: broken (file skipped)']);
    expect(settings.dirty).toBe(false);
  });

  it('previews an added mask before anything is saved, then saves it', async () => {
    const api = fakeApi();
    const settings = await started(api);
    settings.setSampleText('Ann Lee <ann@example.com> opined:');
    await settings.flush();
    expect(settings.preview?.quotes).toEqual([]);

    await settings.addPattern('attributions', '{sender} opined:');
    await settings.flush();
    expect(settings.preview?.quotes.map((q) => q.mask)).toEqual(['en/attribution-2']);
    expect(settings.dirty).toBe(true);
    expect(api.saveMaskFile).not.toHaveBeenCalled();

    await settings.save();
    expect(api.saveMaskFile).toHaveBeenCalledWith(settings.draft);
    expect(settings.dirty).toBe(false);
    expect(settings.changed).toBe(1);
    expect(settings.selectedSet?.edited).toBe(true);
    expect(settings.status).toBe('Saved the EN masks.');
    setLanguageChoice('ru');
    expect(settings.status).toBe('Маски «EN» сохранены.');
    setLanguageChoice('system');
  });

  it('switching a mask off changes the preview of a picked message', async () => {
    const settings = await started();
    settings.setSampleMessage({ account: 'demo', mailbox: 'INBOX', uidValidity: 1, uid: 2 });
    await settings.flush();
    expect(settings.preview?.quotes).toHaveLength(1);
    await settings.setEnabled('attributions', 0, false);
    await settings.flush();
    expect(settings.lists[0].entries[0].enabled).toBe(false);
    expect(settings.preview?.quotes).toEqual([]);
  });

  it('keeps rapid row edits in order, each applied to the draft the previous one left', async () => {
    const api = fakeApi();
    const slowFirst = api.editMaskFile;
    let calls = 0;
    api.editMaskFile = vi.fn(async (text: string, edit: MaskEdit) => {
      // The first answer comes last: without ordering, it would overwrite the second edit.
      if (calls++ === 0) await new Promise((resolve) => setTimeout(resolve, 20));
      return slowFirst(text, edit);
    });
    const settings = await started(api);
    const first = settings.setPattern('attributions', 0, '{sender} w');
    const second = settings.setPattern('attributions', 0, '{sender} wr');
    // The row shows what was typed at once, before any answer.
    expect(settings.lists[0].entries[0].pattern).toBe('{sender} wr');
    await Promise.all([first, second]);
    await settings.flush();
    expect(settings.lists[0].entries[0].pattern).toBe('{sender} wr');
    expect(settings.draft).toBe('id = en\nattributions: {sender} wr');
  });

  it('shows a broken draft inline and keeps the save error when the backend refuses it', async () => {
    const settings = await started();
    settings.setText('id = en\nattributions: {broken wrote:');
    await settings.flush();
    expect(settings.preview?.problem).toEqual({ line: 2, message: 'unclosed {' });
    await settings.save();
    expect(settings.error?.message).toBe('en.toml:2: unclosed {');
    expect(settings.dirty).toBe(true);
    expect(settings.changed).toBe(0);
    settings.revert();
    expect(settings.dirty).toBe(false);
  });

  it('refuses a file over 256 KB before sending it, imports a good one and opens it', async () => {
    const api = fakeApi();
    const settings = await started(api);
    await settings.importFile(new File(['x'.repeat(300 * 1024)], 'huge.toml'));
    expect(settings.error?.message).toContain('at most 256 KB');
    expect(api.importMaskFile).not.toHaveBeenCalled();

    await settings.importFile(new File(['id = "xx"'], 'dutch.toml'));
    expect(api.importMaskFile).toHaveBeenCalledWith([...new TextEncoder().encode('id = "xx"')]);
    expect(settings.selected).toBe('xx');
    expect(settings.status).toBe('Imported dutch.toml as the XX masks.');
    expect(settings.changed).toBe(1);
  });

  it('resets an edited language and reports where an export went', async () => {
    const api = fakeApi();
    const settings = await started(api);
    await settings.addPattern('attributions', '{sender} opined:');
    await settings.save();
    await settings.reset();
    expect(api.resetMaskFile).toHaveBeenCalledWith('en');
    expect(settings.selectedSet?.edited).toBe(false);
    expect(settings.status).toBe('Back to the shipped masks.');
    await settings.exportFile();
    expect(settings.status).toBe('Exported to /home/ann/Downloads/tidings-masks-en.toml.');
  });
});
