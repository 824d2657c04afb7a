// A voicemail of the demo mailbox (AMR-WB, which the webview cannot play itself) is decoded by
// the app and played from a blob: URL in a real <audio> element.
import { browser, $, $$, expect } from '@wdio/globals';
import fs from 'node:fs';
import path from 'node:path';

const shots = process.env.E2E_SHOTS ?? path.resolve('../../target/e2e');

async function painted() {
  await browser.executeAsync((done: () => void) => requestAnimationFrame(() => requestAnimationFrame(() => done())));
}

describe('Voicemail', () => {
  it('shows the AMR-WB voicemail with its caller, duration and transcription, and loads its audio', async () => {
    await $('#message-list .message-row').waitForDisplayed({ timeout: 30_000 });
    await $('#message-search').setValue('voice message');
    await expect($('#search-count')).toHaveText('2 matches');
    let opened = false;
    for (const row of await $$('#message-list .message-row')) {
      const subject = String(await row.$('.subject').getProperty('textContent'));
      if (subject.includes('Voice message from +44 20 7946 0321')) {
        await row.scrollIntoView();
        await row.click();
        opened = true;
        break;
      }
    }
    expect(opened).toBe(true);
    const panel = await $('#voicemail');
    await panel.waitForDisplayed();
    // The number as people write it (the server sent +442079460321).
    await expect($('#voicemail-caller')).toHaveText('+44 20 7946 0321');
    await expect($('#voicemail-duration')).toHaveText('0:11');
    await expect($('#voicemail-transcription')).toHaveText(expect.stringContaining("Hannah from the garage"));
    // The body stays in its sandboxed frame below the panel.
    expect(await $('#message-body').getAttribute('sandbox')).toBe('allow-popups');

    const audio = await $('#voicemail-audio');
    await audio.waitForExist({ timeout: 20_000 });
    expect(String(await audio.getAttribute('src')).startsWith('blob:')).toBe(true);
    expect(await audio.getAttribute('controls')).not.toBeNull();
    // WebKitGTK reads the WAV header (44.1 kHz output or not): the element knows the real length.
    await browser.waitUntil(
      async () => Number.isFinite(await browser.execute(() => (document.getElementById('voicemail-audio') as HTMLAudioElement).duration)),
      { timeout: 20_000, timeoutMsg: 'the <audio> element never reported a duration' },
    );
    const seconds = await browser.execute(() => (document.getElementById('voicemail-audio') as HTMLAudioElement).duration);
    expect(Math.abs(seconds - 11.24)).toBeLessThan(0.05);
    await painted();
    await browser.saveScreenshot(path.join(shots, 'voicemail.png'));
  });

  it('plays: the position advances, the speed applies, and the voicemail is then shown heard', async () => {
    await expect($('#voicemail-heard')).toHaveText('New');
    const unreadBefore = await $('#unread-count').getText();
    await $('#voicemail-speed').selectByAttribute('value', '1.5');
    await browser.execute(() => { void (document.getElementById('voicemail-audio') as HTMLAudioElement).play(); });
    await browser.waitUntil(
      async () => (await browser.execute(() => (document.getElementById('voicemail-audio') as HTMLAudioElement).currentTime)) > 0.5,
      { timeout: 20_000, timeoutMsg: 'the <audio> element did not advance' },
    );
    expect(await browser.execute(() => (document.getElementById('voicemail-audio') as HTMLAudioElement).playbackRate)).toBe(1.5);
    await browser.execute(() => (document.getElementById('voicemail-audio') as HTMLAudioElement).pause());
    await expect($('#voicemail-heard')).toHaveText('Heard');
    await browser.waitUntil(async () => (await $('#unread-count').getText()) !== unreadBefore,
      { timeoutMsg: 'the unread count did not follow the heard voicemail' });
  });

  it('saves the voicemail as a WAV file in Downloads', async () => {
    await $('#voicemail-save').click();
    const saved = await $('#voicemail-saved');
    await saved.waitForDisplayed({ timeout: 20_000 });
    const file = (await saved.getText()).replace(/^Saved to /, '');
    expect(file.endsWith('.wav')).toBe(true);
    const wav = fs.readFileSync(file);
    expect(wav.subarray(0, 4).toString()).toBe('RIFF');
    expect(wav.readUInt32LE(24)).toBe(16000);
    fs.rmSync(file);
  });

  it('shows a fax page as an image', async () => {
    await $('#message-search').setValue('fax');
    await browser.waitUntil(async () => (await $$('#message-list .message-row')).length === 1,
      { timeout: 10_000, timeoutMsg: 'the search did not find the one fax' });
    await $$('#message-list .message-row')[0].click();
    await expect($('#voicemail-pages')).toHaveText('1 page');
    const page = await $('#fax-page');
    await page.waitForExist({ timeout: 20_000 });
    await browser.waitUntil(async () => (await browser.execute(() => (document.getElementById('fax-page') as HTMLImageElement).naturalWidth)) > 0,
      { timeout: 10_000, timeoutMsg: 'the fax page image did not load' });
    const [width, height] = await browser.execute(() => {
      const img = document.getElementById('fax-page') as HTMLImageElement;
      return [img.naturalWidth, img.naturalHeight];
    });
    // The demo fax is one 400 × 200 CCITT Group 4 page: shown at its own size.
    expect([width, height]).toEqual([400, 200]);
    await painted();
    await browser.saveScreenshot(path.join(shots, 'fax.png'));
  });
});
