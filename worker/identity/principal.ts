// Who is calling: the identity the gateway derives from a verified token.
//
// A principal is identified by its issuer and subject (OIDC Core §5.7: `sub`
// is unique only within its issuer and is the one stable identifier). Email is
// carried for display and notifications but is never an identity: it can be
// reassigned, unverified, or asserted by a second issuer for another person.
// It only ever backs a refusal (shareEmail, below).

export interface Principal {
  /** The configured issuer id (`issuers[].id`) that vouched for this principal. */
  issuerId: string;
  /** The token's `iss`, exactly as configured. */
  issuer: string;
  /** The configured subject claim (`sub` by default). */
  subject: string;
  email: string | undefined;
  groups: string[];
  /** The token's `jti`, when present: lets the audit tie events to one token. */
  tokenId: string | undefined;
  /** The token's `iat` (seconds since the epoch), when present. */
  issuedAt: number | undefined;
}

/**
 * The key under which a principal is stored, compared and counted (e.g. as a
 * distinct reviewer). A JSON array encodes both strings unambiguously, whatever
 * characters they contain, so no (issuer, subject) pair collides with another.
 */
export function principalKey(principal: Pick<Principal, 'issuer' | 'subject'>): string {
  return JSON.stringify([principal.issuer, principal.subject]);
}

/**
 * Whether two principals share an email address (compared trimmed and
 * case-folded). Used only to refuse, never to grant: a four-eyes rule must
 * not count one person twice just because the IdP gave them two subjects.
 * That happens with pairwise subjects (some IdPs give each client its own
 * `sub`, so the API's access tokens and the review login's ID tokens differ)
 * and with one person holding accounts at two issuers. A false match only
 * refuses a decision; it never shows or allows anything.
 */
export function shareEmail(a: Pick<Principal, 'email'>, b: Pick<Principal, 'email'>): boolean {
  const x = a.email?.trim().toLowerCase();
  return x !== undefined && x !== '' && x === b.email?.trim().toLowerCase();
}
