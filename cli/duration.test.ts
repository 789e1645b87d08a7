import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration, parseTimeArgument } from './duration.ts';

describe('parseDuration', () => {
  it.each([
    ['90', 90],
    ['90s', 90],
    ['15m', 900],
    ['1h30m', 5400],
    ['2d', 172_800],
    [' 1H ', 3600],
  ])('reads %j as %i seconds', (text, seconds) => {
    expect(parseDuration(text)).toBe(seconds);
  });

  it.each(['', 'soon', '1.5h', '-1m', 'm', '1h 30m'])('rejects %j', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [9_400, '9s'],
    [60_000, '1m'],
    [872_000, '14m 32s'],
    [3_900_000, '1h 5m'],
    [90_000_000, '1d 1h'],
  ])('shows %i ms as %j', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

describe('parseTimeArgument', () => {
  const now = Date.UTC(2026, 10, 24, 12, 0, 0);
  it('reads a duration as that long ago', () => {
    expect(parseTimeArgument('24h', now)?.toISOString()).toBe('2026-11-23T12:00:00.000Z');
  });
  it('reads an RFC 3339 date, and a bare year as a date rather than seconds', () => {
    expect(parseTimeArgument('2026-11-24T08:00:00Z', now)?.toISOString()).toBe(
      '2026-11-24T08:00:00.000Z',
    );
    expect(parseTimeArgument('2025', now)?.toISOString()).toBe('2025-01-01T00:00:00.000Z');
  });
  it('rejects anything else', () => {
    expect(parseTimeArgument('yesterday', now)).toBeUndefined();
  });
});
