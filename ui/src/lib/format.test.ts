import { describe, expect, it } from 'vitest';
import { duration, fullDate, listDate } from './format';

describe('listDate', () => {
  const now = new Date(2024, 4, 15, 12, 0, 0);
  const at = (d: Date) => Math.floor(d.getTime() / 1000);

  it('shows the time for today', () => {
    expect(listDate(at(new Date(2024, 4, 15, 9, 5)), now, 'en-GB')).toBe('09:05');
  });
  it('shows the weekday within the last week', () => {
    expect(listDate(at(new Date(2024, 4, 13, 9, 5)), now, 'en-GB')).toBe('Mon');
  });
  it('shows day and month this year, and the year before that', () => {
    expect(listDate(at(new Date(2024, 0, 2)), now, 'en-GB')).toBe('2 Jan');
    expect(listDate(at(new Date(2014, 3, 4)), now, 'en-GB')).toBe('4 Apr 2014');
  });
  it('is empty without a date', () => {
    expect(listDate(null, now)).toBe('');
  });
});

describe('duration', () => {
  it('writes m:ss, rounding down to whole seconds', () => {
    expect(duration(11.24)).toBe('0:11');
    expect(duration(12.16)).toBe('0:12');
    expect(duration(0)).toBe('0:00');
    expect(duration(185.9)).toBe('3:05');
  });
});

describe('fullDate', () => {
  it('writes the day, month, year and time in the given locale', () => {
    const epoch = new Date(2026, 10, 18, 9, 5).getTime() / 1000;
    expect(fullDate(epoch, 'en-GB')).toBe('18 Nov 2026, 09:05');
    expect(fullDate(epoch, 'de-DE')).toBe('18.11.2026, 09:05');
  });
});
