// The open mailbox: its accounts, its message list and the opened message.
// Created once in App.svelte; components read its fields and call its methods.
//
// The list may hold 100 000 messages: `rows` has one slot per message, filled page by page as
// the list scrolls (`ensure`), so the first screen needs one small answer. A search asks the
// backend for the matches instead (the newest 500, with their exact count).
import * as ipc from '../ipc';
import { t } from '../i18n';
import type { AccountView, IpcError, MessageRef, MessageRow, MessageView } from '../ipc';

/** The body of a message whose header alone is cached: being fetched, failed, or gone from the server. */
export type BodyFetch = { status: 'fetching' } | { status: 'failed'; error: string } | { status: 'gone' };

/** The commands this state uses; tests pass a fake. */
export interface MailApi {
  listAccounts: typeof ipc.listAccounts;
  listMessages: typeof ipc.listMessages;
  openMessage: typeof ipc.openMessage;
  fetchBody: typeof ipc.fetchBody;
  setSeen: typeof ipc.setSeen;
  compose: typeof ipc.compose;
  syncAccount: typeof ipc.syncAccount;
  setFlagged: typeof ipc.setFlagged;
  deleteMessage: typeof ipc.deleteMessage;
  listThreads: typeof ipc.listThreads;
  threadMessages: typeof ipc.threadMessages;
  removeAccount: typeof ipc.removeAccount;
}

/** The folder an account opens on: INBOX when it has one, else its first. */
export function firstFolder(account: AccountView): string {
  const folders = account.folders ?? [];
  const inbox = folders.find((folder) => folder.role === 'inbox')?.name
    ?? account.mailboxes.find((name) => name.toUpperCase() === 'INBOX');
  return inbox ?? folders[0]?.name ?? account.mailboxes[0] ?? 'INBOX';
}

/** A message's key as one string. */
function rowKey(message: MessageRef): string {
  return `${message.account}\u0000${message.mailbox}\u0000${message.uidValidity}\u0000${message.uid}`;
}

/** Rows fetched per call. */
export const PAGE_SIZE = 200;

export class MailboxState {
  accounts = $state<AccountView[]>([]);
  account = $state<string | null>(null);
  mailbox = $state<string | null>(null);
  /** One slot per message of the list, newest first; `undefined` until its page arrives. */
  rows = $state.raw<(MessageRow | undefined)[]>([]);
  /** Messages in the mailbox (or matching the search: then `rows` may hold fewer). */
  total = $state(0);
  /** Unread messages in the mailbox (a search does not change it). */
  unread = $state(0);
  /** The search in force; empty for the whole mailbox. */
  query = $state('');
  selected = $state<MessageRef | null>(null);
  view = $state<MessageView | null>(null);
  /** The opened message's body, when only its header was cached: being fetched, failed, or gone. */
  body = $state<BodyFetch | null>(null);
  /** The opened message's conversation, oldest first, when it has more than one message. */
  conversation = $state.raw<MessageRow[]>([]);
  /** The list shows conversations (their newest message each) instead of messages. */
  threaded = $state(false);
  /** In the threaded list: how many messages each listed conversation has here, by row key. */
  threadCounts = $state.raw(new Map<string, number>());
  error = $state<IpcError | null>(null);
  loading = $state(true);
  /** The shown account's background sync trouble; null when it syncs fine. */
  #syncProblem = $state<ipc.SyncProblem | null>(null);

  /** That trouble as a sentence, in the language the UI speaks now. */
  get syncProblem(): string | null {
    const problem = this.#syncProblem;
    if (!problem) return null;
    return problem.retryInSeconds === null
      ? t('header.syncStopped', { message: problem.message })
      : t('header.syncRetrying', { message: problem.message, seconds: problem.retryInSeconds });
  }

  /** The rows fetched so far, in order (for pickers that need real rows). */
  loaded = $derived(this.rows.filter((row): row is MessageRow => row !== undefined));

  private pending = new Map<number, Promise<void>>();
  /** Bumped whenever the list is replaced, so late pages of the old list are dropped. */
  private generation = 0;

  constructor(private readonly api: MailApi = ipc) {}

  /** Loads the accounts and opens the first account's first mailbox. */
  async start(): Promise<void> {
    try {
      this.accounts = await this.api.listAccounts();
      const first = this.accounts[0];
      if (first && (first.mailboxes.length > 0 || (first.folders ?? []).length > 0)) {
        await this.showMailbox(first.id, firstFolder(first));
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
      if (account) await this.showMailbox(account.id, firstFolder(account));
    } catch (thrown) {
      this.error = ipc.asIpcError(thrown);
    }
  }

  /** Reads the accounts again (folders and their counts after a sync), keeping what is shown. */
  async refreshAccounts(): Promise<void> {
    try {
      this.accounts = await this.api.listAccounts();
    } catch (thrown) {
      this.error = ipc.asIpcError(thrown);
    }
  }

  /** A whole-account sync of `id` ended: folders and counts are read again, and the list too. */
  async accountSynced(id: string): Promise<void> {
    await this.refreshAccounts();
    if (this.account === id) await this.reload();
  }

  /**
   * Shows folder `name` of the shown account from the cache at once, then brings it up to date
   * from the server (the background sync follows only INBOX) and shows the result.
   */
  async showFolder(name: string): Promise<void> {
    const account = this.accounts.find((a) => a.id === this.account);
    if (!account) return;
    await this.showMailbox(account.id, name);
    if (account.isDemo) return;
    try {
      const counts = await this.api.syncAccount(account.id, name);
      if (this.account === account.id && this.mailbox === name && counts.new + counts.changed + counts.expunged > 0) {
        await this.reload();
      }
      await this.refreshAccounts();
    } catch (thrown) {
      if (this.account === account.id && this.mailbox === name) this.error = ipc.asIpcError(thrown);
    }
  }

  /** A background sync finished: the list is read again when it changed the shown folder. */
  async backgroundSynced(event: ipc.MailboxSynced): Promise<void> {
    if (event.account !== this.account) return;
    this.#syncProblem = null;
    if (event.mailbox !== this.mailbox || event.new + event.changed + event.expunged === 0) return;
    await this.reload();
  }

  /** Following an account failed; only the shown account's trouble is shown. */
  backgroundProblem(event: ipc.SyncProblem): void {
    if (event.account !== this.account) return;
    this.#syncProblem = event;
  }

  /** Removes account `id` (its cached mail and its password go too) and shows the first left. */
  async removeAccount(id: string): Promise<void> {
    try {
      await this.api.removeAccount(id);
      this.accounts = await this.api.listAccounts();
      const first = this.accounts[0];
      if (first) await this.showMailbox(first.id, first.mailboxes[0] ?? 'INBOX');
      else {
        this.account = null;
        this.mailbox = null;
        this.rows = [];
        this.total = 0;
        this.unread = 0;
        this.view = null;
        this.selected = null;
      }
    } catch (thrown) {
      this.error = ipc.asIpcError(thrown);
    }
  }

  async showMailbox(account: string, mailbox: string): Promise<void> {
    if (account !== this.account) this.#syncProblem = null;
    this.account = account;
    this.mailbox = mailbox;
    this.query = '';
    this.selected = null;
    this.view = null;
    await this.reload();
  }

  /** Shows the messages whose sender or subject has every word of `query` (empty: all). */
  async search(query: string): Promise<void> {
    this.query = query.trim();
    await this.reload();
  }

  /** Makes sure the rows `from`..`to` (exclusive) are fetched. */
  async ensure(from: number, to: number): Promise<void> {
    if (this.query || !this.account || !this.mailbox) return;
    const first = Math.max(0, Math.floor(from / PAGE_SIZE));
    const last = Math.floor((Math.min(to, this.rows.length) - 1) / PAGE_SIZE);
    const waits: Promise<void>[] = [];
    for (let page = first; page <= last; page++) {
      const offset = page * PAGE_SIZE;
      if (!this.pageIsLoaded(offset)) waits.push(this.fetchPage(offset));
    }
    await Promise.all(waits);
  }

  /** Opens `message`; `allowRemoteImages` loads its remote images this once. */
  async open(message: MessageRef, allowRemoteImages = false): Promise<void> {
    this.selected = message;
    this.error = null;
    try {
      const quoteToggle = { hide: t('message.hideQuote'), show: t('message.showQuote') };
      const view = await this.api.openMessage(message, allowRemoteImages, quoteToggle);
      if (this.selected && ipc.sameMessage(this.selected, message)) {
        this.view = view;
        this.body = null;
        if (view.bodyMissing) void this.fetchBody(message, allowRemoteImages);
        this.replaceRow(view.row);
        const thread = view.row.thread;
        const conversation = thread ? await this.api.threadMessages(message.account, thread) : [];
        if (this.selected && ipc.sameMessage(this.selected, message)) {
          this.conversation = conversation.length > 1 ? conversation : [];
        }
      }
    } catch (thrown) {
      this.error = ipc.asIpcError(thrown);
    }
  }

  /** Fetches the body of the opened header-only message, then shows it (once: no retry loop). */
  private async fetchBody(message: MessageRef, allowRemoteImages: boolean): Promise<void> {
    const current = () => this.selected !== null && ipc.sameMessage(this.selected, message);
    this.body = { status: 'fetching' };
    try {
      const whole = await this.api.fetchBody(message);
      if (!current()) return;
      if (!whole) {
        this.body = { status: 'gone' };
        return;
      }
      const quoteToggle = { hide: t('message.hideQuote'), show: t('message.showQuote') };
      const view = await this.api.openMessage(message, allowRemoteImages, quoteToggle);
      if (current()) {
        this.view = view;
        this.body = null;
      }
    } catch (thrown) {
      if (current()) this.body = { status: 'failed', error: ipc.asIpcError(thrown).message };
    }
  }

  /** Renders the opened message again with its remote images. */
  async loadRemoteImages(): Promise<void> {
    if (this.selected) await this.open(this.selected, true);
  }

  /** Renders the opened message again (the masks or settings it is rendered with changed). */
  async reopen(): Promise<void> {
    if (this.selected) await this.open(this.selected);
  }

  /** Marks a message unread, or read again (the open one keeps its view, now showing the change). */
  async toggleSeen(row: MessageRow): Promise<void> {
    try {
      await this.api.setSeen(row.message, !row.seen);
      this.replaceRow({ ...row, seen: !row.seen });
      if (this.view && ipc.sameMessage(this.view.row.message, row.message)) this.view.row.seen = !row.seen;
    } catch (thrown) {
      this.error = ipc.asIpcError(thrown);
    }
  }

  /** Replies to, replies to all of, or forwards the opened message in the user's mail program. */
  async compose(kind: ipc.ComposeKind): Promise<void> {
    if (!this.view) return;
    try {
      await this.api.compose(this.view.row.message, kind);
    } catch (thrown) {
      this.error = ipc.asIpcError(thrown);
    }
  }

  /** Marks the opened voicemail heard (\Seen), once it is played; the list and view follow. */
  async markHeard(): Promise<void> {
    const view = this.view;
    if (!view || view.row.seen) return;
    try {
      await this.api.setSeen(view.row.message, true);
      // In place: a new view object would make the player load its audio again mid-play.
      view.row.seen = true;
      this.replaceRow({ ...view.row });
    } catch (thrown) {
      this.error = ipc.asIpcError(thrown);
    }
  }

  /** Selects the next (+1) or previous (-1) message in the list. */
  async step(direction: 1 | -1): Promise<void> {
    if (this.rows.length === 0) return;
    const current = this.selected;
    const index = current ? this.indexOf(current) : -1;
    const next = Math.min(this.rows.length - 1, Math.max(0, index + direction));
    await this.ensure(next, next + 1);
    const row = this.rows[next];
    if (row) await this.open(row.message);
  }

  /** Where `message` is in the list, or -1. */
  indexOf(message: MessageRef): number {
    return this.rows.findIndex((row) => row !== undefined && ipc.sameMessage(row.message, message));
  }

  private async reload(): Promise<void> {
    const account = this.account;
    const mailbox = this.mailbox;
    if (!account || !mailbox) return;
    const generation = ++this.generation;
    this.pending.clear();
    try {
      if (!this.query) this.threadCounts = new Map();
      const page = this.query
        ? await this.api.listMessages(account, mailbox, { query: this.query })
        : await this.listPage(account, mailbox, 0);
      if (generation !== this.generation) return;
      const slots: (MessageRow | undefined)[] = new Array(this.query ? page.rows.length : page.total);
      page.rows.forEach((row, index) => (slots[page.offset + index] = row));
      this.rows = slots;
      this.total = page.total;
      if (!this.query && page.unread !== null) this.unread = page.unread;
    } catch (thrown) {
      this.error = ipc.asIpcError(thrown);
    }
  }

  /** Whether every slot of the page at `offset` is filled (the array has holes: no `every`). */
  private pageIsLoaded(offset: number): boolean {
    for (let index = offset; index < Math.min(offset + PAGE_SIZE, this.rows.length); index++) {
      if (this.rows[index] === undefined) return false;
    }
    return true;
  }

  /**
   * One page of the list from `offset`: messages, or in the threaded list the newest message of
   * each conversation (their counts go to `threadCounts`; the unread count is then not known).
   */
  private async listPage(account: string, mailbox: string, offset: number): Promise<{
    total: number; unread: number | null; offset: number; rows: MessageRow[];
  }> {
    if (!this.threaded) return this.api.listMessages(account, mailbox, { offset, limit: PAGE_SIZE });
    const page = await this.api.listThreads(account, mailbox, offset, PAGE_SIZE);
    const counts = new Map(this.threadCounts);
    for (const row of page.rows) counts.set(rowKey(row.latest.message), row.count);
    this.threadCounts = counts;
    return { total: page.total, unread: null, offset: page.offset, rows: page.rows.map((row) => row.latest) };
  }

  /** Messages in the conversation of a threaded list's row (1 in the flat list). */
  countOf(row: MessageRow): number {
    return this.threaded ? (this.threadCounts.get(rowKey(row.message)) ?? 1) : 1;
  }

  /** Shows conversations instead of messages, or back. */
  async setThreaded(threaded: boolean): Promise<void> {
    if (this.threaded === threaded) return;
    this.threaded = threaded;
    await this.reload();
  }

  /** Stars or unstars a message. */
  async toggleFlagged(row: MessageRow): Promise<void> {
    try {
      await this.api.setFlagged(row.message, !row.flagged);
      this.replaceRow({ ...row, flagged: !row.flagged });
      if (this.view && ipc.sameMessage(this.view.row.message, row.message)) this.view.row.flagged = !row.flagged;
    } catch (thrown) {
      this.error = ipc.asIpcError(thrown);
    }
  }

  /** Deletes the opened message: it leaves the list at once, and the next one opens. */
  async deleteOpened(): Promise<void> {
    const view = this.view;
    if (!view) return;
    const index = this.indexOf(view.row.message);
    // Cleared first: a second Delete while this one is on its way has nothing to delete.
    this.view = null;
    try {
      await this.api.deleteMessage(view.row.message);
    } catch (thrown) {
      if (this.view === null) this.view = view;
      this.error = ipc.asIpcError(thrown);
      return;
    }
    this.selected = null;
    this.conversation = [];
    if (this.threaded || index < 0) {
      await this.reload();
    } else {
      // slice + splice keep the slots of pages not fetched yet (filter would drop them).
      const slots = this.rows.slice();
      slots.splice(index, 1);
      this.rows = slots;
      this.total = Math.max(0, this.total - 1);
      if (!view.row.seen) this.unread = Math.max(0, this.unread - 1);
    }
    const next = this.rows[Math.min(Math.max(index, 0), this.rows.length - 1)];
    if (next) await this.open(next.message);
  }

  private fetchPage(offset: number): Promise<void> {
    const known = this.pending.get(offset);
    if (known) return known;
    const account = this.account!;
    const mailbox = this.mailbox!;
    const generation = this.generation;
    const request = (async () => {
      try {
        const page = await this.listPage(account, mailbox, offset);
        if (generation !== this.generation) return;
        const slots = this.rows.slice();
        page.rows.forEach((row, index) => {
          if (page.offset + index < slots.length) slots[page.offset + index] = row;
        });
        this.rows = slots;
        if (page.unread !== null) this.unread = page.unread;
      } catch (thrown) {
        this.error = ipc.asIpcError(thrown);
      } finally {
        if (generation === this.generation) this.pending.delete(offset);
      }
    })();
    this.pending.set(offset, request);
    return request;
  }

  /** Puts a changed row in its slot and keeps the unread count in step with it. */
  private replaceRow(changed: MessageRow): void {
    const index = this.indexOf(changed.message);
    if (index < 0) return;
    const before = this.rows[index];
    if (before && before.seen !== changed.seen) this.unread += changed.seen ? -1 : 1;
    const slots = this.rows.slice();
    slots[index] = changed;
    this.rows = slots;
  }
}
