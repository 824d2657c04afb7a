// The open mailbox: its accounts, its message list and the opened message.
// Created once in App.svelte; components read its fields and call its methods.
import * as ipc from '../ipc';
import type { AccountView, IpcError, MessageRef, MessageRow, MessageView } from '../ipc';

/** The commands this state uses; tests pass a fake. */
export interface MailApi {
  listAccounts: typeof ipc.listAccounts;
  listMessages: typeof ipc.listMessages;
  openMessage: typeof ipc.openMessage;
  setSeen: typeof ipc.setSeen;
}

export class MailboxState {
  accounts = $state<AccountView[]>([]);
  account = $state<string | null>(null);
  mailbox = $state<string | null>(null);
  rows = $state<MessageRow[]>([]);
  selected = $state<MessageRef | null>(null);
  view = $state<MessageView | null>(null);
  error = $state<IpcError | null>(null);
  loading = $state(true);

  unread = $derived(this.rows.filter((row) => !row.seen).length);

  constructor(private readonly api: MailApi = ipc) {}

  /** Loads the accounts and opens the first account's first mailbox. */
  async start(): Promise<void> {
    try {
      this.accounts = await this.api.listAccounts();
      const first = this.accounts[0];
      if (first && first.mailboxes.length > 0) {
        await this.showMailbox(first.id, first.mailboxes[0]);
      }
    } catch (thrown) {
      this.error = ipc.asIpcError(thrown);
    } finally {
      this.loading = false;
    }
  }

  /** Reloads the accounts (one was added) and shows the first mailbox of account `id`. */
  async showAccount(id: string): Promise<void> {
    try {
      this.accounts = await this.api.listAccounts();
      const account = this.accounts.find((a) => a.id === id);
      if (account) await this.showMailbox(account.id, account.mailboxes[0] ?? 'INBOX');
    } catch (thrown) {
      this.error = ipc.asIpcError(thrown);
    }
  }

  async showMailbox(account: string, mailbox: string): Promise<void> {
    this.account = account;
    this.mailbox = mailbox;
    this.selected = null;
    this.view = null;
    this.rows = await this.api.listMessages(account, mailbox);
  }

  async open(message: MessageRef): Promise<void> {
    this.selected = message;
    this.error = null;
    try {
      const view = await this.api.openMessage(message);
      if (this.selected && ipc.sameMessage(this.selected, message)) {
        this.view = view;
        this.rows = this.rows.map((row) => (ipc.sameMessage(row.message, message) ? view.row : row));
      }
    } catch (thrown) {
      this.error = ipc.asIpcError(thrown);
    }
  }

  /** Renders the opened message again (the masks it is rendered with changed). */
  async reopen(): Promise<void> {
    if (this.selected) await this.open(this.selected);
  }

  async toggleSeen(row: MessageRow): Promise<void> {
    try {
      await this.api.setSeen(row.message, !row.seen);
      this.rows = this.rows.map((r) => (ipc.sameMessage(r.message, row.message) ? { ...r, seen: !row.seen } : r));
    } catch (thrown) {
      this.error = ipc.asIpcError(thrown);
    }
  }

  /** Selects the next (+1) or previous (-1) message in the list. */
  async step(direction: 1 | -1): Promise<void> {
    if (this.rows.length === 0) return;
    const current = this.selected;
    const index = current ? this.rows.findIndex((row) => ipc.sameMessage(row.message, current)) : -1;
    const next = Math.min(this.rows.length - 1, Math.max(0, index + direction));
    await this.open(this.rows[next].message);
  }
}
