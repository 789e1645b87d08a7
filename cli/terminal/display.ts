// What the CLI shows on stderr while it waits and downloads.
//
// On a terminal: a live line redrawn in place (spinner, approvals, time left;
// then bytes, rate, elapsed), cut to the terminal's width so it never wraps,
// which would break the in-place redraw. Anywhere else (a pipe, a CI log):
// one plain line per change, no escapes. `--quiet` shows nothing.
import type { ReviewStatus } from '../../sdk/index.ts';
import { fitWidth } from '../format.ts';
import {
  approvedLine,
  notifiedText,
  doneLine,
  pendingHeader,
  pendingLine,
  pendingLogLine,
  progressLine,
} from './lines.ts';

export interface Display {
  review(status: ReviewStatus): void;
  downloadStarted(totalBytes: number | undefined): void;
  downloaded(bytes: number): void;
  downloadFinished(bytes: number, destination: string): void;
  /** Takes the live line off the screen (before an error message). */
  stop(): void;
}

export interface DisplayStream {
  write(text: string): boolean;
  isTTY?: boolean;
  columns?: number;
}

const REDRAW_MS = 100;
const CLEAR_LINE = '\r\x1b[2K';

export function createDisplay(
  stream: DisplayStream,
  options: { quiet: boolean; now?: () => number },
): Display {
  if (options.quiet) return silentDisplay;
  const now = options.now ?? Date.now;
  return stream.isTTY === true ? new LiveDisplay(stream, now) : new LogDisplay(stream, now);
}

const silentDisplay: Display = {
  review() {},
  downloadStarted() {},
  downloaded() {},
  downloadFinished() {},
  stop() {},
};

class LiveDisplay implements Display {
  readonly #stream: DisplayStream;
  readonly #now: () => number;
  #render: (() => string) | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;
  #frame = 0;
  #reviewShown: string | undefined;
  #notifiedShown = false;
  #reviewStarted = 0;
  #latest: ReviewStatus | undefined;
  #downloadStarted = 0;
  #total: number | undefined;
  #bytes = 0;

  constructor(stream: DisplayStream, now: () => number) {
    this.#stream = stream;
    this.#now = now;
  }

  review(status: ReviewStatus): void {
    if (status.status === 'approved') {
      this.#print(approvedLine(status));
      this.#live(undefined);
      return;
    }
    if (status.status !== 'pending') {
      this.#live(undefined);
      return;
    }
    if (this.#reviewShown !== status.accessRequestId) {
      this.#reviewShown = status.accessRequestId;
      this.#reviewStarted = this.#now();
      this.#notifiedShown = notifiedText(status) !== undefined;
      for (const line of pendingHeader(status)) this.#print(line);
    } else if (!this.#notifiedShown && notifiedText(status) !== undefined) {
      // The 202 summary does not say who was notified; the first full view does.
      this.#notifiedShown = true;
      const header = pendingHeader(status);
      const notifiedLine = header[header.length - 1];
      if (notifiedLine !== undefined) this.#print(notifiedLine);
    }
    this.#latest = status;
    this.#live(() => {
      const latest = this.#latest ?? status;
      return pendingLine(latest, this.#now(), this.#now() - this.#reviewStarted, this.#frame);
    });
  }

  downloadStarted(totalBytes: number | undefined): void {
    this.#downloadStarted = this.#now();
    this.#total = totalBytes;
    this.#bytes = 0;
    this.#live(() => progressLine(this.#bytes, this.#total, this.#now() - this.#downloadStarted));
  }

  downloaded(bytes: number): void {
    this.#bytes = bytes;
  }

  downloadFinished(bytes: number, destination: string): void {
    this.#live(undefined);
    this.#print(doneLine(bytes, this.#now() - this.#downloadStarted, destination));
  }

  stop(): void {
    this.#live(undefined);
  }

  #live(render: (() => string) | undefined): void {
    this.#render = render;
    if (render === undefined) {
      if (this.#timer !== undefined) {
        clearInterval(this.#timer);
        this.#timer = undefined;
        this.#stream.write(CLEAR_LINE);
      }
      return;
    }
    this.#draw();
    if (this.#timer === undefined) {
      this.#timer = setInterval(() => {
        this.#frame += 1;
        this.#draw();
      }, REDRAW_MS);
      this.#timer.unref();
    }
  }

  #draw(): void {
    if (this.#render === undefined) return;
    const width = Math.max(20, (this.#stream.columns ?? 80) - 1);
    this.#stream.write(`${CLEAR_LINE}${fitWidth(this.#render(), width)}`);
  }

  /** A permanent line above the live one. */
  #print(line: string): void {
    this.#stream.write(`${CLEAR_LINE}${line}\n`);
    this.#draw();
  }
}

class LogDisplay implements Display {
  readonly #stream: DisplayStream;
  readonly #now: () => number;
  #lastKey = '';
  #downloadStarted = 0;

  constructor(stream: DisplayStream, now: () => number) {
    this.#stream = stream;
    this.#now = now;
  }

  review(status: ReviewStatus): void {
    // One line per change, not per poll.
    const key = `${status.accessRequestId}:${status.status}:${status.approvals}:${notifiedText(status) ?? ''}`;
    if (key === this.#lastKey) return;
    this.#lastKey = key;
    this.#log(
      status.status === 'approved' ? approvedLine(status) : pendingLogLine(status, this.#now()),
    );
  }

  downloadStarted(): void {
    this.#downloadStarted = this.#now();
  }

  downloaded(): void {}

  downloadFinished(bytes: number, destination: string): void {
    this.#log(doneLine(bytes, this.#now() - this.#downloadStarted, destination));
  }

  stop(): void {}

  #log(line: string): void {
    this.#stream.write(`tracegate: ${line}\n`);
  }
}
