// The gateway configuration the bench runs with: tracegate.yaml as it is,
// plus namespaces that exist only for measuring.
//
//   /bench-plain   the langfuse namespace without masking, so the table can
//                  show what masking adds to an allowed read;
//   /bench-bare    the same without recording either (what recording adds);
//   /bench-review  generated traces addressed by id (the origin shim's
//                  /generate/json/{id}), behind a review rule with grant
//                  scope `request`: every new id is a new access request, so
//                  each held read is woken by its own approval;
//   /bench-generated  the same traces, allowed without review (the baseline);
//   /bench-generated-bare  the same, not recorded: the gateway's own memory
//                  while a large trace streams, without the local R2 writes;
//   /bench-masked  the same again, masked with the `traces` profile, for a
//                  large trace streamed through the real runtime.
//
// The review rule notifies the local webhook sink like the restricted
// namespace does, so the measured path includes the notifications.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { repoRoot } from '../local-dev/paths.ts';

/** Bytes of each generated trace behind /bench-review. */
export const REVIEW_TRACE_BYTES = 4096;

interface Namespace {
  id: string;
  pathPrefix: string;
  mask?: string;
  notify?: unknown[];
  [key: string]: unknown;
}

export function writeBenchConfig(directory: string): string {
  const config = parse(readFileSync(path.join(repoRoot, 'tracegate.yaml'), 'utf8')) as {
    gateway: Record<string, unknown>;
    namespaces: Namespace[];
  };
  const byId = (id: string): Namespace => {
    const found = config.namespaces.find((ns) => ns.id === id);
    if (found === undefined) throw new Error(`tracegate.yaml has no namespace "${id}"`);
    return found;
  };
  // Held reads wait up to the configuration's cap; the bench holds longer than the default.
  config.gateway.maxWaitSeconds = 300;
  // One requester holds hundreds of reads at once, each its own access request.
  config.gateway.maxPendingRequests = 1000;

  const plain: Namespace = { ...structuredClone(byId('langfuse')), id: 'bench-plain' };
  plain.pathPrefix = '/bench-plain';
  plain.description = 'Bench only: the langfuse namespace without masking';
  delete plain.mask;

  // And without recording either: what the local R2 writes cost per read.
  const bare: Namespace = { ...structuredClone(plain), id: 'bench-bare' };
  bare.pathPrefix = '/bench-bare';
  bare.description = 'Bench only: the langfuse namespace without masking or recording';
  bare.recording = { enabled: false };

  const otlp = byId('otlp');
  const restricted = byId('restricted');
  const review: Namespace = {
    id: 'bench-review',
    description: 'Bench only: generated traces behind a review rule, one request per id',
    pathPrefix: '/bench-review',
    upstream: { ...structuredClone(otlp.upstream as object), basePath: '/generate/json' },
    resources: ['/:traceId'],
    // The generated trace's size and planted PII (the id is its seed).
    query: { allow: ['bytes', 'pii'] },
    notify: (restricted.notify ?? []).slice(0, 1),
    policy: {
      rules: [
        {
          id: 'bench-review-reads',
          match: { groups: ['requester'], methods: ['GET'] },
          outcome: 'review',
          review: {
            reviewerGroups: ['reviewer'],
            approvals: 1,
            pendingTtlSeconds: 900,
            grantTtlSeconds: 300,
            grantScope: 'request',
          },
        },
      ],
    },
  };
  const generated: Namespace = {
    ...structuredClone(review),
    id: 'bench-generated',
    description: 'Bench only: the generated traces of bench-review, allowed without review',
    pathPrefix: '/bench-generated',
    notify: [],
    policy: {
      rules: [
        {
          id: 'bench-generated-reads',
          match: { groups: ['requester'], methods: ['GET'] },
          outcome: 'allow',
        },
      ],
    },
  };
  // Without recording: what the gateway itself holds while a large trace streams.
  const generatedBare: Namespace = {
    ...structuredClone(generated),
    id: 'bench-generated-bare',
    description: 'Bench only: generated traces, allowed, not recorded',
    pathPrefix: '/bench-generated-bare',
    recording: { enabled: false },
  };
  const masked: Namespace = {
    ...structuredClone(generated),
    id: 'bench-masked',
    description: 'Bench only: generated traces, masked with the traces profile',
    pathPrefix: '/bench-masked',
    mask: 'traces',
  };
  config.namespaces.push(plain, bare, review, generated, generatedBare, masked);
  const file = path.join(directory, 'tracegate.bench.yaml');
  writeFileSync(file, stringify(config));
  return file;
}
