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
    // The list is virtualised: it knows all its rows, the DOM holds those in view.
    const size = Number(await $('#message-list li').getAttribute('aria-setsize'));
    expect(size).toBeGreaterThanOrEqual(15);
    const rows = await $$('#message-list .message-row');
    expect(rows.length).toBeGreaterThanOrEqual(8);
    const unread = await $$('#message-list .message-row.unread');
    expect(unread.length).toBeGreaterThan(0);
    const count = Number(String(await $('#unread-count').getText()).split(' ')[0]);
    expect(count).toBeGreaterThanOrEqual(unread.length);
    await painted();
    await browser.saveScreenshot(path.join(shots, 'demo-list.png'));
  });

  it('finds the "IT coffee times" thread by searching and shows its body in a sandboxed frame', async () => {
    await $('#message-search').setValue('coffee times');
    await expect($('#search-count')).toHaveText('4 matches');
    const rows = await $$('#message-list .message-row');
    expect(rows.length).toBe(4);
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
    expect(await frame.getAttribute('sandbox')).toBe('allow-popups');
    await browser.switchFrame(frame);
    const body = await $('body');
    await body.waitForExist();
    const text = await body.getText();
    expect(text).toContain('Sure');
    expect(text).toContain('IT coffee times');
    expect(text).toContain('Starbucks');

    // The top header and the three quote headers, each in the same uniform block.
    const blocks = await $$('.tidings-header');
    expect(blocks.length).toBe(4);
    const seen: { name: string; email: string; time: string; avatar: string; size: string }[] = [];
    for (const block of blocks) {
      const avatar = await block.$('img.tidings-avatar');
      seen.push({
        name: String(await block.$('.tidings-name').getProperty('textContent')),
        email: String(await block.$('.tidings-email').getProperty('textContent')),
        time: String(await block.$('.tidings-time').getProperty('textContent')),
        avatar: String(await avatar.getAttribute('src')),
        size: `${(await avatar.getSize()).width}x${(await avatar.getSize()).height}`,
      });
    }
    expect(seen.map((b) => `${b.name} <${b.email}> ${b.time}`)).toEqual([
      'Maria Sokolova <maria.s@sample2.com> 15:05:12',
      'Andrew P. <andrew.p793@sample1.com> 14:32',
      'Maria Sokolova <maria.s@sample2.com> 14:10:05',
      'Andrew P. <andrew.p793@sample1.com> 13:01',
    ]);
    expect(new Set(seen.map((b) => b.size)).size).toBe(1);
    expect(seen[0].avatar.startsWith('data:image/png')).toBe(true);
    expect(seen[1].avatar).toBe(seen[3].avatar);
    expect(seen[0].avatar).toBe(seen[2].avatar);
    expect(seen[0].avatar).not.toBe(seen[1].avatar);
    await browser.switchFrame(null);
    await expect($('#quote-summary')).toHaveText('3 quoted messages');
    await painted();
    await browser.saveScreenshot(path.join(shots, 'it-coffee-times.png'));
  });

  it('folds a quote of the open message away and back, by click and by keyboard', async () => {
    await browser.switchFrame(await $('#message-body'));
    const displayedHeaders = async () => {
      let shown = 0;
      for (const block of await $$('.tidings-header')) if (await block.isDisplayed()) shown += 1;
      return shown;
    };
    expect(await displayedHeaders()).toBe(4);
    const outer = await $('details.tidings-quote');
    const toggle = await outer.$('summary');
    expect(await toggle.getText()).toBe('Hide quoted text');
    const folded = (await outer.$$('.tidings-header')).length;
    expect(folded).toBeGreaterThan(0);

    await toggle.click();
    expect(await outer.getAttribute('open')).toBeNull();
    expect(await toggle.getText()).toBe('Show quoted text');
    expect(await displayedHeaders()).toBe(4 - folded);
    expect(await outer.$('blockquote').isDisplayed()).toBe(false);
    await browser.switchFrame(null);
    await painted();
    await browser.saveScreenshot(path.join(shots, 'it-coffee-times-folded.png'));

    await browser.switchFrame(await $('#message-body'));
    await toggle.click();
    expect(await displayedHeaders()).toBe(4);
    // The toggle is a native <summary>: focusable, and Enter folds it with no script in the frame.
    await browser.execute(() => (document.querySelector('details.tidings-quote > summary') as HTMLElement).focus());
    await browser.keys('Enter');
    expect(await outer.getAttribute('open')).toBeNull();
    await browser.keys('Enter');
    expect(await outer.getAttribute('open')).not.toBeNull();
    await browser.switchFrame(null);
  });

  it('opens the Add account dialog with labelled fields and closes it without touching the demo', async () => {
    const before = (await $$('#message-list .message-row')).length;
    await $('#add-account').click();
    const dialog = await $('#add-account-dialog');
    await dialog.waitForDisplayed();
    expect(await dialog.getAttribute('role')).toBe('dialog');
    await expect($('#add-account-title')).toHaveText('Add account');
    const label = async (id: string) =>
      String(await browser.execute((i: string) => (document.getElementById(i) as HTMLInputElement).labels?.[0]?.textContent ?? '', id));
    expect(await label('account-email')).toContain('E-mail');
    expect(await label('account-password')).toContain('Password');
    expect(await $('#account-connect').isEnabled()).toBe(false);
    await $('#account-email').setValue('someone@example.org');
    await $('#account-password').setValue('not sent');
    expect(await $('#account-connect').isEnabled()).toBe(true);
    await painted();
    await browser.saveScreenshot(path.join(shots, 'add-account.png'));
    await $('button=Cancel').click();
    await dialog.waitForExist({ reverse: true });
    expect((await $$('#message-list .message-row')).length).toBe(before);
  });
});
