// The grant durations a reviewer may pick: a fixed ladder cut at the rule's
// cap, plus the cap itself, so a reviewer can never grant longer than the
// policy allows and the form never offers a value the POST would refuse.

const LADDER_SECONDS = [900, 3600, 4 * 3600, 8 * 3600, 86_400, 3 * 86_400, 7 * 86_400, 30 * 86_400];
/** Pre-selected: an hour, or the cap when that is shorter (least privilege). */
const PREFERRED_SECONDS = 3600;

export interface GrantDurationChoice {
  seconds: number;
  label: string;
  selected: boolean;
}

export function grantDurationChoices(capSeconds: number): GrantDurationChoice[] {
  const values = LADDER_SECONDS.filter((s) => s < capSeconds);
  values.push(capSeconds);
  const preferred = Math.min(PREFERRED_SECONDS, capSeconds);
  const selectedValue = values.includes(preferred) ? preferred : capSeconds;
  return values.map((seconds) => ({
    seconds,
    label:
      seconds === capSeconds
        ? `${formatDuration(seconds)} (the rule's maximum)`
        : formatDuration(seconds),
    selected: seconds === selectedValue,
  }));
}

export function isOfferedGrantDuration(seconds: number, capSeconds: number): boolean {
  return grantDurationChoices(capSeconds).some((choice) => choice.seconds === seconds);
}

/** "15 minutes", "4 hours", "3 days", "1 hour 30 minutes". */
export function formatDuration(totalSeconds: number): string {
  const seconds = Math.max(0, Math.round(totalSeconds));
  const units: [number, string][] = [
    [86_400, 'day'],
    [3600, 'hour'],
    [60, 'minute'],
    [1, 'second'],
  ];
  const parts: string[] = [];
  let rest = seconds;
  for (const [size, name] of units) {
    const count = Math.floor(rest / size);
    if (count > 0) {
      parts.push(`${count} ${name}${count === 1 ? '' : 's'}`);
      rest -= count * size;
    }
    if (parts.length === 2) break;
  }
  return parts.length === 0 ? '0 seconds' : parts.join(' ');
}
