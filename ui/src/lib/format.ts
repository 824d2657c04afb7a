// Formatting of dates and senders for the message list and header.
import { dateLocale } from './i18n';

const DAY_MS = 24 * 60 * 60 * 1000;

/** A list date: the time for today, the weekday within a week, else the date, in the UI's locale. */
export function listDate(epochSeconds: number | null, now: Date = new Date(), locale: string = dateLocale()): string {
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

/** A full date and time in the UI's locale (`26 Nov 2026, 10:42`), for one message's own header. */
export function fullDate(epochSeconds: number, locale: string = dateLocale()): string {
  return new Date(epochSeconds * 1000).toLocaleString(locale, { dateStyle: 'medium', timeStyle: 'short' });
}

/** A duration as m:ss (whole seconds, rounded down: 11.24 s is 0:11). */
export function duration(seconds: number): string {
  const whole = Math.max(0, Math.floor(seconds));
  return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, '0')}`;
}
