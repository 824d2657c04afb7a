// WCAG 2.1 AA contrast (1.4.3) in the real window, in the light and the dark theme: every visible
// piece of text of the main window (list, an opened message, an opened voicemail) and of the
// dialogs (Settings, Masks, Add account with an error shown) is measured against the background
// it is painted on, and must reach 4.5:1 (3:1 for large text: 24 px, or 18.66 px bold).
// Disabled controls are exempt, as WCAG says. The mail body frame is the sender's design and is
// not measured. Every measurement goes to target/e2e/contrast.json.
import { browser, $, $$, expect } from '@wdio/globals';
import fs from 'node:fs';
import path from 'node:path';

const shots = process.env.E2E_SHOTS ?? path.resolve('../../target/e2e');

interface Finding {
  screen: string;
  theme: string;
  text: string;
  ratio: number;
  needed: number;
  color: string;
  background: string;
}

const measured: Finding[] = [];

/** Measures every visible text of the page as it is now. */
async function audit(screen: string, theme: string): Promise<Finding[]> {
  const found = await browser.execute(() => {
    type Rgba = [number, number, number, number];
    const parse = (text: string): Rgba => {
      const parts = text.match(/[\d.]+/g)?.map(Number) ?? [0, 0, 0, 0];
      return [parts[0], parts[1], parts[2], parts.length > 3 ? parts[3] : 1];
    };
    const over = (top: Rgba, below: Rgba): Rgba => {
      const a = top[3] + below[3] * (1 - top[3]);
      if (a === 0) return [0, 0, 0, 0];
      const mix = (i: number) => (top[i] * top[3] + below[i] * below[3] * (1 - top[3])) / a;
      return [mix(0), mix(1), mix(2), a];
    };
    const luminance = ([r, g, b]: Rgba) => {
      const channel = (value: number) => {
        const c = value / 255;
        return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
      };
      return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
    };
    /** The colour painted behind `element`: its own background over its ancestors'. */
    const backdrop = (element: Element): Rgba => {
      const layers: Rgba[] = [];
      for (let node: Element | null = element; node; node = node.parentElement) {
        const colour = parse(getComputedStyle(node).backgroundColor);
        if (colour[3] > 0) layers.push(colour);
        if (colour[3] >= 1) break;
      }
      return layers.reduceRight<Rgba>((below, top) => over(top, below), [255, 255, 255, 1]);
    };
    const results = [];
    for (const element of document.body.querySelectorAll('*')) {
      const own = [...element.childNodes]
        .filter((node) => node.nodeType === Node.TEXT_NODE)
        .map((node) => node.textContent ?? '')
        .join('')
        .trim();
      const control = element instanceof HTMLInputElement && !['checkbox', 'radio', 'file', 'hidden', 'range'].includes(element.type)
        ? element.value.trim()
        : '';
      const text = own || control;
      if (!text) continue;
      const style = getComputedStyle(element);
      const box = element.getBoundingClientRect();
      if (box.width === 0 || box.height === 0 || style.visibility !== 'visible' || Number(style.opacity) === 0) continue;
      if (element.closest(':disabled, [aria-disabled="true"], .visually-hidden')) continue;
      const background = backdrop(element);
      const color = over(parse(style.color), background);
      const [light, dark] = [luminance(color), luminance(background)].sort((a, b) => b - a);
      const ratio = (light + 0.05) / (dark + 0.05);
      const size = parseFloat(style.fontSize);
      const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
      results.push({
        text: text.slice(0, 60),
        ratio: Math.round(ratio * 100) / 100,
        needed: large ? 3 : 4.5,
        color: style.color,
        background: `rgb(${background.slice(0, 3).map(Math.round).join(', ')})`,
      });
    }
    return results;
  });
  const findings = found.map((item) => ({ screen, theme, ...item }));
  measured.push(...findings);
  expect(findings.length).toBeGreaterThan(3);
  return findings.filter((finding) => finding.ratio < finding.needed);
}

async function painted() {
  await browser.executeAsync((done: () => void) => requestAnimationFrame(() => requestAnimationFrame(() => done())));
}

async function setTheme(theme: 'light' | 'dark') {
  await $('#open-settings').click();
  await $('#settings-dialog').waitForDisplayed();
  await $(`#theme-${theme}`).click();
  await browser.waitUntil(async () => (await browser.execute(() => document.documentElement.dataset.theme)) === theme);
  await $('#settings-close').click();
}

/** Searches for `subject` and opens the first row once the list shows it. */
async function open(subject: string) {
  await $('#message-search').setValue(subject);
  await browser.waitUntil(async () => {
    const first = await browser.execute(() => document.querySelector('#message-list .message-row .subject')?.textContent ?? '');
    return first.includes(subject);
  }, { timeoutMsg: `the search did not list ${subject}` });
  await $$('#message-list .message-row')[0].click();
  await browser.waitUntil(async () => (await $('#message-subject').getText()).includes(subject),
    { timeoutMsg: `${subject} did not open` });
  // Back to the whole list (WebKit's driver cannot type an empty string).
  await browser.execute(() => {
    const input = document.getElementById('message-search') as HTMLInputElement;
    input.value = '';
    input.dispatchEvent(new Event('input', { bubbles: true }));
  });
}

describe('Contrast (WCAG AA)', () => {
  for (const theme of ['light', 'dark'] as const) {
    it(`every text reaches AA in the ${theme} theme`, async () => {
      await $('#message-list .message-row').waitForDisplayed({ timeout: 30_000 });
      await setTheme(theme);
      const failures: Finding[] = [];

      await open('IT coffee times');
      await painted();
      failures.push(...(await audit('message', theme)));

      await open('Voice message from +44 20 7946 0321');
      await $('#voicemail').waitForDisplayed();
      await painted();
      failures.push(...(await audit('voicemail', theme)));

      await $('#open-settings').click();
      await $('#settings-dialog').waitForDisplayed();
      failures.push(...(await audit('settings', theme)));
      await $('#settings-close').click();

      await $('#open-masks').click();
      await $('#mask-settings').waitForDisplayed({ timeout: 30_000 });
      await painted();
      failures.push(...(await audit('masks', theme)));
      await browser.keys('Escape');
      await $('#mask-settings').waitForDisplayed({ reverse: true });

      await $('#add-account').click();
      await $('#add-account-dialog').waitForDisplayed();
      await $('summary=Visual voicemail (carrier SMS)').click();
      await $('#account-sms').setValue('not an SMS');
      await $('#account-sms-fill').click();
      await $('#account-error').waitForDisplayed();
      await painted();
      failures.push(...(await audit('add account', theme)));
      await browser.saveScreenshot(path.join(shots, `contrast-${theme}.png`));
      await $('button=Cancel').click();

      fs.writeFileSync(path.join(shots, 'contrast.json'), JSON.stringify(measured, null, 1));
      expect(failures).toEqual([]);
    });
  }
});
