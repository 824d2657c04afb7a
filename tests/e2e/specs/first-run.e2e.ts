// First start with no account: the demo mailbox is imported and can be read.
import { browser, $, $$, expect } from '@wdio/globals';
import path from 'node:path';

const shots = process.env.E2E_SHOTS ?? path.resolve('../../target/e2e');

/** Waits until WebKit has painted the current DOM, so screenshots show what the user sees. */
async function painted() {
  await browser.executeAsync((done: () => void) => requestAnimationFrame(() => requestAnimationFrame(() => done())));
}

describe('Tidings on first start', () => {
  it('shows the demo mailbox with at least 15 messages and unread dots', async () => {
    await $('#message-list .message-row').waitForDisplayed({ timeout: 30_000 });
    const rows = await $$('#message-list .message-row');
    expect(rows.length).toBeGreaterThanOrEqual(15);
    const unread = await $$('#message-list .message-row.unread');
    expect(unread.length).toBeGreaterThan(0);
    await expect($('#unread-count')).toHaveText(`${unread.length} unread`);
    await painted();
    await browser.saveScreenshot(path.join(shots, 'demo-list.png'));
  });

  it('opens the "IT coffee times" thread and shows its body in a sandboxed frame', async () => {
    const rows = await $$('#message-list .message-row');
    let opened = false;
    for (const row of rows) {
      // textContent, not getText: rows below the fold of the list are not "visible" to WebDriver.
      const subject = String(await row.$('.subject').getProperty('textContent'));
      const preview = String(await row.$('.preview').getProperty('textContent'));
      // The newest message of the patent's thread: the one that quotes the three others.
      if (subject.includes('IT coffee times') && preview.startsWith('Sure')) {
        await row.click();
        opened = true;
        break;
      }
    }
    expect(opened).toBe(true);
    await expect($('#message-subject')).toHaveText(expect.stringContaining('IT coffee times'));
    const frame = await $('#message-body');
    await frame.waitForExist();
    expect(await frame.getAttribute('sandbox')).toBe('');
    await browser.switchFrame(frame);
    const body = await $('body');
    await body.waitForExist();
    const text = await body.getText();
    expect(text).toContain('Sure');
    expect(text).toContain('IT coffee times');
    expect(text).toContain('Starbucks');
    await browser.switchFrame(null);
    await painted();
    await browser.saveScreenshot(path.join(shots, 'it-coffee-times.png'));
  });
});
