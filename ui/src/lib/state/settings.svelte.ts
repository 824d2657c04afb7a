// The user's settings as the UI holds them: loaded once, changed one field at a time (each
// change is saved at once, as desktop settings panels do), and the theme applied to the page.
import * as ipc from '../ipc';
import type { IpcError, Settings } from '../ipc';

/** The commands this state uses; tests pass a fake. */
export interface SettingsApi {
  getSettings: typeof ipc.getSettings;
  saveSettings: typeof ipc.saveSettings;
  allowRemoteSender: typeof ipc.allowRemoteSender;
}

/** Where the theme goes: `data-theme` on the root element (app.css reads it). */
export type ThemeTarget = { dataset: DOMStringMap };

export class SettingsState {
  settings = $state<Settings | null>(null);
  /** Why the settings file was not used, from the backend. */
  problem = $state<string | null>(null);
  error = $state<IpcError | null>(null);
  /** Bumped when a setting that changes how messages render was saved. */
  changed = $state(0);

  constructor(
    private readonly api: SettingsApi = ipc,
    private readonly themeTarget: ThemeTarget | null = typeof document === 'undefined' ? null : document.documentElement,
  ) {}

  async start(): Promise<void> {
    try {
      const view = await this.api.getSettings();
      this.settings = view.settings;
      this.problem = view.problem;
      this.applyTheme();
    } catch (thrown) {
      this.error = ipc.asIpcError(thrown);
    }
  }

  /** Saves one change; a refused value leaves the settings as they were and says why. */
  async update(change: Partial<Settings>): Promise<void> {
    if (!this.settings) return;
    const wanted = { ...this.settings, ...change };
    try {
      this.settings = await this.api.saveSettings(wanted);
      this.error = null;
      this.applyTheme();
      if (Object.keys(change).some((key) => key !== 'theme')) this.changed++;
    } catch (thrown) {
      this.error = ipc.asIpcError(thrown);
    }
  }

  /** Remote images of `email`'s messages load from now on. */
  async allowSender(email: string): Promise<void> {
    try {
      this.settings = await this.api.allowRemoteSender(email);
      this.changed++;
    } catch (thrown) {
      this.error = ipc.asIpcError(thrown);
    }
  }

  async forgetSender(email: string): Promise<void> {
    if (!this.settings) return;
    await this.update({ allowedSenders: this.settings.allowedSenders.filter((sender) => sender !== email) });
  }

  private applyTheme(): void {
    if (!this.themeTarget || !this.settings) return;
    if (this.settings.theme === 'system') delete this.themeTarget.dataset.theme;
    else this.themeTarget.dataset.theme = this.settings.theme;
  }
}
