// Adding a real account in the real window: the dialog's manual settings against the test
// Dovecot that run.sh started (TLS with a CA of its own), the certificate shown by its
// fingerprint and trusted, the dialect shown, the inbox fetched and listed, new mail shown as
// it arrives; then removed.
import { browser, $, $$, expect } from '@wdio/globals';
import fs from 'node:fs';
import path from 'node:path';

const shots = process.env.E2E_SHOTS ?? path.resolve('../../target/e2e');

interface TestDovecot {
  host: string;
  imapsPort: number;
  user: string;
  password: string;
  fingerprint: string;
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
  });

  it('shows new mail as it arrives, without a click (IDLE in the background)', async () => {
    const input = process.env.E2E_DOVECOT_INPUT;
    if (!input) throw new Error('E2E_DOVECOT_INPUT is not set: run the suite with tests/e2e/run.sh');
    fs.appendFileSync(input, 'seed\n');
    await browser.waitUntil(async () => {
      const first = await browser.execute(() => document.querySelector('#message-list .message-row .subject')?.textContent?.trim());
      return first === 'E2E message 4';
    }, { timeout: 30_000, timeoutMsg: 'the new message did not appear at the top of the list' });
    await expect($('#unread-count')).toHaveText('3 unread');
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
});
