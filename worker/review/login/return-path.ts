// Where the browser goes after signing in: only a page of this gateway that
// the one gateway session serves.
//
// `return=` comes from a link anyone can craft, so it is an allow-list, not a
// block-list: the review index, one review page, the auditor's session list
// or one recorded session, as a relative path. That rules out absolute URLs,
// scheme-relative `//evil.example`, backslash tricks (`/\evil.example`, which
// browsers read as `//`), encoded slashes, dot segments, query strings, and
// anything else. A refused value is an error, not a silent fallback, so a
// tampered link is noticed.

const REVIEW_INDEX = '/review';
const REVIEW_PAGE = /^\/review\/[A-Za-z0-9_-]{1,128}$/;
export const AUDIT_SESSION_LIST = '/audit/sessions';
const AUDIT_SESSION_PAGE = /^\/audit\/sessions\/[A-Za-z0-9_-]{1,128}$/;

/** The sign-in page that returns to `returnTo` (which must pass parseReturnPath). */
export function signInHref(returnTo: string): string {
  return `/review/login?return=${encodeURIComponent(returnTo)}`;
}

export type ReturnPathResult = { ok: true; path: string } | { ok: false };

/** `reserved`: the login routes themselves (login, logout, callback), never a destination. */
export function parseReturnPath(value: string | undefined, reserved: string[]): ReturnPathResult {
  if (value === undefined || value === '') return { ok: true, path: REVIEW_INDEX };
  if (value === REVIEW_INDEX || value === AUDIT_SESSION_LIST) return { ok: true, path: value };
  if (REVIEW_PAGE.test(value) && !reserved.includes(value)) return { ok: true, path: value };
  if (AUDIT_SESSION_PAGE.test(value)) return { ok: true, path: value };
  return { ok: false };
}
