// Settings → Masks in the real window: a mask added in the editor is previewed while typing, a
// mask switched off changes the preview and, once saved, the open thread; reset undoes it.
import { browser, $, $$, expect } from '@wdio/globals';
import path from 'node:path';

const shots = process.env.E2E_SHOTS ?? path.resolve('../../target/e2e');

async function painted() {
  await browser.executeAsync((done: () => void) => requestAnimationFrame(() => requestAnimationFrame(() => done())));
}

/** The uniform header blocks in the body frame, as "name time". */
async function headerBlocks(): Promise<string[]> {
  await browser.switchFrame(await $('#message-body'));
  const blocks = await $$('.tidings-header');
  const seen: string[] = [];
  for (const block of blocks) {
    const name = String(await block.$('.tidings-name').getProperty('textContent'));
    const time = String(await block.$('.tidings-time').getProperty('textContent'));
    seen.push(`${name} ${time}`);
  }
  await browser.switchFrame(null);
  return seen;
}

/** Waits until the element `selector` exists and its text is `expected` (or contains it). */
async function waitForText(selector: string, expected: string, { contains = false } = {}) {
  let last: string | null = null;
  await browser.waitUntil(async () => {
    last = await browser.execute((s: string) => document.querySelector(s)?.textContent ?? null, selector);
    return last !== null && (contains ? last.includes(expected) : last.trim() === expected);
  }, { timeout: 15_000, timeoutMsg: `${selector} shows ${JSON.stringify(last)}, expected ${JSON.stringify(expected)}` });
}

async function waitForBlocks(expected: string[]) {
  let last: string[] = [];
  await browser.waitUntil(async () => {
    last = await headerBlocks();
    return JSON.stringify(last) === JSON.stringify(expected);
  }, { timeout: 15_000, timeoutMsg: `header blocks stayed ${JSON.stringify(last)}, expected ${JSON.stringify(expected)}` });
}

describe('The mask settings panel', () => {
  it('opens the Apple Mail reply of the patent thread with its quote header', async () => {
    await $('#message-list .message-row').waitForDisplayed({ timeout: 30_000 });
    await $('#message-search').setValue('coffee');
    await waitForText('#search-count', '4 matches');
    let opened = false;
    for (const row of await $$('#message-list .message-row')) {
      const preview = String(await row.$('.preview').getProperty('textContent'));
      if (preview.startsWith('I am so game')) {
        await row.click();
        opened = true;
        break;
      }
    }
    expect(opened).toBe(true);
    await waitForBlocks(['Maria Sokolova 14:10:05', 'Andrew P. 13:01']);
  });

  it('previews a new attribution while it is typed, before anything is saved', async () => {
    await $('#open-masks').click();
    const panel = await $('#mask-settings');
    await panel.waitForDisplayed();
    await waitForText('button.language[aria-current="true"] .name', 'English');
    await $('#mask-sample').setValue('Quoth Ann Lee <ann@example.com> on 3 March 2024:');
    await $('#mask-no-match').waitForDisplayed();

    const attributions = await $('fieldset[data-list="attributions"]');
    const before = (await attributions.$$('.row .pattern[aria-label^="Attribution"]')).length;
    await $('input[aria-label="New attribution"]').setValue('Quoth {sender} on {date}:');
    await attributions.$('button=Add').click();
    await expect(attributions.$(`input[aria-label="Attribution ${before + 1}"]`)).toHaveValue('Quoth {sender} on {date}:');
    await waitForText('#mask-preview .match-name', 'Ann Lee');
    await waitForText('#mask-preview .match-email', 'ann@example.com');
    await waitForText('#mask-preview .match-date', '2024-03-03');
    await waitForText('#mask-preview .match-mask', `en/attribution-${before + 1} (reply)`);

    // A typo shows inline, with its line, and cannot be saved.
    const row = attributions.$(`input[aria-label="Attribution ${before + 1}"]`);
    await row.setValue('Quoth {sender on {date}:');
    await waitForText('#mask-problem', 'Line ', { contains: true });
    expect(await $('#mask-save').isEnabled()).toBe(false);
    await row.setValue('Quoth {sender} on {date}:');
    await waitForText('#mask-preview .match-name', 'Ann Lee');
    expect(await $('#mask-save').isEnabled()).toBe(true);
  });

  it('switches off the mask of the open message: the preview, then the thread view change', async () => {
    const picker = await $('#mask-sample-message');
    const values = await picker.$$('option');
    let chosen = '';
    for (const option of values) {
      const value = String(await option.getAttribute('value'));
      const label = String(await option.getProperty('textContent'));
      if (label.startsWith('Re: IT coffee times') && value.endsWith('/2')) chosen = value;
    }
    expect(chosen).not.toBe('');
    await picker.selectByAttribute('value', chosen);
    await waitForText('#mask-preview .match-mask', 'en/attribution-1 (reply)');
    await waitForText('#mask-preview .match-name', 'Andrew P.');

    await $('input[aria-label="Use attribution 1"]').click();
    await $('#mask-no-match').waitForDisplayed();
    await painted();
    await browser.saveScreenshot(path.join(shots, 'mask-settings.png'));
    // Not saved yet: the thread is as it was.
    await waitForBlocks(['Maria Sokolova 14:10:05', 'Andrew P. 13:01']);

    await $('#mask-save').click();
    await waitForText('.status', 'Saved the English masks.');
    await waitForText('button.language[data-language="en"] .badge', 'edited');
    await waitForBlocks(['Maria Sokolova 14:10:05']);

    await $('#mask-reset').click();
    await waitForText('.status', 'Back to the shipped masks.');
    await waitForBlocks(['Maria Sokolova 14:10:05', 'Andrew P. 13:01']);
    await $('#mask-settings-close').click();
    await $('#mask-settings').waitForExist({ reverse: true });
  });
});
