// Durations on the command line: `90s`, `15m`, `1h30m`, `2d`, or bare seconds.

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** Seconds in `text`, or undefined when it is not a duration. */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim().toLowerCase();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  if (!/^(\d+[smhd])+$/.test(trimmed)) return undefined;
  let total = 0;
  for (const [, amount, unit] of trimmed.matchAll(/(\d+)([smhd])/g)) {
    total += Number(amount) * (UNIT_SECONDS[unit ?? 's'] ?? 1);
  }
  return total;
}

/** `1h 5m`, `14m 32s`, `9s`: the two largest units. */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  const days = Math.floor(seconds / 86_400);
  const hours = Math.floor((seconds % 86_400) / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  const rest = seconds % 60;
  if (days > 0) return hours > 0 ? `${days}d ${hours}h` : `${days}d`;
  if (hours > 0) return minutes > 0 ? `${hours}h ${minutes}m` : `${hours}h`;
  if (minutes > 0) return rest > 0 ? `${minutes}m ${rest}s` : `${minutes}m`;
  return `${rest}s`;
}

/**
 * A point in time for audit filters: an RFC 3339 date, or a duration meaning
 * "that long ago" (`--from 24h`).
 */
export function parseTimeArgument(text: string, now: number): Date | undefined {
  const ago = parseDuration(text);
  // A bare number is a year or a timestamp here, never seconds: durations need a unit.
  if (ago !== undefined && !/^\d+$/.test(text.trim())) return new Date(now - ago * 1000);
  const parsed = Date.parse(text);
  return Number.isNaN(parsed) ? undefined : new Date(parsed);
}
