// The development IdP's test users. Every password is `tracegate`: dev-only,
// never deploy this IdP. Groups drive the gateway's policy: requesters read,
// reviewers approve, auditors query the audit; mallory belongs to nothing.
import { timingSafeEqual } from 'node:crypto';

export interface TestUser {
  username: string;
  email: string;
  name: string;
  groups: string[];
}

export const testUserPassword = 'tracegate';

const user = (username: string, name: string, groups: string[]): TestUser => ({
  username,
  email: `${username}@example.test`,
  name,
  groups,
});

export const testUsers: readonly TestUser[] = [
  user('alice', 'Alice Requester', ['requester']),
  user('bob', 'Bob Reviewer', ['reviewer']),
  user('carol', 'Carol Reviewer', ['reviewer']),
  user('dave', 'Dave Auditor', ['auditor']),
  user('erin', 'Erin Requester-Reviewer', ['requester', 'reviewer']),
  user('mallory', 'Mallory (no groups)', []),
];

/** The subject of a test user is its username. */
export function findTestUser(subject: string): TestUser | undefined {
  return testUsers.find((u) => u.username === subject);
}

/** The user whose username and password match, compared in constant time. */
export function authenticateTestUser(username: string, password: string): TestUser | undefined {
  const found = findTestUser(username.trim().toLowerCase());
  const given = Buffer.from(password);
  const expected = Buffer.from(testUserPassword);
  const passwordOk = given.length === expected.length && timingSafeEqual(given, expected);
  return found !== undefined && passwordOk ? found : undefined;
}

/** OIDC claims of a user for the ID token and JWT access tokens. */
export function userClaims(found: TestUser): Record<string, unknown> {
  return {
    sub: found.username,
    email: found.email,
    email_verified: true,
    name: found.name,
    preferred_username: found.username,
    groups: [...found.groups],
  };
}
