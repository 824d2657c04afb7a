// Formatting of dates and senders for the message list and header.

const DAY_MS = 24 * 60 * 60 * 1000;

/** A list date: the time for today, the weekday within a week, else the date. */
export function listDate(epochSeconds: number | null, now: Date = new Date(), locale?: string): string {
  if (epochSeconds === null) return '';
  const date = new Date(epochSeconds * 1000);
  const startOfToday = new Date(now.getFullYear(), now.getMonth(), now.getDate()).getTime();
  if (date.getTime() >= startOfToday && date.getTime() < startOfToday + DAY_MS) {
    return date.toLocaleTimeString(locale, { hour: '2-digit', minute: '2-digit' });
  }
  if (date.getTime() > startOfToday - 6 * DAY_MS && date.getTime() < startOfToday) {
    return date.toLocaleDateString(locale, { weekday: 'short' });
  }
  const sameYear = date.getFullYear() === now.getFullYear();
  return date.toLocaleDateString(locale, sameYear
    ? { day: 'numeric', month: 'short' }
    : { day: 'numeric', month: 'short', year: 'numeric' });
}

/** The full date and time shown above an opened message. */
export function fullDate(epochSeconds: number | null, locale?: string): string {
  if (epochSeconds === null) return '';
  return new Date(epochSeconds * 1000).toLocaleString(locale, {
    weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit',
  });
}

/** One or two initials for a sender's avatar. */
export function initials(name: string): string {
  const words = name.replace(/[<>"@.]/g, ' ').split(/\s+/).filter(Boolean);
  if (words.length === 0) return '?';
  const letters = words.length === 1 ? [words[0]] : [words[0], words[words.length - 1]];
  return letters.map((word) => Array.from(word)[0]?.toLocaleUpperCase() ?? '').join('');
}

/** A stable hue for a sender, so the same sender always gets the same colour. */
export function senderHue(key: string): number {
  let hash = 2166136261;
  for (const char of key.toLowerCase()) {
    hash ^= char.codePointAt(0) ?? 0;
    hash = Math.imul(hash, 16777619);
  }
  return (hash >>> 0) % 360;
}
