// The text of the CLI's status displays, as pure functions of the state and
// the clock, so they are tested without a terminal.
import type { ReviewStatus } from '../../sdk/index.ts';
import { formatDuration } from '../duration.ts';
import { formatBytes, printable } from '../format.ts';

export const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'] as const;

/** Who the gateway says it notified, else the reviewer groups; undefined if neither is known. */
export function notifiedText(status: ReviewStatus): string | undefined {
  const names = status.notified.length > 0 ? status.notified : status.reviewerGroups;
  return names.length === 0 ? undefined : names.map(oneLine).join(', ');
}

export function approvalsText(status: ReviewStatus): string {
  return `approvals ${status.approvals}/${status.approvalsRequired ?? '?'}`;
}

export function timeLeftText(status: ReviewStatus, now: number): string | undefined {
  if (status.expiresAt === undefined) return undefined;
  const left = status.expiresAt - now;
  return left > 0 ? `expires in ${formatDuration(left)}` : 'expiring';
}

/** The live line while a review is pending (TTY). */
export function pendingLine(
  status: ReviewStatus,
  now: number,
  waitedMs: number,
  frame: number,
): string {
  const parts = [
    `${SPINNER[frame % SPINNER.length] ?? '*'} review pending`,
    oneLine(status.accessRequestId),
    approvalsText(status),
    timeLeftText(status, now),
    `waited ${formatDuration(waitedMs)}`,
    // Last: the longest part, cut first on a narrow terminal (the header has it in full).
    notifiedOrUndefined(status),
  ];
  return parts.filter((p) => p !== undefined).join(' · ');
}

/** Printed once when the review starts: what the status line cannot fit. */
export function pendingHeader(status: ReviewStatus): string[] {
  const lines = [`Review required: access request ${oneLine(status.accessRequestId)}`];
  if (status.reviewUrl !== undefined) lines.push(`  review at: ${oneLine(status.reviewUrl)}`);
  const notified = notifiedText(status);
  if (notified !== undefined)
    lines.push(`  ${status.notified.length > 0 ? 'notified' : 'reviewers'}: ${notified}`);
  return lines;
}

/** One plain log line per change (stderr is not a terminal). */
export function pendingLogLine(status: ReviewStatus, now: number): string {
  const parts = [
    `review ${status.status}: access request ${oneLine(status.accessRequestId)}`,
    approvalsText(status),
    timeLeftText(status, now),
    notifiedOrUndefined(status),
    status.reviewUrl === undefined ? undefined : `review at ${oneLine(status.reviewUrl)}`,
  ];
  return parts.filter((p) => p !== undefined).join(', ');
}

export function approvedLine(status: ReviewStatus): string {
  const by = status.decisions
    .filter((d) => d.decision === 'approve')
    .map((d) => oneLine(d.reviewer));
  return `Approved${by.length > 0 ? ` by ${by.join(', ')}` : ''}; reading the trace`;
}

/** The live download line: bytes, percentage if the length is known, rate, elapsed. */
export function progressLine(bytes: number, total: number | undefined, elapsedMs: number): string {
  const rate = elapsedMs > 0 ? (bytes * 1000) / elapsedMs : 0;
  const parts = [`↓ ${formatBytes(bytes)}`];
  if (total !== undefined && total > 0) {
    parts.push(`${Math.min(100, Math.floor((bytes * 100) / total))}% of ${formatBytes(total)}`);
  }
  parts.push(`${formatBytes(Math.round(rate))}/s`, `elapsed ${formatDuration(elapsedMs)}`);
  return parts.join(' · ');
}

export function doneLine(bytes: number, elapsedMs: number, destination: string): string {
  const rate = elapsedMs > 0 ? (bytes * 1000) / elapsedMs : 0;
  return `Received ${formatBytes(bytes)} in ${formatDuration(elapsedMs)} (${formatBytes(Math.round(rate))}/s) → ${destination}`;
}

function notifiedOrUndefined(status: ReviewStatus): string | undefined {
  const text = notifiedText(status);
  if (text === undefined) return undefined;
  return `${status.notified.length > 0 ? 'notified' : 'reviewers'}: ${text}`;
}

/** Server text on one line with no control characters (no terminal escapes). */
function oneLine(text: string): string {
  return printable(text.replace(/[\r\n]+/g, ' '));
}
