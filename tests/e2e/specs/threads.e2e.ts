// Conversations, stars and Delete in the real window, on the demo mailbox: the threaded list
// shows the patent's "IT coffee times" thread as one row of 4, the opened message lists its
// conversation and opens another from it; a star shows in the list; the Delete key takes the
// opened message out of the list and opens the next. (This spec deletes "Invoice overdue": the
// specs after it do not use it.)
import { browser, $, $$, expect } from '@wdio/globals';
import path from 'node:path';

const shots = process.env.E2E_SHOTS ?? path.resolve('../../target/e2e');

async function painted() {
  await browser.executeAsync((done: () => void) => requestAnimationFrame(() => requestAnimationFrame(() => done())));
}

/** [sender, count badge, subject] of every listed row. */
async function listed(): Promise<string[][]> {
  return browser.execute(() => [...document.querySelectorAll('#message-list .message-row')].map((row) => [
    row.querySelector('.sender')?.childNodes[0]?.textContent?.trim() ?? '',
    row.querySelector('.count')?.textContent ?? '',
    row.querySelector('.subject')?.textContent?.replace(/\s+/g, ' ').trim() ?? '',
  ]));
}

/** Scrolls the (virtualised) list to its end, where the 2014 patent thread is, and waits for it. */
async function toTheEnd() {
  await browser.execute(() => {
    const scroller = document.querySelector('#message-list')?.parentElement;
    if (scroller) scroller.scrollTop = scroller.scrollHeight;
  });
  await painted();
}

describe('Conversations, stars and Delete', () => {
  it('shows a conversation as one row and lists its messages when opened', async () => {
    await $('#message-list .message-row').waitForDisplayed({ timeout: 30_000 });
    await toTheEnd();
    const flat = (await listed()).filter((row) => row[2].endsWith('IT coffee times'));
    expect(flat.length).toBe(4);
    await $('#threaded').click();
    await browser.waitUntil(async () => {
      await toTheEnd();
      return (await listed()).filter((row) => row[2].endsWith('IT coffee times')).length === 1;
    }, { timeoutMsg: 'the thread did not become one row' });
    const thread = (await listed()).find((row) => row[2].endsWith('IT coffee times'))!;
    expect(thread[1]).toBe('4');
    await browser.execute(() => {
      const rows = [...document.querySelectorAll<HTMLElement>('#message-list .message-row')];
      rows.find((row) => row.querySelector('.subject')?.textContent?.trim().endsWith('IT coffee times'))?.click();
    });
    await $('#conversation').waitForDisplayed();
    expect(await $$('#conversation li').length).toBe(4);
    await expect($('#conversation button.current')).toExist();
    await painted();
    await browser.saveScreenshot(path.join(shots, 'conversation.png'));
    // The first message of the conversation opens from the bar.
    await $$('#conversation li button')[0].click();
    await expect($('#message-subject')).toHaveText('IT coffee times');
    await $('#threaded').click();
    await browser.waitUntil(async () => {
      await toTheEnd();
      return (await listed()).filter((row) => row[2].endsWith('IT coffee times')).length === 4;
    }, { timeoutMsg: 'the flat list did not come back' });
  });

  it('stars the opened message, and Delete takes it out of the list', async () => {
    await $('#message-search').setValue('Invoice overdue');
    await expect($('#search-count')).toHaveText('1 match');
    await $$('#message-list .message-row')[0].click();
    await expect($('#message-subject')).toHaveText(expect.stringContaining('Invoice overdue'));
    await $('#star').click();
    await expect($('#message-list .message-row .star')).toExist();
    expect(await $('#star').getAttribute('aria-pressed')).toBe('true');

    // Keys act outside text fields: leave the search box, then press Delete.
    await browser.execute(() => (document.activeElement as HTMLElement | null)?.blur());
    await browser.keys('Delete');
    await expect($('#message-list-empty')).toBeDisplayed();
    await browser.execute(() => {
      const input = document.getElementById('message-search') as HTMLInputElement;
      input.value = '';
      input.dispatchEvent(new Event('input', { bubbles: true }));
    });
    await browser.waitUntil(async () => (await listed()).length > 5, { timeoutMsg: 'the list did not come back' });
    expect((await listed()).some((row) => row[2].includes('Invoice overdue'))).toBe(false);
  });
});
