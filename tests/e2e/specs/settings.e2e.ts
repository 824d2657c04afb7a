// Settings in the real window: the theme switches between light and dark, the header blocks
// follow the chosen date format and clock, remote images wait for the user, and the UI speaks
// the chosen language.
import { browser, $, $$, expect } from '@wdio/globals';
import path from 'node:path';

const shots = process.env.E2E_SHOTS ?? path.resolve('../../target/e2e');

async function painted() {
  await browser.executeAsync((done: () => void) => requestAnimationFrame(() => requestAnimationFrame(() => done())));
}

const background = () => browser.execute(() => getComputedStyle(document.body).backgroundColor);

/** Searches, waits for `matches` ("4 matches"), then opens the row whose preview starts with `preview`. */
async function openMessage(query: string, matches: string, preview: string) {
  await $('#message-search').setValue(query);
  await browser.waitUntil(async () => (await browser.execute(() => document.getElementById('search-count')?.textContent?.trim())) === matches,
    { timeoutMsg: `the search for ${query} did not find ${matches}` });
  // The list re-renders while the search runs, so the row is looked up in the page each time.
  let uid: string | null = null;
  await browser.waitUntil(async () => {
    uid = await browser.execute((start: string) => {
      const rows = [...document.querySelectorAll<HTMLElement>('#message-list .message-row')];
      const row = rows.find((candidate) => candidate.querySelector('.preview')?.textContent?.startsWith(start));
      return row?.dataset.uid ?? null;
    }, preview);
    return uid !== null;
  }, { timeoutMsg: `no row for ${query} / ${preview}` });
  await $(`#message-list .message-row[data-uid="${uid}"]`).click();
}

/** The times and dates of the header blocks in the body frame. */
async function blockDates(): Promise<string[]> {
  await browser.switchFrame(await $('#message-body'));
  const seen: string[] = [];
  for (const block of await $$('.tidings-header')) {
    seen.push(`${await block.$('.tidings-date').getProperty('textContent')} ${await block.$('.tidings-time').getProperty('textContent')}`);
  }
  await browser.switchFrame(null);
  return seen;
}

describe('Settings', () => {
  it('switches to dark and back to light', async () => {
    await $('#message-list .message-row').waitForDisplayed({ timeout: 30_000 });
    await $('#open-settings').click();
    await $('#settings-dialog').waitForDisplayed();
    await $('#theme-dark').click();
    await browser.waitUntil(async () => (await background()) === 'rgb(21, 25, 30)', { timeoutMsg: 'not dark' });
    expect(await browser.execute(() => document.documentElement.dataset.theme)).toBe('dark');
    await painted();
    await browser.saveScreenshot(path.join(shots, 'settings-dark.png'));
    await $('#theme-light').click();
    await browser.waitUntil(async () => (await background()) === 'rgb(255, 255, 255)', { timeoutMsg: 'not light' });
    await $('#theme-system').click();
    await $('#settings-close').click();
  });

  it('shows header-block dates and times in the chosen format', async () => {
    await openMessage('coffee', '4 matches', 'I am so game');
    await browser.waitUntil(async () => (await blockDates()).join('|') === '2014-04-04 14:10:05|2014-04-04 13:01',
      { timeoutMsg: 'the blocks did not show ISO dates first' });
    await $('#open-settings').click();
    await $('#settings-date-format').selectByAttribute('value', '%d.%m.%Y');
    await $('#clock-12').click();
    let last: string[] = [];
    await browser.waitUntil(async () => {
      last = await blockDates();
      return last.length === 2 && last[1].startsWith('04.04.2014') && /1:01\s*PM/i.test(last[1]);
    }, { timeoutMsg: `header blocks stayed ${JSON.stringify(last)}` });
    // Back to the defaults for the specs that follow.
    await $('#settings-date-format').selectByAttribute('value', '%Y-%m-%d');
    await $('#clock-24').click();
    await browser.waitUntil(async () => (await blockDates()).join('|') === '2014-04-04 14:10:05|2014-04-04 13:01');
    await $('#settings-close').click();
  });

  it('keeps remote images out until the user loads them', async () => {
    await openMessage('november picks', '1 match', '');
    const bar = await $('#remote-images-bar');
    await bar.waitForDisplayed();
    await expect(bar).toHaveText(expect.stringContaining('2 remote images were not loaded'));
    await expect($('#allow-remote-sender')).toHaveText('Always from news@harbourlanebooks.invalid');
    const sources = async () => {
      await browser.switchFrame(await $('#message-body'));
      const found: string[] = [];
      for (const image of await $$('img')) found.push(String(await image.getAttribute('src')));
      await browser.switchFrame(null);
      return found.filter((src) => src.startsWith('http'));
    };
    expect(await sources()).toEqual([]);
    await painted();
    await browser.saveScreenshot(path.join(shots, 'remote-images-bar.png'));
    await $('#load-remote-images').click();
    await bar.waitForExist({ reverse: true });
    expect((await sources()).sort()).toEqual([
      'https://cdn.harbourlanebooks.invalid/img/logo-2x.png',
      'https://track.harbourlanebooks.invalid/open/7f3a.gif',
    ]);
    await $('#message-search').clearValue();
  });

  it('speaks German when chosen and follows the system again', async () => {
    const text = (id: string) => browser.execute((which: string) => document.getElementById(which)?.textContent?.trim(), id);
    // run.sh gives the app the C locale (navigator.languages is ["C"]): following the system is English.
    expect(await browser.execute(() => document.documentElement.lang)).toBe('en');
    expect(await text('open-settings')).toBe('Settings');
    await $('#open-settings').click();
    await $('#settings-language').selectByAttribute('value', 'de');
    await browser.waitUntil(async () => (await text('open-settings')) === 'Einstellungen', { timeoutMsg: 'the header stayed English' });
    expect(await text('unread-count')).toMatch(/^\d+ ungelesen$/);
    expect(await text('settings-title')).toBe('Einstellungen');
    expect(await browser.execute(() => document.documentElement.lang)).toBe('de');
    await painted();
    await browser.saveScreenshot(path.join(shots, 'settings-german.png'));
    await $('#settings-language').selectByAttribute('value', 'system');
    await browser.waitUntil(async () => (await text('open-settings')) === 'Settings', { timeoutMsg: 'the header stayed German' });
    expect(await text('unread-count')).toMatch(/^\d+ unread$/);
    expect(await browser.execute(() => localStorage.getItem('tidings.language'))).toBeNull();
    await $('#settings-close').click();
  });
});
