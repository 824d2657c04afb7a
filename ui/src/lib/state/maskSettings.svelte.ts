// The mask settings panel: the languages, the draft of the one being edited (TOML text kept
// here until it is saved), and the live preview of that draft on a pasted header or a message.
import * as ipc from '../ipc';
import { t } from '../i18n';
import type {
  IpcError,
  MaskEdit,
  MaskListName,
  MaskListView,
  MaskPreview,
  MaskSetView,
  MessageRef,
} from '../ipc';

/** The commands this state uses; tests pass a fake. */
export interface MaskApi {
  listMaskSets: typeof ipc.listMaskSets;
  getMaskFile: typeof ipc.getMaskFile;
  editMaskFile: typeof ipc.editMaskFile;
  previewMaskFile: typeof ipc.previewMaskFile;
  saveMaskFile: typeof ipc.saveMaskFile;
  importMaskFile: typeof ipc.importMaskFile;
  resetMaskFile: typeof ipc.resetMaskFile;
  exportMaskFile: typeof ipc.exportMaskFile;
}

/** Largest file an import accepts, as the backend checks it too. */
export const MAX_IMPORT_BYTES = 256 * 1024;

/** How long typing pauses before the preview runs, in milliseconds. */
export const PREVIEW_DELAY_MS = 150;

export class MaskSettingsState {
  sets = $state<MaskSetView[]>([]);
  problems = $state<string[]>([]);
  selected = $state<string | null>(null);
  /** The TOML being edited. */
  draft = $state('');
  /** The text as last loaded or saved, to tell whether there is anything to save. */
  saved = $state('');
  lists = $state<MaskListView[]>([]);
  sampleText = $state('');
  sampleMessage = $state<MessageRef | null>(null);
  preview = $state<MaskPreview | null>(null);
  /** A command that failed (save, import, …). */
  error = $state<IpcError | null>(null);
  /** What the last action did, written when read, so that it follows a change of language. */
  #status = $state<(() => string) | null>(null);

  /** What the last action did, for a polite status line. */
  get status(): string {
    return this.#status?.() ?? '';
  }
  /** The masks in use changed (saved, imported, reset): open messages should render again. */
  changed = $state(0);

  dirty = $derived(this.draft !== this.saved);
  selectedSet = $derived(this.sets.find((set) => set.id === this.selected) ?? null);

  private previewTimer: ReturnType<typeof setTimeout> | null = null;
  private previewRun = 0;
  /** Row edits run one after another, each on the draft the previous one left. */
  private edits: Promise<void> = Promise.resolve();
  /** The TOML was edited by hand since the rows were last set, so previews bring the rows. */
  private rowsFromPreview = false;

  constructor(
    private readonly api: MaskApi = ipc,
    private readonly delay: number = PREVIEW_DELAY_MS,
  ) {}

  /** Loads the languages and opens `preferred` (else the first). */
  async start(preferred = 'en'): Promise<void> {
    await this.attempt(async () => {
      const settings = await this.api.listMaskSets();
      this.sets = settings.sets;
      this.problems = settings.problems;
      const first = this.sets.find((set) => set.id === preferred) ?? this.sets[0];
      if (first) await this.select(first.id);
    });
  }

  /** Opens a language's file in the editor (an unsaved draft of another one is dropped). */
  async select(id: string): Promise<void> {
    await this.attempt(async () => {
      const file = await this.api.getMaskFile(id);
      this.selected = file.id;
      this.draft = file.text;
      this.saved = file.text;
      this.lists = file.lists;
      this.rowsFromPreview = false;
      this.#status = null;
      this.schedulePreview(0);
    });
  }

  /** A row's text changed (on every keystroke). The row shows it at once and keeps it: answers
   * to earlier keystrokes must not put older text back under the user's cursor. */
  setPattern(list: MaskListName, index: number, pattern: string) {
    const entry = this.lists.find((view) => view.list === list)?.entries[index];
    if (entry) entry.pattern = pattern;
    return this.edit({ action: 'set', list, index, pattern }, false);
  }

  addPattern(list: MaskListName, pattern: string) {
    return this.edit({ action: 'add', list, pattern });
  }

  removePattern(list: MaskListName, index: number) {
    return this.edit({ action: 'remove', list, index });
  }

  setEnabled(list: MaskListName, index: number, enabled: boolean) {
    return this.edit({ action: 'set_enabled', list, index, enabled });
  }

  /** The user typed in the TOML editor; the rows follow from the preview's parse. */
  setText(text: string): void {
    this.draft = text;
    this.rowsFromPreview = true;
    this.schedulePreview();
  }

  setSampleText(text: string): void {
    this.sampleText = text;
    this.sampleMessage = null;
    this.schedulePreview();
  }

  setSampleMessage(message: MessageRef | null): void {
    this.sampleMessage = message;
    this.schedulePreview(0);
  }

  /** Throws the draft away. */
  revert(): void {
    this.draft = this.saved;
    this.rowsFromPreview = true;
    this.error = null;
    this.schedulePreview(0);
  }

  async save(): Promise<void> {
    await this.attempt(async () => {
      const saved = await this.api.saveMaskFile(this.draft);
      this.applySettings(saved.settings.sets);
      this.selected = saved.id;
      this.saved = this.draft;
      const name = this.selectedSet?.name ?? saved.id;
      this.#status = () => t('masks.saved', { name });
      this.changed++;
    });
  }

  /** Back to the shipped masks of the language (a language only the user defined goes away). */
  async reset(): Promise<void> {
    const id = this.selected;
    if (!id) return;
    await this.attempt(async () => {
      const settings = await this.api.resetMaskFile(id);
      this.applySettings(settings.sets);
      this.changed++;
      const still = this.sets.find((set) => set.id === id) ?? this.sets[0];
      if (still) await this.select(still.id);
      this.#status = this.sets.some((set) => set.id === id)
        ? () => t('masks.shipped')
        : () => t('masks.removed', { name: id });
    });
  }

  async importFile(file: File): Promise<void> {
    if (file.size > MAX_IMPORT_BYTES) {
      this.error = {
        code: 'invalid_input',
        message: t('masks.tooBig', { file: file.name, size: Math.ceil(file.size / 1024), max: MAX_IMPORT_BYTES / 1024 }),
      };
      return;
    }
    await this.attempt(async () => {
      const bytes = Array.from(await readBytes(file));
      const saved = await this.api.importMaskFile(bytes);
      this.applySettings(saved.settings.sets);
      this.changed++;
      await this.select(saved.id);
      const name = this.selectedSet?.name ?? saved.id;
      this.#status = () => t('masks.imported', { file: file.name, name });
    });
  }

  async exportFile(): Promise<void> {
    const id = this.selected;
    if (!id) return;
    await this.attempt(async () => {
      const path = await this.api.exportMaskFile(id);
      this.#status = () => t('masks.exported', { path });
    });
  }

  /** Waits for a scheduled preview (tests, and the panel before it closes). */
  async flush(): Promise<void> {
    if (this.previewTimer) {
      clearTimeout(this.previewTimer);
      this.previewTimer = null;
      await this.runPreview();
    }
  }

  private edit(edit: MaskEdit, takeRows = true): Promise<void> {
    this.rowsFromPreview = false;
    this.edits = this.edits.then(() =>
      this.attempt(async () => {
        const file = await this.api.editMaskFile(this.draft, edit);
        this.draft = file.text;
        if (takeRows) this.lists = file.lists;
        this.schedulePreview();
      }),
    );
    return this.edits;
  }

  private applySettings(sets: MaskSetView[]): void {
    this.sets = sets;
    this.problems = [];
    this.error = null;
  }

  private schedulePreview(delay = this.delay): void {
    if (this.previewTimer) clearTimeout(this.previewTimer);
    this.previewTimer = setTimeout(() => {
      this.previewTimer = null;
      void this.runPreview();
    }, delay);
  }

  private async runPreview(): Promise<void> {
    const run = ++this.previewRun;
    const sample = this.sampleMessage
      ? ({ kind: 'message', message: this.sampleMessage } as const)
      : ({ kind: 'text', text: this.sampleText } as const);
    try {
      const preview = await this.api.previewMaskFile(this.draft, sample);
      // An answer overtaken by later typing is dropped.
      if (run !== this.previewRun) return;
      this.preview = preview;
      // TOML that does not parse has no rows: the last good ones stay on screen.
      if (this.rowsFromPreview && preview.lists.length > 0) this.lists = preview.lists;
    } catch (thrown) {
      if (run === this.previewRun) this.error = ipc.asIpcError(thrown);
    }
  }

  private async attempt(action: () => Promise<void>): Promise<void> {
    this.error = null;
    try {
      await action();
    } catch (thrown) {
      this.error = ipc.asIpcError(thrown);
    }
  }
}

/** A picked file's bytes (FileReader: in every webview and in jsdom). */
function readBytes(file: Blob): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(new Uint8Array(reader.result as ArrayBuffer));
    reader.onerror = () => reject({ code: 'invalid_input', message: t('masks.unreadable', { reason: reader.error?.message ?? t('masks.unknownError') }) });
    reader.readAsArrayBuffer(file);
  });
}
