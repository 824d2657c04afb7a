// The "Add account" dialog: what the user typed, where the attempt is, and its outcome.
// Created by App.svelte when the dialog opens; AddAccountDialog.svelte reads and drives it.
import * as ipc from '../ipc';
import { t } from '../i18n';
import type { AddAccountRequest, AddedAccount, IpcError, Security, SyncCounts, VoicemailBoxView } from '../ipc';

/** The commands this state uses; tests pass a fake. */
export interface AccountApi {
  addAccount: typeof ipc.addAccount;
  syncAccount: typeof ipc.syncAccount;
  readStatusSms: typeof ipc.readStatusSms;
}

/** editing → connecting → syncing → done, or back to editing with an error. */
export type Phase = 'editing' | 'connecting' | 'syncing' | 'done';

const DEFAULT_PORTS: Record<Security, number> = { tls: 993, starttls: 143, plain: 143 };

export class AddAccountState {
  email = $state('');
  password = $state('');
  /** "Manual settings" is open: the server below is used instead of autoconfig. */
  manual = $state(false);
  host = $state('');
  port = $state('');
  security = $state<Security>('tls');
  username = $state('');
  /** "Visual voicemail" is open: the text pasted from the carrier's STATUS SMS. */
  smsText = $state('');
  /** The SMS the form was last filled from, and the box it describes. */
  filledFromSms = $state<string | null>(null);
  voicemail = $state<VoicemailBoxView | null>(null);

  phase = $state<Phase>('editing');
  error = $state<IpcError | null>(null);
  added = $state<AddedAccount | null>(null);
  synced = $state<SyncCounts | null>(null);
  /** The certificate the user chose to trust, sent with every retry. */
  trusted = $state<string | null>(null);

  busy = $derived(this.phase === 'connecting' || this.phase === 'syncing');
  /** The fingerprint to show next to "Trust this certificate". */
  untrusted = $derived(this.error?.code === 'untrusted_certificate' ? (this.error.fingerprint ?? null) : null);
  canConnect = $derived(
    !this.busy && this.phase !== 'done' && this.email.trim().includes('@') && this.password.length > 0 &&
      (!this.manual || this.host.trim() !== ''),
  );
  progress = $derived(
    this.phase === 'connecting' ? t('account.connecting')
      : this.phase === 'syncing' ? t('account.syncing')
      : null,
  );
  defaultPort = $derived(DEFAULT_PORTS[this.security]);

  constructor(private readonly api: AccountApi = ipc) {}

  /** What add_account is sent, or an invalid_input error for a bad port. */
  request(): AddAccountRequest | IpcError {
    let server = null;
    if (this.manual) {
      const text = this.port.trim();
      const port = text === '' ? null : Number(text);
      if (port !== null && !(Number.isInteger(port) && port >= 1 && port <= 65535)) {
        return { code: 'invalid_input', message: t('account.badPort', { port: text }) };
      }
      server = { host: this.host.trim(), port, security: this.security, username: this.username.trim() || null };
    }
    return {
      email: this.email.trim(),
      password: this.password,
      server,
      acceptCertificate: this.trusted,
      statusSms: this.filledFromSms,
    };
  }

  /**
   * Fills the form from the pasted STATUS SMS (server, port, security, user, password), or shows
   * why the SMS cannot set up a box. Resolves to true when the form was filled.
   */
  async fillFromSms(): Promise<boolean> {
    if (this.busy) return false;
    const text = this.smsText;
    try {
      const fill = await this.api.readStatusSms(text);
      this.email = fill.email;
      this.password = fill.password;
      this.manual = true;
      this.host = fill.host;
      this.port = fill.port === null ? '' : String(fill.port);
      this.security = fill.security;
      this.username = fill.username ?? '';
      this.voicemail = fill.voicemail;
      this.filledFromSms = text;
      this.error = null;
      return true;
    } catch (thrown) {
      this.error = ipc.asIpcError(thrown);
      return false;
    }
  }

  /**
   * Adds the account, then syncs its inbox once. Resolves to the account id when it was added
   * (even if the first sync failed: the account exists and the error says why), else null.
   */
  async connect(): Promise<string | null> {
    if (this.busy) return null;
    const request = this.request();
    if ('code' in request) {
      this.error = request;
      return null;
    }
    this.error = null;
    this.phase = 'connecting';
    let added: AddedAccount;
    try {
      added = await this.api.addAccount(request);
    } catch (thrown) {
      this.error = ipc.asIpcError(thrown);
      this.phase = 'editing';
      return null;
    }
    // The password is in the keyring now; the form need not hold it any longer.
    this.password = '';
    this.added = added;
    this.phase = 'syncing';
    try {
      this.synced = await this.api.syncAccount(added.account.id, 'INBOX');
    } catch (thrown) {
      this.error = ipc.asIpcError(thrown);
    }
    this.phase = 'done';
    return added.account.id;
  }

  /** "Trust this certificate": pin the fingerprint shown and try again. */
  async trustAndRetry(): Promise<string | null> {
    if (!this.untrusted) return null;
    this.trusted = this.untrusted;
    return this.connect();
  }
}
