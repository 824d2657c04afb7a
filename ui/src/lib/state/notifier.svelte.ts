// Desktop notifications for new mail and voicemail: when a background sync brought new
// messages, the newest unread one is announced (sender and subject; "New voicemail" when it is
// one), in the UI's language, unless the user turned notifications off in Settings.
import * as ipc from '../ipc';
import { t } from '../i18n';
import type { MailboxSynced, MessageRow } from '../ipc';

/** What the notifier needs; tests pass fakes. */
export interface NotifierApi {
  listMessages: typeof ipc.listMessages;
  /** Shows one desktop notification. */
  notify: (notification: { title: string; body: string }) => Promise<void> | void;
}

/** The notification for `rows` (newest first), or null when none is unread. */
export function notificationFor(rows: MessageRow[]): { title: string; body: string } | null {
  const newest = rows.find((row) => !row.seen);
  if (!newest) return null;
  const title = newest.voicemail ? t('notify.voicemail') : t('notify.mail');
  const subject = newest.subject || t('common.noSubject');
  return { title, body: markupFree(`${newest.sender}: ${subject}`) };
}

/** Desktop notification servers read the body as markup: a sender's `<` or `&` is escaped. */
function markupFree(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export class Notifier {
  constructor(
    private readonly api: NotifierApi,
    /** Whether the user wants notifications now. */
    private readonly enabled: () => boolean,
  ) {}

  /** A background sync ended: announce its newest unread message, if it brought any. */
  async synced(event: MailboxSynced): Promise<void> {
    if (event.new === 0 || !this.enabled()) return;
    try {
      const page = await this.api.listMessages(event.account, event.mailbox, { offset: 0, limit: Math.min(event.new, 50) });
      const notification = notificationFor(page.rows);
      if (notification) await this.api.notify(notification);
    } catch {
      // No notification service (or the list failed): the mail is in the list all the same.
    }
  }
}
