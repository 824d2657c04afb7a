// The window comes back the size the user left it: resized, closed, started again.
import { browser, $, expect } from '@wdio/globals';

describe('Window state', () => {
  it('restores the size the window had when the app was closed', async () => {
    await $('#message-list .message-row').waitForDisplayed({ timeout: 30_000 });
    const before = await browser.getWindowSize();
    const wanted = { width: before.width - 140, height: before.height - 90 };
    await browser.setWindowSize(wanted.width, wanted.height);
    await browser.waitUntil(async () => (await browser.getWindowSize()).width === wanted.width,
      { timeoutMsg: 'the window was not resized' });
    // The state is saved once the resizing settles (400 ms); ending the session kills the app
    // (no clean exit), and a new session starts it again.
    await browser.pause(1500);
    await browser.reloadSession();
    await $('#message-list .message-row').waitForDisplayed({ timeout: 30_000 });
    expect(await browser.getWindowSize()).toEqual(wanted);

    // Back to the first size for the suites after this one, which share the config folder.
    await browser.setWindowSize(before.width, before.height);
    await browser.pause(1500);
    await browser.reloadSession();
    await $('#message-list .message-row').waitForDisplayed({ timeout: 30_000 });
    expect(await browser.getWindowSize()).toEqual(before);
  });
});
