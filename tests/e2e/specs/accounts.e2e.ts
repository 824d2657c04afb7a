// Adding a real account in the real window: the dialog's manual settings against the test
// Dovecot that run.sh started (TLS with a CA of its own), the certificate shown by its
// fingerprint and trusted, the dialect shown, the inbox fetched and listed, new mail shown as
// it arrives; then removed.
import { browser, $, $$, expect } from '@wdio/globals';
import dbus from 'dbus-next';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const shots = process.env.E2E_SHOTS ?? path.resolve('../../target/e2e');

interface TestDovecot {
  host: string;
  imapPort: number;
  imapsPort: number;
  user: string;
  password: string;
  fingerprint: string;
}

/** A WAV file of `seconds` of a 440 Hz tone at 8 kHz, as a recorded greeting; returns its path. */
function recording(seconds: number): string {
  const samples = Math.round(8000 * seconds);
  const wav = Buffer.alloc(44 + samples * 2);
  wav.write('RIFF', 0);
  wav.writeUInt32LE(36 + samples * 2, 4);
  wav.write('WAVEfmt ', 8);
  wav.writeUInt32LE(16, 16);
  wav.writeUInt16LE(1, 20);
  wav.writeUInt16LE(1, 22);
  wav.writeUInt32LE(8000, 24);
  wav.writeUInt32LE(16000, 28);
  wav.writeUInt16LE(2, 32);
  wav.writeUInt16LE(16, 34);
  wav.write('data', 36);
  wav.writeUInt32LE(samples * 2, 40);
  for (let n = 0; n < samples; n++) wav.writeInt16LE(Math.round(Math.sin((2 * Math.PI * 440 * n) / 8000) * 8000), 44 + n * 2);
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tidings-greeting-')), `greeting-${seconds}s.wav`);
  fs.writeFileSync(file, wav);
  return file;
}

/**
 * A desktop notification service on the session bus (the one the app uses: run.sh runs under
 * dbus-run-session) that only writes down what it is asked to show.
 */
async function notificationServer(): Promise<{ received: { summary: string; body: string }[]; stop: () => void }> {
  const received: { summary: string; body: string }[] = [];
  class Notifications extends dbus.interface.Interface {
    Notify(_app: string, _replaces: number, _icon: string, summary: string, body: string): number {
      received.push({ summary, body });
      return received.length;
    }
    GetCapabilities(): string[] {
      return ['body'];
    }
    GetServerInformation(): string[] {
      return ['tidings-e2e', 'tidings', '1.0', '1.2'];
    }
  }
  Notifications.configureMembers({
    methods: {
      Notify: { inSignature: 'susssasa{sv}i', outSignature: 'u' },
      GetCapabilities: { inSignature: '', outSignature: 'as' },
      GetServerInformation: { inSignature: '', outSignature: 'ssss' },
    },
  });
  const bus = dbus.sessionBus();
  bus.export('/org/freedesktop/Notifications', new Notifications('org.freedesktop.Notifications'));
  await bus.requestName('org.freedesktop.Notifications', 0);
  return { received, stop: () => bus.disconnect() };
}

function testDovecot(): TestDovecot {
  const file = process.env.E2E_DOVECOT;
  if (!file) throw new Error('E2E_DOVECOT is not set: run the suite with tests/e2e/run.sh');
  return JSON.parse(fs.readFileSync(file, 'utf8')) as TestDovecot;
}

async function painted() {
  await browser.executeAsync((done: () => void) => requestAnimationFrame(() => requestAnimationFrame(() => done())));
}

describe('Adding an account', () => {
  it('connects to the test Dovecot after the user trusts its certificate, and lists its inbox', async () => {
    const server = testDovecot();
    await $('#message-list .message-row').waitForDisplayed({ timeout: 30_000 });
    await $('#add-account').click();
    await $('#add-account-dialog').waitForDisplayed();
    await $('#account-email').setValue('alice@localhost');
    await $('#account-password').setValue(server.password);
    await $('summary=Manual settings').click();
    await $('#account-host').setValue(server.host);
    await $('#account-port').setValue(String(server.imapsPort));
    await $('#account-security').selectByAttribute('value', 'tls');
    await $('#account-username').setValue(server.user);
    await $('#account-connect').click();

    // The test CA is not trusted: the dialog says so and shows the certificate's fingerprint.
    const error = await $('#account-error');
    await error.waitForDisplayed({ timeout: 30_000 });
    expect(await error.getAttribute('data-code')).toBe('untrusted_certificate');
    await expect($('#account-fingerprint')).toHaveText(server.fingerprint);
    await $('#account-trust').click();

    await $('#account-result').waitForDisplayed({ timeout: 30_000 });
    await expect($('#account-dialect')).toHaveText('imap4rev1');
    await browser.waitUntil(async () => (await $('#account-result').getText()).includes('Inbox: 3 new, 3 messages'),
      { timeout: 30_000, timeoutMsg: 'the inbox was not fetched' });
    await painted();
    await browser.saveScreenshot(path.join(shots, 'account-added.png'));
    await $('#account-close').click();

    await browser.waitUntil(async () => {
      const subjects = await browser.execute(() =>
        [...document.querySelectorAll('#message-list .message-row .subject')].map((e) => e.textContent?.trim()));
      return JSON.stringify(subjects) === JSON.stringify(['E2E message 3', 'E2E message 2', 'E2E message 1']);
    }, { timeoutMsg: 'the new account\'s inbox is not listed newest first' });
    await expect($('#unread-count')).toHaveText('3 unread');
    await $$('#message-list .message-row')[0].click();
    await expect($('#message-subject')).toHaveText('E2E message 3');

    // Then every folder is synced behind a progress bar: the folder list has the server's
    // folders, INBOX first with its unread count, and Sent holds what the server has there.
    await expect($('#sync-result')).toHaveText(expect.stringContaining('Synced: 1 new message in 3 folders'), { wait: 30_000 });
    const folders = await browser.execute(() => [...document.querySelectorAll('#folder-list .folder')]
      .map((folder) => [folder.getAttribute('data-role'), folder.querySelector('.name')?.textContent, folder.querySelector('.unread')?.textContent ?? '']));
    // INBOX: 3 messages, one just read; Sent: its one message, which nobody read.
    expect(folders).toEqual([['inbox', 'Inbox', '2'], ['sent', 'Sent', '1'], ['', 'Greetings', '']]);
    await $('#folder-list .folder[data-role="sent"]').click();
    await browser.waitUntil(async () => (await browser.execute(() =>
      document.querySelector('#message-list .message-row .subject')?.textContent?.trim())) === 'E2E sent message',
    { timeoutMsg: 'the Sent folder was not listed' });
    await painted();
    await browser.saveScreenshot(path.join(shots, 'folders.png'));
    await $('#folder-list .folder[data-role="inbox"]').click();
    await browser.waitUntil(async () => (await $$('#message-list .message-row')).length === 3,
      { timeoutMsg: 'back in INBOX, its three messages are not listed' });
    await expect($('#unread-count')).toHaveText('2 unread');
  });

  it('shows new mail as it arrives, without a click (IDLE in the background), and announces it', async () => {
    const input = process.env.E2E_DOVECOT_INPUT;
    if (!input) throw new Error('E2E_DOVECOT_INPUT is not set: run the suite with tests/e2e/run.sh');
    const notifications = await notificationServer();
    try {
      fs.appendFileSync(input, 'seed\n');
      await browser.waitUntil(async () => {
        const first = await browser.execute(() => document.querySelector('#message-list .message-row .subject')?.textContent?.trim());
        return first === 'E2E message 4';
      }, { timeout: 30_000, timeoutMsg: 'the new message did not appear at the top of the list' });
      await expect($('#unread-count')).toHaveText('3 unread');
      await browser.waitUntil(async () => notifications.received.length > 0,
        { timeout: 15_000, timeoutMsg: 'no desktop notification was sent' });
      expect(notifications.received).toEqual([{ summary: 'New mail', body: 'Bob Example: E2E message 4' }]);
    } finally {
      notifications.stop();
    }
  });

  it('removes the account after asking, and the demo mailbox is back', async () => {
    await $('#remove-account').click();
    await expect($('#remove-account-question')).toHaveText(expect.stringContaining('Remove alice@localhost?'));
    await $('#remove-account-yes').click();
    await $('#remove-account').waitForExist({ reverse: true });
    await browser.waitUntil(async () => (await $$('#message-list .message-row')).length >= 8,
      { timeoutMsg: 'the demo mailbox did not come back' });
    expect(await $('#account-select').isExisting()).toBe(false);
  });

  it('sets up a visual voicemail box from the carrier\'s STATUS SMS, and plays its voicemail', async () => {
    const server = testDovecot();
    const input = process.env.E2E_DOVECOT_INPUT;
    if (!input) throw new Error('E2E_DOVECOT_INPUT is not set: run the suite with tests/e2e/run.sh');
    fs.appendFileSync(input, 'voicemail\n');
    await $('#add-account').click();
    await $('#add-account-dialog').waitForDisplayed();
    await $('summary=Visual voicemail (carrier SMS)').click();
    // Not an SMS: the reason is shown and nothing is filled in.
    await $('#account-sms').setValue('Your voicemail PIN is 1234');
    await $('#account-sms-fill').click();
    await expect($('#account-error')).toHaveText(expect.stringMatching(/not a visual voicemail SMS/i));
    await expect($('#account-email')).toHaveValue('');

    const sms = `//VVM:STATUS:st=R;rc=0;srv=1:${server.host};tui=+15550100;ipt=${server.imapPort};` +
      `u=${server.user};pw=${server.password};lang=eng|fra;g_len=45;vs_len=8;pw_len=4-6;pm=Y;gm=Y`;
    await $('#account-sms').setValue(sms);
    await $('#account-sms-fill').click();
    await expect($('#account-sms-filled')).toHaveText(expect.stringContaining('greetings up to 45 s'));
    await expect($('#account-email')).toHaveValue(`${server.user}@${server.host}`);
    await expect($('#account-host')).toHaveValue(server.host);
    await expect($('#account-port')).toHaveValue(String(server.imapPort));
    await expect($('#account-security')).toHaveValue('starttls');
    await $('#account-connect').click();

    await $('#account-error').waitForDisplayed({ timeout: 30_000 });
    await expect($('#account-fingerprint')).toHaveText(server.fingerprint);
    await $('#account-trust').click();
    await $('#account-result').waitForDisplayed({ timeout: 30_000 });
    // Dovecot shows nothing of voicemail: the dialect is the one the SMS declared, and says so.
    await expect($('#account-dialect')).toHaveText('omtp-vvm13');
    await expect($('#account-result')).toHaveText(expect.stringContaining('STATUS SMS (//VVM:)'));
    await painted();
    await browser.saveScreenshot(path.join(shots, 'account-from-sms.png'));
    await $('#account-close').click();

    // The box's voicemail (seeded in Dovecot before the account was added) plays like the demo's.
    await browser.waitUntil(async () => (await $$('#message-list .message-row')).length === 5,
      { timeout: 30_000, timeoutMsg: 'the voicemail box was not listed' });
    let opened = false;
    for (const row of await $$('#message-list .message-row')) {
      if (String(await row.$('.subject').getProperty('textContent')).includes('Voice message')) {
        await row.click();
        opened = true;
        break;
      }
    }
    expect(opened).toBe(true);
    await $('#voicemail').waitForDisplayed();
    await expect($('#voicemail-caller')).toHaveText(expect.stringContaining('555'));
    await expect($('#voicemail-duration')).toHaveText('0:12');
    await $('#voicemail-audio').waitForExist({ timeout: 20_000 });

    // The box itself: its quota, a greeting recorded elsewhere uploaded and made active, a
    // second one replacing it, and a PIN outside the SMS's 4-6 digits refused with the reason.
    await $('#open-voicebox').click();
    await $('#voicebox-dialog').waitForDisplayed();
    await expect($('#voicebox-storage')).toHaveText(expect.stringContaining('of 10240 KiB used'), { wait: 30_000 });
    await expect($('#voicebox-greetings')).toExist();
    expect(await $$('#voicebox-greetings .greeting').length).toBe(0);
    for (const seconds of [2, 3]) {
      await $('#voicebox-file').setValue(recording(seconds));
      await $('#voicebox-upload').click();
      await browser.waitUntil(async () => (await $$('#voicebox-greetings .greeting').length) === (seconds === 2 ? 1 : 2),
        { timeout: 30_000, timeoutMsg: `the ${seconds} s greeting was not listed` });
    }
    const greetings = async () => browser.execute(() => [...document.querySelectorAll('#voicebox-greetings .greeting')]
      .map((row) => [row.querySelector('.kind')?.textContent, row.classList.contains('active'), row.querySelector('.muted')?.textContent]));
    expect(await greetings()).toEqual([['Greeting', false, '0:02'], ['Greeting', true, '0:03']]);
    await $('#voicebox-greetings .greeting .activate').click();
    await browser.waitUntil(async () => JSON.stringify((await greetings()).map((g) => g[1])) === '[true,false]',
      { timeout: 30_000, timeoutMsg: 'the first greeting did not become the active one' });
    await $('#voicebox-greetings .greeting .listen').click();
    await $('#voicebox-audio').waitForExist({ timeout: 20_000 });
    await $('#voicebox-old-pin').setValue('1234');
    await $('#voicebox-new-pin').setValue('12');
    await $('#voicebox-confirm-pin').setValue('12');
    await $('#voicebox-change-pin').click();
    await expect($('#voicebox-error')).toHaveText(expect.stringContaining('4 to 6 digits'));
    await painted();
    await browser.saveScreenshot(path.join(shots, 'voicemail-box.png'));
    await $('#voicebox-close').click();

    await $('#remove-account').click();
    await $('#remove-account-yes').click();
    await $('#remove-account').waitForExist({ reverse: true });
  });
});
