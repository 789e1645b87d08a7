// Compiles a validated masking profile into the engine the adapters run on.
// Done once per profile object (cached), at first use: the detectors'
// regular expressions, the path matcher, the operator table.
import { BUILT_IN_DETECTORS } from './detectors/catalog.ts';
import { compileDetector, type CompiledDetector } from './detectors/compile.ts';
import { KEEP, PSEUDONYMISE, REDACT, SCAN, type FieldAction, type MaskEngine } from './engine.ts';
import type { FormatChoice } from './content-type.ts';
import { Replacer, type Operator } from './operators.ts';
import { PathMatcher, parsePathPattern } from './path-pattern.ts';
import type { MaskingProfile } from './profile-schema.ts';
import { DetectorSet } from './scan-text.ts';

export interface CompiledProfile {
  readonly engine: MaskEngine;
  readonly contentTypes: ReadonlyMap<string, FormatChoice>;
  readonly otherContentTypes: 'passthrough' | 'refuse';
  readonly maxEventChars: number;
}

const cache = new WeakMap<MaskingProfile, CompiledProfile>();
let builtIns: Map<string, CompiledDetector> | null = null;

function builtInDetectors(): Map<string, CompiledDetector> {
  builtIns ??= new Map(BUILT_IN_DETECTORS.map((spec) => [spec.entity, compileDetector(spec)]));
  return builtIns;
}

type OperatorSpec = MaskingProfile['operators'][string];

function toOperator(spec: OperatorSpec, hashLength: number): Operator {
  if (spec === 'replace') return { type: 'replace' };
  if (spec === 'hash') return { type: 'hash', length: hashLength };
  if (spec === 'partial') return { type: 'partial', keepLast: 4, keepFirst: 0, maskChar: '*' };
  if (spec.type === 'hash') return { type: 'hash', length: spec.length ?? hashLength };
  return spec;
}

const ACTIONS: Record<MaskingProfile['fields'][number]['action'], FieldAction> = {
  scan: SCAN,
  keep: KEEP,
  redact: REDACT,
  pseudonymise: PSEUDONYMISE,
};

export function compileProfile(profile: MaskingProfile): CompiledProfile {
  const cached = cache.get(profile);
  if (cached !== undefined) return cached;

  const catalog = builtInDetectors();
  const enabled = new Set(profile.detectors);
  for (const name of profile.disabledDetectors) enabled.delete(name);
  const detectors: CompiledDetector[] = [
    ...profile.customDetectors.map((custom) =>
      compileDetector({ entity: custom.name, source: custom.pattern, flags: custom.flags }),
    ),
    ...[...catalog.values()].filter((d) => enabled.has(d.entity)),
  ];

  const rules: {
    segments: ReturnType<typeof parsePathPattern>;
    action: FieldAction;
    entity: string;
  }[] = [
    ...profile.fields.map((field) => ({
      segments: parsePathPattern(field.path),
      action: ACTIONS[field.action],
      entity: field.entity ?? (field.action === 'pseudonymise' ? 'PSEUDONYM' : 'REDACTED'),
    })),
    ...profile.allow.map((path) => ({
      segments: parsePathPattern(path),
      action: KEEP as FieldAction,
      entity: '',
    })),
  ];

  const operators = new Map<string, Operator>();
  let fallback: Operator = { type: 'replace' };
  for (const [entity, spec] of Object.entries(profile.operators)) {
    const operator = toOperator(spec, profile.hashLength);
    if (entity === 'default') fallback = operator;
    else operators.set(entity, operator);
  }
  const hashed =
    fallback.type === 'hash' || [...operators.values()].some((op) => op.type === 'hash');

  const engine: MaskEngine = {
    detectors: new DetectorSet(detectors),
    numericDetectors: new DetectorSet(detectors.filter((d) => d.numeric)),
    replacer: new Replacer(operators, fallback),
    pseudonymOperator: { type: 'hash', length: profile.hashLength },
    matcher: new PathMatcher(rules.map((r) => r.segments)),
    ruleActions: rules.map((r) => r.action),
    ruleEntities: rules.map((r) => r.entity),
    scanKeys: profile.scanKeys,
    scanJsonInStrings: profile.scanJsonInStrings,
    maxJsonInStringDepth: profile.limits.maxJsonInStringDepth,
    maxValueChars: profile.limits.maxValueChars,
    maxDepth: profile.limits.maxDepth,
    oversizedValues: profile.limits.oversizedValues,
    needsHmacKey: hashed || rules.some((r) => r.action === PSEUDONYMISE),
    cleanKeys: new Set(),
    shortcuts: true,
  };
  const compiled: CompiledProfile = {
    engine,
    contentTypes: new Map(Object.entries(profile.contentTypes)),
    otherContentTypes: profile.otherContentTypes,
    maxEventChars: profile.limits.maxEventChars,
  };
  cache.set(profile, compiled);
  return compiled;
}
