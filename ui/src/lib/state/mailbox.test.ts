import { describe, expect, it, vi } from 'vitest';
import { MailboxState, type MailApi } from './mailbox.svelte';
import type { MessageRow } from '../ipc';

function row(uid: number, seen: boolean): MessageRow {
  return {
    message: { account: 'demo', mailbox: 'INBOX', uidValidity: 1, uid },
    sender: `Sender ${uid}`, senderEmail: null, subject: `Subject ${uid}`, date: 1_700_000_000 - uid,
    preview: '', seen, attachments: 0, voicemail: null,
  };
}

function fakeApi(rows: MessageRow[]): MailApi {
  return {
    listAccounts: vi.fn(async () => [{ id: 'demo', displayName: 'Demo', email: 'x@y', isDemo: true, mailboxes: ['INBOX'] }]),
    listMessages: vi.fn(async () => rows),
    openMessage: vi.fn(async (message) => ({
      row: { ...rows.find((r) => r.message.uid === message.uid)!, seen: true }, to: 'you', bodyDocument: '<p>hi</p>', quotes: [],
    })),
    setSeen: vi.fn(async () => undefined),
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
    expect(api.listMessages).toHaveBeenLastCalledWith('alice@example.org', 'INBOX');
  });
});
