// The tray icon with the unread count, read the way a desktop panel reads it: this spec is the
// panel. It owns org.kde.StatusNotifierWatcher on the session bus (run.sh runs everything under
// one dbus-run-session), the app's StatusNotifierItem registers with it, and the spec reads the
// item's label and its menu over D-Bus, as GNOME Shell's AppIndicator extension or KDE's panel do.
import { browser, $, $$, expect } from '@wdio/globals';
import dbus from 'dbus-next';

const WATCHER = 'org.kde.StatusNotifierWatcher';
const ITEM = 'org.kde.StatusNotifierItem';

interface Registered {
  /** The item's unique bus name. */
  sender: string;
  /** Its object path (libayatana-appindicator registers with a path, the sender is the name). */
  path: string;
}

/** A StatusNotifierWatcher that writes down who registers. */
async function panel(): Promise<{ bus: dbus.MessageBus; items: Registered[] }> {
  const bus = dbus.sessionBus();
  const items: Registered[] = [];
  const reply = (message: dbus.Message, signature = '', body: unknown[] = []) =>
    bus.send(dbus.Message.newMethodReturn(message, signature, body));
  bus.addMethodHandler((message: dbus.Message) => {
    if (message.path !== '/StatusNotifierWatcher') return false;
    if (message.interface === WATCHER && message.member === 'RegisterStatusNotifierItem') {
      const service = String(message.body[0]);
      items.push(service.startsWith('/') ? { sender: message.sender!, path: service } : { sender: service, path: '/StatusNotifierItem' });
      reply(message);
      return true;
    }
    if (message.interface === WATCHER && message.member === 'RegisterStatusNotifierHost') {
      reply(message);
      return true;
    }
    if (message.interface === 'org.freedesktop.DBus.Properties' && message.member === 'Get') {
      const values: Record<string, dbus.Variant> = {
        IsStatusNotifierHostRegistered: new dbus.Variant('b', true),
        ProtocolVersion: new dbus.Variant('i', 0),
        RegisteredStatusNotifierItems: new dbus.Variant('as', items.map((item) => `${item.sender}${item.path}`)),
      };
      const value = values[String(message.body[1])];
      if (!value) return false;
      reply(message, 'v', [value]);
      return true;
    }
    return false;
  });
  await bus.requestName(WATCHER, 0);
  return { bus, items };
}

async function itemProperty(bus: dbus.MessageBus, item: Registered, name: string): Promise<unknown> {
  const answer = await bus.call(new dbus.Message({
    destination: item.sender, path: item.path, interface: 'org.freedesktop.DBus.Properties',
    member: 'Get', signature: 'ss', body: [ITEM, name],
  }));
  return (answer!.body[0] as dbus.Variant).value;
}

/** The labels of the item's menu (com.canonical.dbusmenu), top level, in order. */
async function menuLabels(bus: dbus.MessageBus, item: Registered): Promise<string[]> {
  const path = String(await itemProperty(bus, item, 'Menu'));
  const answer = await bus.call(new dbus.Message({
    destination: item.sender, path, interface: 'com.canonical.dbusmenu',
    member: 'GetLayout', signature: 'iias', body: [0, 1, ['label', 'visible']],
  }));
  // (revision, (id, properties, children)); each child is a variant of the same shape.
  const [, [, , children]] = answer!.body as [number, [number, Record<string, dbus.Variant>, dbus.Variant[]]];
  return children
    .map((child) => (child.value as [number, Record<string, dbus.Variant>])[1])
    .filter((properties) => properties.visible?.value !== false && properties.label)
    .map((properties) => String(properties.label.value).replace(/_/g, ''));
}

describe('The tray icon', () => {
  let tray: Awaited<ReturnType<typeof panel>>;
  before(async () => {
    tray = await panel();
  });
  after(() => tray.bus.disconnect());

  it('registers with the panel and shows the unread count beside the icon', async () => {
    await $('#message-list .message-row').waitForDisplayed({ timeout: 30_000 });
    await browser.waitUntil(async () => tray.items.length > 0,
      { timeout: 20_000, timeoutMsg: 'no StatusNotifierItem registered with the panel' });
    const item = tray.items[0];
    expect(await itemProperty(tray.bus, item, 'Status')).toBe('Active');
    const unread = Number(String(await $('#unread-count').getText()).split(' ')[0]);
    expect(unread).toBeGreaterThan(0);
    await browser.waitUntil(async () => (await itemProperty(tray.bus, item, 'XAyatanaLabel')) === String(unread),
      { timeout: 10_000, timeoutMsg: `the tray label is not the ${unread} unread messages` });
    expect(await menuLabels(tray.bus, item)).toEqual(['Show Tidings', 'Quit']);
  });

  it('counts a letter the user marks unread, and not once it is read again', async () => {
    const item = tray.items[0];
    const label = async () => Number(await itemProperty(tray.bus, item, 'XAyatanaLabel') || 0);
    // A letter, not a voicemail: a voicemail is marked heard when it is played, not opened.
    let letter;
    for (const row of await $$('#message-list .message-row')) {
      if ((await row.$$('.tag')).length === 0) {
        letter = row;
        break;
      }
    }
    expect(letter).toBeDefined();
    await letter!.click();
    await expect($('#seen-toggle')).toHaveText('Mark unread');
    // Opening it may have marked it read: let that count reach the panel first.
    await browser.pause(500);
    const read = await label();
    await $('#seen-toggle').click();
    await browser.waitUntil(async () => (await label()) === read + 1,
      { timeout: 10_000, timeoutMsg: `the tray label did not go from ${read} to ${read + 1}` });
    await expect($('#seen-toggle')).toHaveText('Mark read');
    // The u key (focus is still on the button, outside the body frame) marks it read again.
    await browser.keys('u');
    await browser.waitUntil(async () => (await label()) === read,
      { timeout: 10_000, timeoutMsg: `the tray label did not go back to ${read}` });
    await expect($('#seen-toggle')).toHaveText('Mark unread');
  });

  it('speaks the language chosen in Settings in its menu', async () => {
    const item = tray.items[0];
    await $('#open-settings').click();
    await $('#settings-language').selectByAttribute('value', 'de');
    await browser.waitUntil(async () => (await menuLabels(tray.bus, item)).join('|') === 'Tidings anzeigen|Beenden',
      { timeout: 10_000, timeoutMsg: 'the tray menu stayed English after German was chosen' });
    await $('#settings-language').selectByAttribute('value', 'system');
    await browser.waitUntil(async () => (await menuLabels(tray.bus, item)).join('|') === 'Show Tidings|Quit',
      { timeout: 10_000, timeoutMsg: 'the tray menu stayed German after the system language came back' });
    await $('#settings-close').click();
  });
});
