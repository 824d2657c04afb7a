import { describe, expect, it, vi } from 'vitest';
import { MailboxState, PAGE_SIZE, type MailApi } from './mailbox.svelte';
import type { ListRequest, MessageRow } from '../ipc';
import { setLanguageChoice } from '../i18n';

function row(uid: number, seen: boolean): MessageRow {
  return {
    message: { account: 'demo', mailbox: 'INBOX', uidValidity: 1, uid },
    sender: `Sender ${uid}`, senderEmail: null, subject: `Subject ${uid}`, date: 1_700_000_000 - uid,
    preview: '', seen, flagged: false, attachments: 0, voicemail: null, thread: null,
  };
}

/** A backend over `rows` that pages and searches like the real one. */
function fakeApi(rows: MessageRow[]): MailApi {
  return {
    listAccounts: vi.fn(async () => [{ id: 'demo', displayName: 'Demo', email: 'x@y', isDemo: true, mailboxes: ['INBOX'] }]),
    listMessages: vi.fn(async (_account: string, _mailbox: string, request: ListRequest = {}) => {
      const matching = request.query
        ? rows.filter((r) => request.query!.toLowerCase().split(/\s+/).every((w) => `${r.sender}\n${r.subject}`.toLowerCase().includes(w)))
        : rows;
      const offset = request.query ? 0 : request.offset ?? 0;
      const limit = request.query ? 500 : request.limit ?? 1000;
      return {
        total: matching.length,
        unread: matching.filter((r) => !r.seen).length,
        offset,
        rows: matching.slice(offset, offset + limit),
      };
    }),
    openMessage: vi.fn(async (message) => ({
      row: { ...rows.find((r) => r.message.uid === message.uid)!, seen: true }, to: 'you', bodyDocument: '<p>hi</p>', quotes: [], remoteImages: { blocked: 0, allowed: false }, bodyMissing: false,
    })),
    setSeen: vi.fn(async () => undefined),
    fetchBody: vi.fn(async () => true),
    compose: vi.fn(async () => undefined),
    setFlagged: vi.fn(async () => undefined),
    deleteMessage: vi.fn(async () => undefined),
    // Every message its own conversation, except that uids 1 and 2 share one ("t1").
    listThreads: vi.fn(async (_account: string, _mailbox: string, offset: number, limit: number) => {
      const groups = new Map<string, MessageRow[]>();
      for (const r of rows) {
        const thread = r.message.uid <= 2 ? 't1' : `t${r.message.uid}`;
        groups.set(thread, [...(groups.get(thread) ?? []), r]);
      }
      const all = [...groups.entries()].map(([thread, members]) => ({
        thread, latest: members[0], count: members.length, unread: members.filter((m) => !m.seen).length, participants: [],
      }));
      return { total: all.length, offset, rows: all.slice(offset, offset + limit) };
    }),
    threadMessages: vi.fn(async (_account: string, thread: string) =>
      rows.filter((r) => (r.message.uid <= 2 ? 't1' : `t${r.message.uid}`) === thread).map((r) => ({ ...r, thread }))),
    syncAccount: vi.fn(async (_id: string, mailbox: string) => ({
      mailbox, new: 0, changed: 0, expunged: 0, messages: 0, dialect: 'imap4rev1',
    })),
    removeAccount: vi.fn(async () => undefined),
  };
}

describe('MailboxState', () => {
  it('opens the first mailbox on start and counts unread', async () => {
    const state = new MailboxState(fakeApi([row(1, false), row(2, true)]));
    await state.start();
    expect(state.mailbox).toBe('INBOX');
    expect(state.rows).toHaveLength(2);
    expect(state.unread).toBe(1);
  });

  it('marks an opened message read in the list', async () => {
    const state = new MailboxState(fakeApi([row(1, false)]));
    await state.start();
    await state.open(row(1, false).message);
    expect(state.view?.bodyDocument).toBe('<p>hi</p>');
    expect(state.unread).toBe(0);
  });

  it('marks an opened voicemail heard once, when it is played', async () => {
    const api = fakeApi([row(1, false)]);
    api.openMessage = vi.fn(async (message) => ({
      row: { ...row(message.uid, false), voicemail: 'voice' as const }, to: 'you', bodyDocument: '', quotes: [],
      remoteImages: { blocked: 0, allowed: false }, bodyMissing: false,
    }));
    const state = new MailboxState(api);
    await state.start();
    await state.open(row(1, false).message);
    expect(state.unread).toBe(1);
    await state.markHeard();
    await state.markHeard();
    expect(api.setSeen).toHaveBeenCalledTimes(1);
    expect(api.setSeen).toHaveBeenCalledWith(row(1, false).message, true);
    expect(state.view?.row.seen).toBe(true);
    expect(state.unread).toBe(0);
  });

  it('composes a reply to the opened message only, and shows a failure', async () => {
    const api = fakeApi([row(1, true)]);
    const state = new MailboxState(api);
    await state.start();
    await state.compose('reply');
    expect(api.compose).not.toHaveBeenCalled();
    await state.open(row(1, true).message);
    await state.compose('reply-all');
    expect(api.compose).toHaveBeenCalledWith(row(1, true).message, 'reply-all');
    api.compose = vi.fn(async () => { throw { code: 'browser', message: 'no mail program' }; });
    await state.compose('forward');
    expect(state.error?.message).toBe('no mail program');
  });

  it('opens on INBOX whatever the order of the folders, and syncs a folder when it is shown', async () => {
    const api = fakeApi([row(1, false)]);
    api.listAccounts = vi.fn(async () => [{
      id: 'a', displayName: 'A', email: 'a@x', isDemo: false, mailboxes: ['Archive', 'INBOX'],
      folders: [
        { name: 'INBOX', displayName: 'INBOX', role: 'inbox' as const, selectable: true, unread: 1, total: 1 },
        { name: 'Sent', displayName: 'Sent', role: 'sent' as const, selectable: true, unread: 0, total: 0 },
      ],
    }]);
    const state = new MailboxState(api);
    await state.start();
    expect(state.mailbox).toBe('INBOX');
    await state.showFolder('Sent');
    expect(state.mailbox).toBe('Sent');
    expect(api.syncAccount).toHaveBeenCalledWith('a', 'Sent');
    expect(api.listAccounts).toHaveBeenCalledTimes(2);
  });

  it('lists conversations in the threaded list, and shows the opened one\'s messages', async () => {
    const api = fakeApi([row(1, false), row(2, true), row(3, false)]);
    api.openMessage = vi.fn(async (message) => ({
      row: { ...row(message.uid, true), thread: message.uid <= 2 ? 't1' : `t${message.uid}` }, to: 'you', bodyDocument: '',
      quotes: [], remoteImages: { blocked: 0, allowed: false }, bodyMissing: false,
    }));
    const state = new MailboxState(api);
    await state.start();
    expect(state.total).toBe(3);
    await state.setThreaded(true);
    expect(state.total).toBe(2);
    expect(state.rows.map((r) => [r?.message.uid, state.countOf(r!)])).toEqual([[1, 2], [3, 1]]);
    expect(state.unread).toBe(2);
    await state.open(row(1, false).message);
    expect(state.conversation.map((r) => r.message.uid)).toEqual([1, 2]);
    await state.open(row(3, false).message);
    expect(state.conversation).toEqual([]);
    await state.setThreaded(false);
    expect(state.total).toBe(3);
  });

  it('stars a row and deletes the opened message, opening the next one', async () => {
    const api = fakeApi([row(1, false), row(2, true), row(3, true)]);
    const state = new MailboxState(api);
    await state.start();
    await state.toggleFlagged(state.rows[0]!);
    expect(api.setFlagged).toHaveBeenCalledWith(row(1, false).message, true);
    expect(state.rows[0]?.flagged).toBe(true);
    await state.open(row(1, false).message);
    await state.deleteOpened();
    expect(api.deleteMessage).toHaveBeenCalledWith(row(1, false).message);
    expect(state.rows.map((r) => r?.message.uid)).toEqual([2, 3]);
    expect(state.total).toBe(2);
    expect(state.selected?.uid).toBe(2);
  });

  it('marks the open message unread and read again, in its view, its row and the unread count', async () => {
    const api = fakeApi([row(1, false), row(2, true)]);
    const state = new MailboxState(api);
    await state.start();
    await state.open(row(2, true).message);
    const unread = state.unread;
    await state.toggleSeen(state.view!.row);
    expect(api.setSeen).toHaveBeenLastCalledWith(row(2, true).message, false);
    expect(state.view?.row.seen).toBe(false);
    expect(state.rows[1]?.seen).toBe(false);
    expect(state.unread).toBe(unread + 1);
    await state.toggleSeen(state.view!.row);
    expect(api.setSeen).toHaveBeenLastCalledWith(row(2, true).message, true);
    expect(state.view?.row.seen).toBe(true);
    expect(state.unread).toBe(unread);
  });

  it('fetches the body of a message cached header-only and shows it, or says why not', async () => {
    const api = fakeApi([row(1, false), row(2, true)]);
    let whole = false;
    api.openMessage = vi.fn(async (message) => ({
      row: { ...row(message.uid, true) }, to: 'you', bodyDocument: whole ? '<p>body</p>' : '<p></p>', quotes: [],
      remoteImages: { blocked: 0, allowed: false }, bodyMissing: !whole,
    }));
    api.fetchBody = vi.fn(async () => {
      whole = true;
      return true;
    });
    const state = new MailboxState(api);
    await state.start();
    await state.open(row(1, false).message);
    await vi.waitFor(() => expect(state.view?.bodyMissing).toBe(false));
    expect(api.fetchBody).toHaveBeenCalledTimes(1);
    expect(state.view?.bodyDocument).toBe('<p>body</p>');
    expect(state.body).toBeNull();

    whole = false;
    api.fetchBody = vi.fn(async () => {
      throw { code: 'unreachable', message: 'the server cannot be reached' };
    });
    await state.open(row(2, true).message);
    await vi.waitFor(() => expect(state.body).toEqual({ status: 'failed', error: 'the server cannot be reached' }));
    expect(state.view?.bodyMissing).toBe(true);
    expect(api.fetchBody).toHaveBeenCalledTimes(1);

    api.fetchBody = vi.fn(async () => false);
    await state.open(row(2, true).message);
    await vi.waitFor(() => expect(state.body).toEqual({ status: 'gone' }));
  });

  it('keeps the slots of pages not fetched yet when a message of a large folder is deleted', async () => {
    const rows = Array.from({ length: 1000 }, (_, i) => row(i + 1, true));
    const api = fakeApi(rows);
    const state = new MailboxState(api);
    await state.start();
    expect(state.rows.length).toBe(1000);
    await state.open(rows[0].message);
    const deleting = state.deleteOpened();
    await state.deleteOpened();
    await deleting;
    expect(api.deleteMessage).toHaveBeenCalledTimes(1);
    expect(state.rows.length).toBe(999);
    expect(state.total).toBe(999);
    await state.ensure(900, 910);
    expect(state.rows[905]).toBeDefined();
  });

  it('steps through the list and stops at its ends', async () => {
    const state = new MailboxState(fakeApi([row(1, true), row(2, true)]));
    await state.start();
    await state.step(1);
    expect(state.selected?.uid).toBe(1);
    await state.step(1);
    await state.step(1);
    expect(state.selected?.uid).toBe(2);
    await state.step(-1);
    expect(state.selected?.uid).toBe(1);
  });

  it('shows an error instead of throwing when the backend fails', async () => {
    const api = fakeApi([]);
    api.listAccounts = vi.fn(async () => { throw { code: 'cache', message: 'disk full' }; });
    const state = new MailboxState(api);
    await state.start();
    expect(state.error).toEqual({ code: 'cache', message: 'disk full' });
    expect(state.loading).toBe(false);
  });

  it('shows a newly added account with its inbox', async () => {
    const api = fakeApi([row(1, false)]);
    const state = new MailboxState(api);
    await state.start();
    api.listAccounts = vi.fn(async () => [
      { id: 'demo', displayName: 'Demo', email: 'x@y', isDemo: true, mailboxes: ['INBOX'] },
      { id: 'alice@example.org', displayName: 'alice@example.org', email: 'alice@example.org', isDemo: false, mailboxes: ['INBOX'] },
    ]);
    await state.showAccount('alice@example.org');
    expect(state.accounts).toHaveLength(2);
    expect(state.account).toBe('alice@example.org');
    expect(api.listMessages).toHaveBeenLastCalledWith('alice@example.org', 'INBOX', { offset: 0, limit: PAGE_SIZE });
  });

  it('removes an account and shows the first one left', async () => {
    const api = fakeApi([row(1, false)]);
    const accounts = [
      { id: 'alice@example.org', displayName: 'alice@example.org', email: 'alice@example.org', isDemo: false, mailboxes: ['INBOX'] },
      { id: 'demo', displayName: 'Demo', email: 'x@y', isDemo: true, mailboxes: ['INBOX'] },
    ];
    api.listAccounts = vi.fn(async () => [...accounts]);
    const state = new MailboxState(api);
    await state.start();
    expect(state.account).toBe('alice@example.org');
    accounts.shift();
    await state.removeAccount('alice@example.org');
    expect(api.removeAccount).toHaveBeenCalledWith('alice@example.org');
    expect(state.accounts.map((a) => a.id)).toEqual(['demo']);
    expect(state.account).toBe('demo');
  });

  it('reads the list again after a background sync changed the shown folder, and shows sync trouble', async () => {
    const rows = [row(1, false)];
    const api = fakeApi(rows);
    const state = new MailboxState(api);
    await state.start();
    const calls = () => vi.mocked(api.listMessages).mock.calls.length;
    const before = calls();
    await state.backgroundSynced({ account: 'demo', mailbox: 'INBOX', new: 0, changed: 0, expunged: 0 });
    await state.backgroundSynced({ account: 'other', mailbox: 'INBOX', new: 5, changed: 0, expunged: 0 });
    expect(calls()).toBe(before);
    rows.unshift(row(0, false));
    await state.backgroundSynced({ account: 'demo', mailbox: 'INBOX', new: 1, changed: 0, expunged: 0 });
    expect(calls()).toBe(before + 1);
    expect(state.rows.map((r) => r?.message.uid)).toEqual([0, 1]);
    expect(state.unread).toBe(2);

    state.backgroundProblem({ account: 'demo', message: 'The server could not be reached.', retryInSeconds: 4 });
    expect(state.syncProblem).toBe('Sync failed: The server could not be reached. Trying again in 4 s.');
    state.backgroundProblem({ account: 'demo', message: 'The password was refused.', retryInSeconds: null });
    expect(state.syncProblem).toBe('Sync stopped: The password was refused.');
    // The sentence follows the UI's language; the backend's reason stays as it came.
    setLanguageChoice('fr');
    expect(state.syncProblem).toBe('Synchronisation arrêtée\u202f: The password was refused.');
    setLanguageChoice('system');
    await state.backgroundSynced({ account: 'demo', mailbox: 'INBOX', new: 0, changed: 0, expunged: 0 });
    expect(state.syncProblem).toBeNull();
  });

  it('fetches a 100 000-message mailbox page by page as the view moves', async () => {
    const rows = Array.from({ length: 100_000 }, (_, i) => row(i + 1, i % 2 === 0));
    const api = fakeApi(rows);
    const state = new MailboxState(api);
    await state.start();
    expect(state.rows).toHaveLength(100_000);
    expect(state.total).toBe(100_000);
    expect(state.unread).toBe(50_000);
    expect(state.loaded).toHaveLength(PAGE_SIZE);
    expect(state.rows[PAGE_SIZE]).toBeUndefined();

    await state.ensure(50_010, 50_030);
    expect(state.rows[50_020]?.message.uid).toBe(50_021);
    expect(state.loaded).toHaveLength(2 * PAGE_SIZE);
    // Twice the same range: one call.
    const calls = vi.mocked(api.listMessages).mock.calls.length;
    await Promise.all([state.ensure(50_010, 50_030), state.ensure(50_000, 50_001)]);
    expect(vi.mocked(api.listMessages).mock.calls.length).toBe(calls);
  });

  it('stepping past the loaded rows fetches the next page', async () => {
    const rows = Array.from({ length: PAGE_SIZE + 5 }, (_, i) => row(i + 1, true));
    const state = new MailboxState(fakeApi(rows));
    await state.start();
    await state.open(rows[PAGE_SIZE - 1].message);
    await state.step(1);
    expect(state.selected?.uid).toBe(PAGE_SIZE + 1);
    expect(state.view?.row.message.uid).toBe(PAGE_SIZE + 1);
  });

  it('searches sender and subject, counts the matches and goes back to the whole list', async () => {
    const rows = [row(1, false), row(2, true), row(12, false)];
    const state = new MailboxState(fakeApi(rows));
    await state.start();
    await state.search('subject 1');
    expect(state.query).toBe('subject 1');
    expect(state.rows.map((r) => r?.message.uid)).toEqual([1, 12]);
    expect(state.total).toBe(2);
    expect(state.unread).toBe(2);
    await state.search('Subject 12');
    expect(state.total).toBe(1);
    expect(state.unread, 'the header counts the mailbox, not the matches').toBe(2);
    await state.search('  ');
    expect(state.query).toBe('');
    expect(state.rows).toHaveLength(3);
  });

  it('drops a page that arrives after the list was replaced', async () => {
    const rows = Array.from({ length: 3 * PAGE_SIZE }, (_, i) => row(i + 1, true));
    const api = fakeApi(rows);
    const state = new MailboxState(api);
    await state.start();
    let release: () => void = () => {};
    const slow = api.listMessages;
    api.listMessages = vi.fn(async (...args: Parameters<typeof slow>) => {
      if (args[2]?.offset === 2 * PAGE_SIZE) await new Promise<void>((resolve) => (release = resolve));
      return slow(...args);
    });
    const late = state.ensure(2 * PAGE_SIZE, 2 * PAGE_SIZE + 1);
    await state.search('Sender 7');
    release();
    await late;
    // Only the matches, none of the late page's rows (uids 401–600 that lack a 7).
    expect(state.rows).toHaveLength(state.total);
    expect(state.rows.every((r) => r !== undefined && r.sender.includes('7'))).toBe(true);
  });
});
