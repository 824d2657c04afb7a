// Links in a mail body: a click never navigates the body frame; the app asks "Open link?" with
// the link's whole target, and Cancel (or Escape) leaves everything as it was; Open in browser
// hands exactly that target to the system (run.sh puts an xdg-open in PATH that only writes down
// what it is given, in $E2E_OPENED). Reply, reply all and forward (buttons, and the r, a and f
// keys) hand a mailto: draft to the mail program the same way.
import { browser, $, $$, expect } from '@wdio/globals';
import fs from 'node:fs';
import path from 'node:path';

const shots = process.env.E2E_SHOTS ?? path.resolve('../../target/e2e');

async function painted() {
  await browser.executeAsync((done: () => void) => requestAnimationFrame(() => requestAnimationFrame(() => done())));
}

/** Opens the demo message whose subject contains `subject`, found by searching it. */
async function openMessage(subject: string) {
  await $('#message-list .message-row').waitForDisplayed({ timeout: 30_000 });
  await $('#message-search').setValue(subject);
  await expect($('#search-count')).toHaveText('1 match');
  // textContent, not getText: WebDriver reads no text from rows it takes for hidden.
  const subjectOf = async (row: WebdriverIO.Element) => String(await row.$('.subject').getProperty('textContent'));
  await browser.waitUntil(async () => {
    for (const row of await $$('#message-list .message-row')) if ((await subjectOf(row)).includes(subject)) return true;
    return false;
  }, { timeoutMsg: `no demo message "${subject}"` });
  for (const row of await $$('#message-list .message-row')) {
    if ((await subjectOf(row)).includes(subject)) {
      await row.click();
      break;
    }
  }
  await expect($('#message-subject')).toHaveText(expect.stringContaining(subject));
}

/** The links handed to the system so far, one per line. */
function opened(): string[] {
  const file = process.env.E2E_OPENED;
  if (!file) throw new Error('E2E_OPENED is not set: run the suite with tests/e2e/run.sh');
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
}

/** Waits until the system was handed one more link than `before`, and returns it. */
async function nextOpened(before: number): Promise<string> {
  await browser.waitUntil(async () => opened().length > before, { timeout: 10_000, timeoutMsg: 'nothing was handed to the system' });
  return opened()[before];
}

/** Clicks the link `text` inside the body frame, like a user, and comes back to the app window. */
async function clickInBody(text: string) {
  const frame = await $('#message-body');
  await browser.switchFrame(frame);
  const link = await $(`a=${text}`);
  await link.waitForExist();
  await link.scrollIntoView({ block: 'center' });
  await link.click();
  await browser.switchFrame(null);
}

/** What the body frame shows: its address and some of its text (a navigation would change both). */
async function bodyFrame() {
  await browser.switchFrame(await $('#message-body'));
  const shown = {
    address: String(await browser.execute(() => location.href)),
    text: String(await $('body').getText()),
  };
  await browser.switchFrame(null);
  return shown;
}

describe('Links in a mail body', () => {
  it('asks "Open link?" with the whole target, its host emphasised, and Cancel leaves the message', async () => {
    await openMessage('November picks');
    expect(await $('#message-body').getAttribute('sandbox')).toBe('allow-popups');
    const before = await bodyFrame();
    expect(before.address).toBe('about:srcdoc');
    expect(before.text).toContain('See the picks');

    await clickInBody('See the picks');
    const dialog = await $('#open-link-dialog');
    await dialog.waitForDisplayed();
    expect(await dialog.getAttribute('role')).toBe('dialog');
    expect(await dialog.getAttribute('aria-modal')).toBe('true');
    await expect($('#open-link-title')).toHaveText('Open link?');
    // Exactly the href of the mail, nothing cut off or rewritten.
    expect(await $('#open-link-target').getText())
      .toBe('https://harbourlanebooks.invalid/picks/november?utm_source=newsletter');
    await expect($('#open-link-target .host')).toHaveText('harbourlanebooks.invalid');
    await expect($('#open-link-open')).toHaveText('Open in browser');
    await expect($('#open-link-copy')).toHaveText('Copy link');
    // The focus moved into the dialog, onto Cancel: Enter right after the click opens nothing.
    expect(await browser.execute(() => document.activeElement?.id)).toBe('open-link-cancel');
    await painted();
    await browser.saveScreenshot(path.join(shots, 'open-link.png'));

    await $('#open-link-cancel').click();
    await dialog.waitForExist({ reverse: true });
    expect(await bodyFrame()).toEqual(before);
  });

  it('closes on Escape, and shows the next link clicked exactly', async () => {
    const before = await bodyFrame();
    await clickInBody('Unsubscribe');
    await $('#open-link-dialog').waitForDisplayed();
    expect(await $('#open-link-target').getText()).toBe('https://harbourlanebooks.invalid/unsubscribe?u=7f3a');
    await browser.keys('Escape');
    await $('#open-link-dialog').waitForExist({ reverse: true });
    expect(await bodyFrame()).toEqual(before);
  });

  it('offers nothing for a hostile mail’s javascript: and restricted-port links, and the frame stays put', async () => {
    await openMessage('Invoice overdue');
    const before = await bodyFrame();
    expect(before.address).toBe('about:srcdoc');
    // The sanitiser dropped the javascript: href; WebKit refuses http://127.0.0.1:9/ itself
    // (port 9 is on its list of restricted ports) before asking the app for a window.
    for (const text of ['Open the invoice', 'sign in to pay']) {
      await clickInBody(text);
      await browser.pause(500);
      expect(await $('#open-link-dialog').isExisting()).toBe(false);
    }
    expect(await bodyFrame()).toEqual(before);
  });

  it('hands the link to the system browser after Open in browser', async () => {
    await openMessage('November picks');
    const before = opened().length;
    await clickInBody('Unsubscribe');
    await $('#open-link-dialog').waitForDisplayed();
    const target = await $('#open-link-target').getText();
    // Open is armed half a second after the dialog appears.
    await browser.pause(700);
    await $('#open-link-open').click();
    expect(await nextOpened(before)).toBe(target);
    await $('#open-link-dialog').waitForExist({ reverse: true });
  });

  it('starts a reply, a reply to all and a forward in the mail program', async () => {
    await openMessage('Spare keys');
    let before = opened().length;
    // Keys act anywhere outside a text field: leave the search box.
    await browser.execute(() => (document.activeElement as HTMLElement | null)?.blur());
    await browser.keys('r');
    const reply = await nextOpened(before);
    expect(reply).toMatch(/^mailto:[^?]+@[^?]+\?subject=Re%3A%20Spare%20keys&/);
    expect(reply).toContain('In-Reply-To=');
    expect(reply).toContain('%3E%20Hi%20Alex');
    before = opened().length;
    await $('#forward').click();
    expect(await nextOpened(before)).toMatch(/^mailto:\?subject=Fwd%3A%20Spare%20keys&body=/);
  });
});
