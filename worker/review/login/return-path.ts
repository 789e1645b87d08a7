// Where the browser goes after signing in: only a review page of this gateway.
//
// `return=` comes from a link anyone can craft, so it is an allow-list, not a
// block-list: the review index or one review page, as a relative path. That
// rules out absolute URLs, scheme-relative `//evil.example`, backslash tricks
// (`/\evil.example`, which browsers read as `//`), encoded slashes, dot
// segments, and anything outside /review. A refused value is an error, not a
// silent fallback, so a tampered link is noticed.

const REVIEW_INDEX = '/review';
const REVIEW_PAGE = /^\/review\/[A-Za-z0-9_-]{1,128}$/;

export type ReturnPathResult = { ok: true; path: string } | { ok: false };

/** `reserved`: the login routes themselves (login, logout, callback), never a destination. */
export function parseReturnPath(value: string | undefined, reserved: string[]): ReturnPathResult {
  if (value === undefined || value === '') return { ok: true, path: REVIEW_INDEX };
  if (value === REVIEW_INDEX) return { ok: true, path: value };
  if (REVIEW_PAGE.test(value) && !reserved.includes(value)) return { ok: true, path: value };
  return { ok: false };
}
