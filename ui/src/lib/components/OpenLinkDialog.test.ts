import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen } from '@testing-library/svelte';
import OpenLinkDialog from './OpenLinkDialog.svelte';
import { LinkPrompt } from '../state/linkPrompt.svelte';
import type { LinkRequested } from '../ipc';

afterEach(cleanup);

const EVIL = 'https://paypa1.com.evil.example/account/verify?session=0123456789abcdef';

/** A prompt fed by a fake event source, with fake openLink and clipboard. */
async function prompt(openLink = vi.fn(async (_url: string) => {}), copy = vi.fn(async (_text: string) => {})) {
  let emit: (event: LinkRequested) => void = () => {};
  const state = new LinkPrompt({
    onLinkRequested: vi.fn(async (handler) => { emit = handler; return () => {}; }),
    openLink,
  }, copy);
  await state.start();
  return { state, emit: (url: string) => emit({ url }), openLink, copy };
}

function show(state: LinkPrompt) {
  return render(OpenLinkDialog, { props: { prompt: state, url: state.url! } });
}

describe('OpenLinkDialog', () => {
  it('is a labelled modal dialog showing the whole target with its host emphasised, focus on Cancel', async () => {
    const { state, emit } = await prompt();
    emit(EVIL);
    show(state);
    const dialog = screen.getByRole('dialog', { name: 'Open link?' });
    expect(dialog.getAttribute('aria-modal')).toBe('true');
    const target = document.getElementById('open-link-target')!;
    expect(target.textContent).toBe(EVIL);
    expect(dialog.getAttribute('aria-describedby')).toBe('open-link-target');
    expect(target.querySelector('strong')!.textContent).toBe('paypa1.com.evil.example');
    expect(screen.getByText('The site is paypa1.com.evil.example.')).toBeTruthy();
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Cancel' }));
  });

  it('opens through openLink and closes; a refusal stays on screen with its reason', async () => {
    const openLink = vi.fn(async (url: string) => {
      if (url.includes('@')) throw { code: 'link_refused', message: 'The link carries a user name or password.' };
    });
    const { state, emit } = await prompt(openLink);
    emit('https://example.com/a');
    show(state);
    const open = screen.getByRole('button', { name: 'Open in browser' }) as HTMLButtonElement;
    // Not armed at once: a double-click on the link in the body cannot land on Open.
    await fireEvent.click(open);
    expect(openLink).not.toHaveBeenCalled();
    await vi.waitFor(() => expect(open.disabled).toBe(false), { timeout: 2_000 });
    await fireEvent.click(open);
    expect(openLink).toHaveBeenCalledWith('https://example.com/a');
    expect(state.url).toBeNull();
    cleanup();

    emit('https://paypal.com@evil.example/');
    show(state);
    expect(document.querySelector('.userinfo')!.textContent).toBe('paypal.com@');
    const openAgain = screen.getByRole('button', { name: 'Open in browser' }) as HTMLButtonElement;
    await vi.waitFor(() => expect(openAgain.disabled).toBe(false), { timeout: 2_000 });
    await fireEvent.click(openAgain);
    await vi.waitFor(() => expect(screen.getByRole('alert').textContent).toContain('user name or password'));
    expect(state.url).toBe('https://paypal.com@evil.example/');
  });

  it('copies the exact link and says so; Escape and Cancel close without opening', async () => {
    const { state, emit, openLink, copy } = await prompt();
    emit('mailto:someone@example.org?subject=Hi');
    show(state);
    expect(screen.getByText('A new message to someone@example.org.')).toBeTruthy();
    await fireEvent.click(screen.getByRole('button', { name: 'Copy link' }));
    expect(copy).toHaveBeenCalledWith('mailto:someone@example.org?subject=Hi');
    await vi.waitFor(() => expect(screen.getByRole('status').textContent).toBe('Link copied.'));
    await fireEvent.keyDown(screen.getByRole('dialog'), { key: 'Escape' });
    expect(state.url).toBeNull();
    cleanup();

    emit('https://example.com/');
    show(state);
    await fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(state.url).toBeNull();
    expect(openLink).not.toHaveBeenCalled();
  });

  it('keeps the focus inside while Tab moves between its buttons', async () => {
    const { state, emit } = await prompt();
    emit('https://example.com/');
    show(state);
    const dialog = screen.getByRole('dialog');
    // Before Open is armed, Tab skips it.
    await fireEvent.keyDown(dialog, { key: 'Tab' });
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Copy link' }));
    await fireEvent.keyDown(dialog, { key: 'Tab', shiftKey: true });
    const open = screen.getByRole('button', { name: 'Open in browser' }) as HTMLButtonElement;
    await vi.waitFor(() => expect(open.disabled).toBe(false), { timeout: 2_000 });
    await fireEvent.keyDown(dialog, { key: 'Tab' });
    expect(document.activeElement).toBe(open);
    await fireEvent.keyDown(dialog, { key: 'Tab', shiftKey: true });
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Cancel' }));
  });
});
