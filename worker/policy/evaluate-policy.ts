// Step 3 of the request path: Principal × namespace × request → decision.
//
// Pure and synchronous. Rules are tried in file order; the first rule whose
// every given condition matches decides. No match is a deny by the implicit
// rule "default-deny". The decision always names the rule that made it, so the
// audit can say why.
import type { NamespaceConfig, PolicyRule, ReviewSettings } from '../config/schema.ts';
import type { Principal } from '../identity/principal.ts';
import { compilePathTemplate } from '../routing/path-template.ts';

export const DEFAULT_DENY_RULE = 'default-deny';

export type Decision =
  | { outcome: 'allow'; ruleId: string; mask: string | undefined }
  | { outcome: 'deny'; ruleId: string }
  | { outcome: 'block'; ruleId: string; message: string }
  | { outcome: 'review'; ruleId: string; review: ReviewSettings; mask: string | undefined };

export interface PolicyRequest {
  principal: Principal;
  method: string;
  /** Path below the namespace prefix. */
  path: string;
  resourceId: string | null;
}

const templateCache = new Map<string, ReturnType<typeof compilePathTemplate>>();
function pathMatches(template: string, path: string): boolean {
  let compiled = templateCache.get(template);
  if (compiled === undefined) {
    compiled = compilePathTemplate(template);
    templateCache.set(template, compiled);
  }
  return compiled.match(path) !== null;
}

export function ruleMatches(rule: PolicyRule, request: PolicyRequest): boolean {
  const { match } = rule;
  const { principal } = request;
  if (match.groups !== undefined && !match.groups.some((g) => principal.groups.includes(g))) {
    return false;
  }
  // Entries are `issuerId:sub` once the configuration is validated (schema.ts,
  // pinSubjects): a bare sub would match the same sub from any issuer.
  if (
    match.subjects !== undefined &&
    !match.subjects.includes(`${principal.issuerId}:${principal.subject}`)
  ) {
    return false;
  }
  if (match.methods !== undefined && !match.methods.includes(request.method.toUpperCase())) {
    return false;
  }
  if (match.paths !== undefined && !match.paths.some((t) => pathMatches(t, request.path))) {
    return false;
  }
  if (
    match.resources !== undefined &&
    !match.resources.some((r) => r === '*' || r === request.resourceId)
  ) {
    return false;
  }
  if (match.namesTrace !== undefined && match.namesTrace !== (request.resourceId !== null)) {
    return false;
  }
  return true;
}

export function evaluatePolicy(namespace: NamespaceConfig, request: PolicyRequest): Decision {
  for (const rule of namespace.policy.rules) {
    if (!ruleMatches(rule, request)) continue;
    const mask = rule.mask ?? namespace.mask;
    switch (rule.outcome) {
      case 'allow':
        return { outcome: 'allow', ruleId: rule.id, mask };
      case 'deny':
        return { outcome: 'deny', ruleId: rule.id };
      case 'block':
        // The schema guarantees a message on block rules.
        return { outcome: 'block', ruleId: rule.id, message: rule.message ?? 'Blocked by policy.' };
      case 'review':
        if (rule.review === undefined) return { outcome: 'deny', ruleId: rule.id };
        return { outcome: 'review', ruleId: rule.id, review: rule.review, mask };
    }
  }
  return { outcome: 'deny', ruleId: DEFAULT_DENY_RULE };
}
