import { describe, expect, it, vi } from 'vitest';
import { Notifier, type NotifierApi } from './notifier.svelte';
import type { MessageRow } from '../ipc';

function row(uid: number, seen: boolean, voicemail: MessageRow['voicemail'] = null): MessageRow {
  return {
    message: { account: 'a', mailbox: 'INBOX', uidValidity: 1, uid },
    sender: `Sender ${uid}`, senderEmail: null, subject: `Subject ${uid}`, date: 1_700_000_000 + uid,
    preview: '', seen, flagged: false, attachments: 0, voicemail, thread: null,
  };
}

function api(rows: MessageRow[]): NotifierApi {
  return {
    listMessages: vi.fn(async () => ({ total: rows.length, unread: 0, offset: 0, rows })),
    notify: vi.fn(),
  };
}

const synced = (added: number) => ({ account: 'a', mailbox: 'INBOX', new: added, changed: 0, expunged: 0 });

describe('Notifier', () => {
  it('announces the newest unread message, as voicemail when it is one', async () => {
    const fake = api([row(3, true), row(2, false, 'voice'), row(1, false)]);
    await new Notifier(fake, () => true).synced(synced(3));
    expect(fake.listMessages).toHaveBeenCalledWith('a', 'INBOX', { offset: 0, limit: 3 });
    expect(fake.notify).toHaveBeenCalledWith({ title: 'New voicemail', body: 'Sender 2: Subject 2' });
  });

  it('says nothing without new mail, when switched off, or when everything new was read', async () => {
    const fake = api([row(1, false)]);
    await new Notifier(fake, () => true).synced(synced(0));
    await new Notifier(fake, () => false).synced(synced(1));
    expect(fake.listMessages).not.toHaveBeenCalled();
    const read = api([row(1, true)]);
    await new Notifier(read, () => true).synced(synced(1));
    expect(read.notify).not.toHaveBeenCalled();
  });

  it('escapes what a notification server would read as markup', async () => {
    const hostile = { ...row(1, false), sender: 'Eve <eve@x>', subject: '<img src=http://x/> & more' };
    const fake = api([hostile]);
    await new Notifier(fake, () => true).synced(synced(1));
    expect(fake.notify).toHaveBeenCalledWith({
      title: 'New mail', body: 'Eve &lt;eve@x&gt;: &lt;img src=http://x/&gt; &amp; more',
    });
  });

  it('does not throw when there is no notification service', async () => {
    const fake = api([row(1, false)]);
    fake.notify = vi.fn(async () => { throw new Error('org.freedesktop.Notifications was not provided'); });
    await expect(new Notifier(fake, () => true).synced(synced(1))).resolves.toBeUndefined();
  });
});
