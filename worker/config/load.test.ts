import { describe, expect, it } from 'vitest';
import { ConfigError, parseGatewayConfig } from './load.ts';

const valid = `
version: 1
issuers:
  - id: idp
    issuer: https://idp.example
    jwksUri: https://idp.example/jwks
    audiences: [tracegate]
    algorithms: [RS256]
namespaces:
  - id: lf
    pathPrefix: /lf
    upstream: { origin: "http://origin.test" }
    policy:
      rules:
        - { id: read, match: { groups: [staff] }, outcome: allow }
`;

/** `yaml` with a second issuer, `partner`, listed after the first (with `claims`, if given). */
function withPartnerIssuer(yaml: string, claims?: string): string {
  return yaml.replace(
    '\nnamespaces:',
    `
  - id: partner
    issuer: https://partner.example
    jwksUri: https://partner.example/jwks
    audiences: [tracegate]
    algorithms: [ES256]${claims === undefined ? '' : `\n    claims: ${claims}`}
namespaces:`,
  );
}

function problemsOf(yaml: string): string[] {
  try {
    parseGatewayConfig(yaml);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('parseGatewayConfig', () => {
  it('accepts a minimal configuration and fills defaults', () => {
    const config = parseGatewayConfig(valid);
    expect(config.issuers[0]?.claims.groups).toBe('groups');
    expect(config.gateway.maxWaitSeconds).toBe(60);
  });

  it('forwards no query parameter unless the namespace lists it, and checks the names', () => {
    expect(parseGatewayConfig(valid).namespaces[0]?.query.allow).toEqual([]);
    const withQuery = (allow: string) =>
      valid.replace('    policy:', `    query: { allow: ${allow} }\n    policy:`);
    expect(parseGatewayConfig(withQuery('[page, "tags[]"]')).namespaces[0]?.query.allow).toEqual([
      'page',
      'tags[]',
    ]);
    expect(parseGatewayConfig(withQuery("'*'")).namespaces[0]?.query.allow).toBe('*');
    for (const bad of ['["a b"]', '["a%62"]', '["a=b"]', '["a;b"]', '[""]', 'all']) {
      expect([bad, problemsOf(withQuery(bad))[0]]).toEqual([
        bad,
        expect.stringMatching(/^namespaces\[0\]\.query\.allow/),
      ]);
    }
  });

  it('reads a trace id from a query parameter only when query.allow forwards it', () => {
    const withResources = (resources: string, allow = '[traceId]') =>
      valid.replace(
        '    policy:',
        `    resources: ${resources}\n    query: { allow: ${allow} }\n    policy:`,
      );
    const template = "['/observations?traceId=:traceId']";
    expect(parseGatewayConfig(withResources(template)).namespaces[0]?.resources).toEqual([
      '/observations?traceId=:traceId',
    ]);
    expect(parseGatewayConfig(withResources(template, "'*'")).namespaces[0]?.resources).toEqual([
      '/observations?traceId=:traceId',
    ]);
    expect(problemsOf(withResources(template, '[page]'))).toEqual([
      'namespaces[0].resources[0]: reads the trace id from the query parameter "traceId", which query.allow does not list',
    ]);
    for (const bad of [
      "['/observations?traceId=t1']", // not a parameter
      "['/observations?traceId=:a&page=:b']", // one parameter only
      "['/observations?=:id']",
      "['/observations?trace id=:id']",
      "['observations?traceId=:id']", // the path part is not a path template
    ]) {
      expect([bad, problemsOf(withResources(bad))[0]]).toEqual([
        bad,
        expect.stringMatching(/^namespaces\[0\]\.resources\[0\]: a path template/),
      ]);
    }
  });

  it('names the bad field of an unknown key (a typo never disables a rule)', () => {
    expect(problemsOf(valid.replace('outcome: allow', 'outcome: allow, mtach: {}'))).toEqual([
      expect.stringMatching(/^namespaces\[0\]\.policy\.rules\[0\]: Unrecognized key: "mtach"/),
    ]);
  });

  it('refuses symmetric algorithms for JWKS issuers', () => {
    expect(problemsOf(valid.replace('[RS256]', '[HS256]'))[0]).toMatch(
      /^issuers\[0\]\.algorithms\[0\]/,
    );
  });

  it('requires a message on block rules and review settings on review rules', () => {
    expect(problemsOf(valid.replace('outcome: allow', 'outcome: block'))).toEqual([
      'namespaces[0].policy.rules[0].message: a block rule needs a message',
    ]);
    expect(problemsOf(valid.replace('outcome: allow', 'outcome: review'))).toEqual([
      'namespaces[0].policy.rules[0].review: a review rule needs review settings',
    ]);
  });

  it('reports duplicate rule ids and unknown masking profiles', () => {
    const dup = valid.replace(
      '        - { id: read, match: { groups: [staff] }, outcome: allow }',
      '        - { id: read, match: {}, outcome: allow, mask: nope }\n        - { id: read, match: {}, outcome: deny }',
    );
    expect(problemsOf(dup)).toEqual([
      'namespaces[0].policy.rules[1].id: duplicate rule id "read"',
      'namespaces[0].policy.rules[0].mask: unknown masking profile "nope"',
    ]);
  });

  it.each([
    ['/v1', '/v1'],
    ['/v1/requests', '/v1'],
    ['/review', '/review'],
    ['/Review/x', '/review'],
    ['/audit/sessions', '/audit'],
    ['/openapi.json', '/openapi.json'],
    ['/docs', '/docs'],
    ['/healthz', '/healthz'],
  ])('refuses the path prefix %s, which would clash with the gateway route %s', (prefix, route) => {
    expect(problemsOf(valid.replace('pathPrefix: /lf', `pathPrefix: ${prefix}`))).toEqual([
      `namespaces[0].pathPrefix: "${prefix}" is at or under the gateway's own route ${route}`,
    ]);
  });

  it.each(['/v1x', '/reviews', '/auditing', '/lf/review', '/docs-archive', '/healthz2'])(
    'accepts the path prefix %s, which only looks like a gateway route',
    (prefix) => {
      const config = parseGatewayConfig(valid.replace('pathPrefix: /lf', `pathPrefix: ${prefix}`));
      expect(config.namespaces[0]?.pathPrefix).toBe(prefix);
    },
  );

  it.each(['AUDIT_MAC_KEY', 'SESSION_SECRET', 'MASKING_HMAC_KEY', 'TRACEGATE_CONFIG', 'AUDIT_DB'])(
    'refuses %s, a name of the gateway itself, as a secret that leaves the gateway',
    (name) => {
      const withSecrets = valid.replace(
        'upstream: { origin: "http://origin.test" }',
        `upstream: { origin: "http://origin.test", credential: { secret: ${name} } }
    notify: [{ kind: webhook, url: "https://hooks.test/x", secret: ${name} }]`,
      );
      expect(problemsOf(withSecrets)).toEqual([
        `namespaces[0].upstream.credential.secret: "${name}" is the gateway's own: a store credential needs a secret of its own`,
        `namespaces[0].notify[0].secret: "${name}" is the gateway's own: a webhook needs a signing secret of its own`,
      ]);
    },
  );

  it('refuses a webhook signing secret as a store credential, and accepts secrets of their own', () => {
    const shared = valid.replace(
      'upstream: { origin: "http://origin.test" }',
      `upstream: { origin: "http://origin.test", credential: { secret: HOOK_SECRET } }
    notify: [{ kind: webhook, url: "https://hooks.test/x", secret: HOOK_SECRET }]`,
    );
    expect(problemsOf(shared)).toEqual([
      'namespaces[0].upstream.credential.secret: "HOOK_SECRET" is a webhook signing secret: a store credential needs a secret of its own',
    ]);
    const own = parseGatewayConfig(
      shared.replace('credential: { secret: HOOK_SECRET }', 'credential: { secret: STORE_KEY }'),
    );
    expect(own.namespaces[0]?.upstream.credential?.secret).toBe('STORE_KEY');
  });

  it('refuses the review sign-in client as an API audience unless token types tell them apart', () => {
    const login = valid
      .replace(
        'version: 1',
        'version: 1\ngateway:\n  reviewLogin: { issuer: idp, clientId: tracegate }',
      )
      .replace('audiences: [tracegate]', 'audiences: [tracegate, tracegate-api]');
    expect(problemsOf(login)).toEqual([
      'issuers[0].audiences: "tracegate" is the review sign-in client, whose ID tokens would pass as access tokens: use another audience, or set tokenType (e.g. at+jwt)',
    ]);
    const typed = parseGatewayConfig(
      login.replace('algorithms: [RS256]', 'algorithms: [RS256]\n    tokenType: at+jwt'),
    );
    expect(typed.issuers[0]?.tokenType).toBe('at+jwt');
    const apart = parseGatewayConfig(
      login.replace('clientId: tracegate }', 'clientId: tracegate-review }'),
    );
    expect(apart.gateway.reviewLogin?.clientId).toBe('tracegate-review');
  });

  it('asks every issuer for a groupsPrefix once there are two, so one IdP cannot mint our groups', () => {
    const two = withPartnerIssuer(valid);
    const message = (id: string, i: number) =>
      `issuers[${i}].claims.groupsPrefix: required with more than one issuer: a prefix of its own (e.g. "${id}:"), or "" to share group names with the other issuers on purpose`;
    expect(problemsOf(two)).toEqual([message('idp', 0), message('partner', 1)]);
    const onlyOne = two.replace(
      'algorithms: [ES256]',
      'algorithms: [ES256]\n    claims: { groupsPrefix: "partner:" }',
    );
    expect(problemsOf(onlyOne)).toEqual([message('idp', 0)]);
    const both = parseGatewayConfig(
      onlyOne.replace(
        'algorithms: [RS256]',
        'algorithms: [RS256]\n    claims: { groupsPrefix: "" }',
      ),
    );
    expect(both.issuers.map((i) => i.claims.groupsPrefix)).toEqual(['', 'partner:']);
    // One issuer: nothing to tell apart, so no prefix is needed.
    expect(parseGatewayConfig(valid).issuers[0]?.claims.groupsPrefix).toBeUndefined();
  });

  it('pins rule subjects to their issuer, and asks for the issuer once there are two', () => {
    const bySubject = valid.replace(
      '{ id: read, match: { groups: [staff] }, outcome: allow }',
      '{ id: read, match: { subjects: [alice, "idp:bob", "x:y"] }, outcome: allow }',
    );
    // One issuer: a bare sub means that issuer's; an entry that starts with its id is pinned.
    expect(parseGatewayConfig(bySubject).namespaces[0]?.policy.rules[0]?.match.subjects).toEqual([
      'idp:alice',
      'idp:bob',
      'idp:x:y',
    ]);
    const two = withPartnerIssuer(bySubject, '{ groupsPrefix: "partner:" }').replace(
      'algorithms: [RS256]',
      'algorithms: [RS256]\n    claims: { groupsPrefix: "" }',
    );
    const unpinned = (subject: string, s: number) =>
      `namespaces[0].policy.rules[0].match.subjects[${s}]: "${subject}" names no issuer: with more than one issuer, write "<issuer id>:<sub>" (e.g. "idp:${subject}")`;
    expect(problemsOf(two)).toEqual([unpinned('alice', 0), unpinned('x:y', 2)]);
    const pinned = parseGatewayConfig(
      two.replace('[alice, "idp:bob", "x:y"]', '["partner:alice", "idp:bob"]'),
    );
    expect(pinned.namespaces[0]?.policy.rules[0]?.match.subjects).toEqual([
      'partner:alice',
      'idp:bob',
    ]);
  });

  it('reports YAML syntax errors and duplicate keys', () => {
    expect(problemsOf('version: 1\nversion: 1\n')[0]).toMatch(/^YAML syntax/);
    expect(problemsOf('a: [')[0]).toMatch(/^YAML syntax/);
  });
});
