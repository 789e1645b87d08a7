// The gateway's configuration schema: issuers, namespaces and their policy.
//
// The configuration is a YAML file checked into the deployment
// (tracegate.yaml). It is validated with this schema by `npm run config:check`
// before a deploy, and again when the Worker starts: an invalid file fails
// loudly with messages that name the bad field. Unknown keys are errors, so a
// typo never silently turns a rule off.
import { z } from 'zod';
import { maskingProfileSchema } from '../masking/profile-schema.ts';
import { splitResourceTemplate } from '../routing/resource-template.ts';

const id = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'use lowercase letters, digits, "-" and "_"');

/** Asymmetric algorithms only: a JWKS-verified token is never HMAC-signed. */
export const jwsAlgorithm = z.enum([
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
]);

const httpUrl = z.url({ protocol: /^https?$/ });

export const issuerSchema = z.strictObject({
  id,
  issuer: z.string().min(1),
  jwksUri: httpUrl,
  audiences: z.array(z.string().min(1)).min(1),
  algorithms: z.array(jwsAlgorithm).min(1),
  claims: z
    .strictObject({
      subject: z.string().min(1).default('sub'),
      email: z.string().min(1).default('email'),
      /** Dotted path to the groups claim, e.g. `realm_access.roles`. */
      groups: z.string().min(1).default('groups'),
      /**
       * Put before every group of this issuer, e.g. `ci:`. Group names are
       * otherwise shared by all issuers: with a prefix, a group another IdP
       * lets people create (`reviewer`, `auditor`) means nothing here unless
       * a rule names it with the prefix. Required (`''` to share on purpose)
       * once there is more than one issuer.
       */
      groupsPrefix: z.string().optional(),
    })
    .prefault({}),
  clockToleranceSeconds: z.number().int().min(0).max(300).default(30),
  /** Reject tokens whose `iat` is older than this, whatever their `exp`. */
  maxTokenAgeSeconds: z.number().int().positive().optional(),
  /**
   * The JWT `typ` header access tokens must carry, e.g. `at+jwt` (RFC 9068
   * §4). Set it when the issuer marks its access tokens, so that an ID token
   * or another JWT from the same issuer with a matching audience is refused.
   */
  tokenType: z.string().min(1).optional(),
  jwks: z
    .strictObject({
      /** Minimum time between two refetches triggered by an unknown `kid`. */
      cooldownSeconds: z.number().int().min(0).default(30),
      /** After this, keys are refetched; stale keys serve while the IdP is down. */
      cacheMaxAgeSeconds: z.number().int().positive().default(600),
      timeoutMs: z.number().int().positive().default(5000),
      /**
       * How long after the last good fetch stale keys may still serve while the
       * IdP is unreachable; past it, reads get 503 (a revoked key must not
       * verify forever).
       */
      maxStaleSeconds: z.number().int().positive().default(86_400),
    })
    .prefault({}),
});

/** A path template: literal segments, `:name` for one segment, a final `*` for the rest. */
export const pathTemplate = z
  .string()
  .regex(/^\/([^/*:]+|:[A-Za-z][A-Za-z0-9_]*|\*$)?(\/([^/*:]+|:[A-Za-z][A-Za-z0-9_]*|\*$))*$/, {
    message: 'a path template: "/literal/:param/*" (the "*" only at the end)',
  });

/**
 * Where a trace id sits: a path template (`/api/public/traces/:traceId`), or
 * a path template and the one query parameter that holds it
 * (`/api/public/observations?traceId=:traceId`; routing/resource-template.ts).
 */
const resourceTemplate = z.string().superRefine((source, ctx) => {
  const parts = splitResourceTemplate(source);
  if (parts === null) {
    ctx.addIssue({
      code: 'custom',
      message: 'a path template, optionally with one query parameter: "/path?name=:param"',
    });
  } else if (!pathTemplate.safeParse(parts.path).success) {
    ctx.addIssue({
      code: 'custom',
      message: 'a path template: "/literal/:param/*" (the "*" only at the end)',
    });
  }
});

const credentialSchema = z.strictObject({
  /** Name of the Worker secret that holds the credential. Never the value. */
  secret: z.string().regex(/^[A-Z][A-Z0-9_]*$/, 'a Worker secret name in UPPER_SNAKE_CASE'),
  header: z.string().min(1).default('authorization'),
  /** basic: the secret is `user:password`; bearer: a token; raw: the header value as is. */
  scheme: z.enum(['basic', 'bearer', 'raw']).default('bearer'),
});

export const upstreamSchema = z.strictObject({
  origin: httpUrl,
  /** Prefix prepended to the path remaining after the namespace prefix. */
  basePath: z.string().startsWith('/').default('/'),
  kind: z.enum(['generic', 'langfuse', 'phoenix', 'langsmith', 'otlp-json']).default('generic'),
  credential: credentialSchema.optional(),
  timeoutMs: z.number().int().positive().default(30_000),
});

const reviewSchema = z.strictObject({
  reviewerGroups: z.array(z.string().min(1)).min(1),
  approvals: z.number().int().min(1).max(10).default(1),
  pendingTtlSeconds: z
    .number()
    .int()
    .min(10)
    .max(7 * 86_400)
    .default(3600),
  grantTtlSeconds: z
    .number()
    .int()
    .min(10)
    .max(30 * 86_400)
    .default(3600),
  grantScope: z.enum(['request', 'trace', 'namespace']).default('trace'),
  requireJustification: z.boolean().default(false),
});

const matchSchema = z
  .strictObject({
    groups: z.array(z.string().min(1)).min(1).optional(),
    /**
     * `issuerId:sub`, or with a single issuer just `sub`. After validation
     * every entry is in the `issuerId:sub` form (pinSubjects), and only that
     * is compared: a `sub` from one issuer never matches a rule meant for
     * another. An entry that starts with an issuer id and `:` is pinned to it.
     */
    subjects: z.array(z.string().min(1)).min(1).optional(),
    methods: z
      .array(z.string().regex(/^[A-Z]+$/, 'an upper-case HTTP method'))
      .min(1)
      .optional(),
    /** Path templates relative to the namespace prefix. */
    paths: z.array(pathTemplate).min(1).optional(),
    /** Resource (trace) ids; `*` matches any id, including none. */
    resources: z.array(z.string().min(1)).min(1).optional(),
    /**
     * true: the read names a trace (in its path or query, by `resources`);
     * false: it names none, such as a listing.
     */
    namesTrace: z.boolean().optional(),
  })
  .prefault({});

export const ruleSchema = z
  .strictObject({
    id,
    description: z.string().optional(),
    match: matchSchema,
    outcome: z.enum(['allow', 'deny', 'block', 'review']),
    /** Shown to the caller on `block`. */
    message: z.string().min(1).max(500).optional(),
    review: reviewSchema.optional(),
    /** Masking profile for reads this rule lets through (overrides the namespace's). */
    mask: z.string().optional(),
  })
  .superRefine((rule, ctx) => {
    if (rule.outcome === 'block' && rule.message === undefined) {
      ctx.addIssue({ code: 'custom', path: ['message'], message: 'a block rule needs a message' });
    }
    if (rule.outcome === 'review' && rule.review === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['review'],
        message: 'a review rule needs review settings',
      });
    }
    if (rule.outcome !== 'review' && rule.review !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['review'],
        message: 'only a review rule takes review settings',
      });
    }
  });

const notifyTargetSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('webhook'),
    url: httpUrl,
    /** Worker secret holding the Standard Webhooks signing secret (`whsec_...`). */
    secret: z.string().regex(/^[A-Z][A-Z0-9_]*$/),
  }),
  z.strictObject({ kind: z.literal('slack'), url: httpUrl }),
]);

/**
 * The gateway's own routes (worker/app.ts). A namespace at or under one of
 * them would either be unreachable or take the gateway's page or API away,
 * depending on route order; either way a read or a sign-in would go somewhere
 * unexpected, so the configuration refuses it. Compared without case: `/Review`
 * is a different route, but not to the person reading a link.
 */
export const RESERVED_PATH_PREFIXES = [
  '/v1',
  '/review',
  '/audit',
  '/openapi.json',
  '/docs',
  '/healthz',
] as const;

/**
 * Names in the Worker env that belong to the gateway itself (wrangler.toml,
 * worker/env.d.ts): its bindings, variables and own secrets. The
 * configuration names secrets for store credentials and webhook signing, and
 * both leave the gateway (a credential is sent to the store; a signing
 * secret is shared with the receiver). Naming one of these there would hand,
 * say, the audit MAC key to the trace store, so the configuration refuses it.
 */
export const GATEWAY_OWN_NAMES = [
  'SESSION_SECRET',
  'AUDIT_MAC_KEY',
  'MASKING_HMAC_KEY',
  'TRACEGATE_CONFIG',
  'TRACEGATE_LOCAL_DEV',
  'PUBLIC_URL',
  'AUDIT_DB',
  'RECORDINGS',
  'ACCESS_REQUESTS',
] as const;

const gatewayOwnNames: ReadonlySet<string> = new Set(GATEWAY_OWN_NAMES);

function reservedPrefixOf(pathPrefix: string): string | undefined {
  const path = pathPrefix.toLowerCase();
  return RESERVED_PATH_PREFIXES.find(
    (reserved) => path === reserved || path.startsWith(`${reserved}/`),
  );
}

export const namespaceSchema = z.strictObject({
  id,
  description: z.string().optional(),
  /** Requests under this path prefix belong to the namespace, e.g. `/langfuse`. */
  pathPrefix: z.string().regex(/^\/[A-Za-z0-9._~-]+(\/[A-Za-z0-9._~-]+)*$/, 'like "/langfuse"'),
  upstream: upstreamSchema,
  /**
   * Where the trace id sits (relative to the prefix): in the path,
   * `/api/public/traces/:traceId`, or in a query parameter,
   * `/api/public/observations?traceId=:traceId` (which query.allow must list).
   */
  resources: z.array(resourceTemplate).default([]),
  /**
   * Query parameters the store is sent (routing/forwarded-query.ts). A read
   * with a name not listed is refused (400): a store could read a parameter
   * as another trace, another method (`_method`) or a wider listing, and the
   * policy sees only the path and the trace-id parameters `resources` names.
   * `'*'` forwards every name. Names compare exactly, after decoding.
   */
  query: z
    .strictObject({
      allow: z
        .union([
          z.literal('*'),
          z.array(
            z.string().regex(/^[^\s%&=;#+]{1,128}$/, 'a parameter name, without spaces or %&=;#+'),
          ),
        ])
        .default([]),
    })
    .prefault({}),
  policy: z.strictObject({ rules: z.array(ruleSchema) }),
  /** Default masking profile of the namespace. */
  mask: z.string().optional(),
  notify: z.array(notifyTargetSchema).default([]),
  recording: z
    .strictObject({
      enabled: z.boolean().default(true),
      /** Refuse reads (503) when the recording cannot be started. */
      required: z.boolean().default(false),
      retentionDays: z.number().int().positive().default(90),
    })
    .prefault({}),
});

/** gateway.reviewLogin.signInMaxAgeSeconds by default, and without a sign-in configured. */
export const DEFAULT_SIGN_IN_MAX_AGE_SECONDS = 3600;

const reviewLoginSchema = z.strictObject({
  /** The `issuers[].id` reviewers sign in with; its keys and claim mapping apply. */
  issuer: id,
  /** A public client registered at that issuer (code flow, PKCE S256). */
  clientId: z.string().min(1),
  scopes: z
    .array(z.string().regex(/^[\x21\x23-\x5B\x5D-\x7E]+$/, 'an OAuth scope token'))
    .refine((scopes) => scopes.includes('openid'), 'must include "openid"')
    .default(['openid', 'email', 'profile', 'groups']),
  /** Callback path registered at the IdP, below /review. */
  redirectPath: z
    .string()
    .regex(/^\/review\/[A-Za-z0-9._~-]+$/, 'a path like "/review/callback"')
    .refine((path) => !['/review/login', '/review/logout'].includes(path), 'a reserved path')
    .default('/review/callback'),
  sessionTtlSeconds: z
    .number()
    .int()
    .min(300)
    .max(86_400)
    .default(8 * 3600),
  /**
   * How old a sign-in may be for what it trusts the session's groups with:
   * a decision on the review pages, and the auditor pages (recordings, the
   * audit). The session keeps the groups the IdP gave at sign-in, so someone
   * the IdP has since removed or disabled could otherwise go on for the
   * session's whole life. An older session may still view a review page (it
   * offers "Sign in again"); the auditor pages send it through the sign-in.
   */
  signInMaxAgeSeconds: z
    .number()
    .int()
    .min(60)
    .max(86_400)
    .default(DEFAULT_SIGN_IN_MAX_AGE_SECONDS),
});

const gatewayConfigBase = z
  .strictObject({
    version: z.literal(1),
    gateway: z
      .strictObject({
        /** Upper bound for `Prefer: wait=N` and `?wait=N`, in seconds. */
        maxWaitSeconds: z.number().int().min(0).max(300).default(60),
        /**
         * Access requests one requester may have pending at once, across
         * namespaces: each one notifies reviewers, so a flood of them would
         * bury the one that matters. A read that would open one more is a 429.
         */
        maxPendingRequests: z.number().int().min(1).max(1000).default(20),
        auditorGroups: z.array(z.string().min(1)).default(['auditor']),
        /** Requests whose bearer token is longer than this are rejected unparsed. */
        maxTokenBytes: z.number().int().min(512).max(65_536).default(8192),
        /** Reviewer sign-in at the gateway (OIDC code + PKCE); without it, /review is read-only. */
        reviewLogin: reviewLoginSchema.optional(),
      })
      .prefault({}),
    issuers: z.array(issuerSchema).min(1),
    namespaces: z.array(namespaceSchema).min(1),
    masking: z
      .strictObject({ profiles: z.record(id, maskingProfileSchema).default({}) })
      .prefault({}),
  })
  .superRefine((config, ctx) => {
    const seen = (kind: string, values: string[], path: (i: number) => (string | number)[]) => {
      const firstIndex = new Map<string, number>();
      values.forEach((value, i) => {
        if (firstIndex.has(value)) {
          ctx.addIssue({ code: 'custom', path: path(i), message: `duplicate ${kind} "${value}"` });
        } else firstIndex.set(value, i);
      });
    };
    seen(
      'issuer id',
      config.issuers.map((i) => i.id),
      (i) => ['issuers', i, 'id'],
    );
    seen(
      'issuer',
      config.issuers.map((i) => i.issuer),
      (i) => ['issuers', i, 'issuer'],
    );
    seen(
      'namespace id',
      config.namespaces.map((n) => n.id),
      (i) => ['namespaces', i, 'id'],
    );
    seen(
      'path prefix',
      config.namespaces.map((n) => n.pathPrefix),
      (i) => ['namespaces', i, 'pathPrefix'],
    );
    // A trace id read from the query must reach the store, or the policy
    // would decide on an id the store never sees.
    config.namespaces.forEach((ns, n) => {
      ns.resources.forEach((source, r) => {
        const name = splitResourceTemplate(source)?.queryName ?? null;
        if (name !== null && ns.query.allow !== '*' && !ns.query.allow.includes(name))
          ctx.addIssue({
            code: 'custom',
            path: ['namespaces', n, 'resources', r],
            message: `reads the trace id from the query parameter "${name}", which query.allow does not list`,
          });
      });
    });
    config.namespaces.forEach((ns, n) => {
      const reserved = reservedPrefixOf(ns.pathPrefix);
      if (reserved !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['namespaces', n, 'pathPrefix'],
          message: `"${ns.pathPrefix}" is at or under the gateway's own route ${reserved}`,
        });
      }
    });
    // Secrets that leave the gateway: never one of its own, and a store
    // credential never doubles as a webhook signing secret (each receiver
    // would then hold what the other one is trusted with).
    const signingSecrets = new Set(
      config.namespaces.flatMap((ns) =>
        ns.notify.flatMap((t) => (t.kind === 'webhook' ? [t.secret] : [])),
      ),
    );
    config.namespaces.forEach((ns, n) => {
      const credential = ns.upstream.credential;
      if (credential !== undefined) {
        const clash = gatewayOwnNames.has(credential.secret)
          ? "the gateway's own"
          : signingSecrets.has(credential.secret)
            ? 'a webhook signing secret'
            : undefined;
        if (clash !== undefined)
          ctx.addIssue({
            code: 'custom',
            path: ['namespaces', n, 'upstream', 'credential', 'secret'],
            message: `"${credential.secret}" is ${clash}: a store credential needs a secret of its own`,
          });
      }
      ns.notify.forEach((target, t) => {
        if (target.kind === 'webhook' && gatewayOwnNames.has(target.secret))
          ctx.addIssue({
            code: 'custom',
            path: ['namespaces', n, 'notify', t, 'secret'],
            message: `"${target.secret}" is the gateway's own: a webhook needs a signing secret of its own`,
          });
      });
    });
    // With two IdPs, an unprefixed `reviewer` from either one counts: the
    // operator has to say, per issuer, whether its groups are shared. Subjects
    // likewise: `alice` at one IdP is not `alice` at the other.
    if (config.issuers.length > 1) {
      const issuerIds = config.issuers.map((issuer) => issuer.id);
      config.namespaces.forEach((ns, n) => {
        ns.policy.rules.forEach((rule, r) => {
          rule.match.subjects?.forEach((subject, s) => {
            if (pinnedIssuer(subject, issuerIds) === undefined)
              ctx.addIssue({
                code: 'custom',
                path: ['namespaces', n, 'policy', 'rules', r, 'match', 'subjects', s],
                message: `"${subject}" names no issuer: with more than one issuer, write "<issuer id>:<sub>" (e.g. "${issuerIds[0] ?? 'idp'}:${subject}")`,
              });
          });
        });
      });
      config.issuers.forEach((issuer, i) => {
        if (issuer.claims.groupsPrefix === undefined)
          ctx.addIssue({
            code: 'custom',
            path: ['issuers', i, 'claims', 'groupsPrefix'],
            message: `required with more than one issuer: a prefix of its own (e.g. "${issuer.id}:"), or "" to share group names with the other issuers on purpose`,
          });
      });
    }
    const login = config.gateway.reviewLogin;
    const loginIssuer = config.issuers.findIndex((i) => i.id === login?.issuer);
    if (login !== undefined && loginIssuer < 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['gateway', 'reviewLogin', 'issuer'],
        message: `unknown issuer id "${login.issuer}"`,
      });
    }
    // The sign-in client's ID tokens carry its clientId as audience. If that
    // is also an API audience and nothing tells the two token kinds apart,
    // every ID token a reviewer's browser ever received would read traces.
    const issuer = config.issuers[loginIssuer];
    if (
      login !== undefined &&
      issuer !== undefined &&
      issuer.tokenType === undefined &&
      issuer.audiences.includes(login.clientId)
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['issuers', loginIssuer, 'audiences'],
        message: `"${login.clientId}" is the review sign-in client, whose ID tokens would pass as access tokens: use another audience, or set tokenType (e.g. at+jwt)`,
      });
    }
    const profiles = new Set(Object.keys(config.masking.profiles));
    config.namespaces.forEach((ns, n) => {
      seen(
        'rule id',
        ns.policy.rules.map((r) => r.id),
        (i) => ['namespaces', n, 'policy', 'rules', i, 'id'],
      );
      if (ns.mask !== undefined && !profiles.has(ns.mask)) {
        ctx.addIssue({
          code: 'custom',
          path: ['namespaces', n, 'mask'],
          message: `unknown masking profile "${ns.mask}"`,
        });
      }
      ns.policy.rules.forEach((rule, r) => {
        if (rule.mask !== undefined && !profiles.has(rule.mask)) {
          ctx.addIssue({
            code: 'custom',
            path: ['namespaces', n, 'policy', 'rules', r, 'mask'],
            message: `unknown masking profile "${rule.mask}"`,
          });
        }
      });
    });
  });

/** The issuer id a `subjects` entry is pinned to (`id:sub`), or undefined. */
function pinnedIssuer(subject: string, issuerIds: readonly string[]): string | undefined {
  return issuerIds.find((id) => subject.startsWith(`${id}:`));
}

/**
 * Every `subjects` entry in its `issuerId:sub` form: unpinned entries (only
 * valid with a single issuer) are pinned to that issuer.
 */
function pinSubjects<T extends z.infer<typeof gatewayConfigBase>>(config: T): T {
  const issuerIds = config.issuers.map((issuer) => issuer.id);
  const only = issuerIds.length === 1 ? issuerIds[0] : undefined;
  const pin = (subject: string): string =>
    pinnedIssuer(subject, issuerIds) !== undefined || only === undefined
      ? subject
      : `${only}:${subject}`;
  return {
    ...config,
    namespaces: config.namespaces.map((ns) => ({
      ...ns,
      policy: {
        ...ns.policy,
        rules: ns.policy.rules.map((rule) =>
          rule.match.subjects === undefined
            ? rule
            : { ...rule, match: { ...rule.match, subjects: rule.match.subjects.map(pin) } },
        ),
      },
    })),
  };
}

export const gatewayConfigSchema = gatewayConfigBase.transform(pinSubjects);

export type GatewayConfig = z.infer<typeof gatewayConfigSchema>;
export type IssuerConfig = z.infer<typeof issuerSchema>;
export type NamespaceConfig = z.infer<typeof namespaceSchema>;
export type PolicyRule = z.infer<typeof ruleSchema>;
export type ReviewSettings = z.infer<typeof reviewSchema>;
export type UpstreamConfig = z.infer<typeof upstreamSchema>;
export type NotifyTarget = z.infer<typeof notifyTargetSchema>;
export type ReviewLoginConfig = z.infer<typeof reviewLoginSchema>;
