// The Worker's `scheduled` handler (cron, wrangler.toml [triggers]): seals
// new audit rows under a checkpoint, then removes expired recordings.
//
// The checkpoint runs first so that the retention job's own audit rows are
// sealed by the next run at the latest. Each job's failure is logged and does
// not stop the other; a missing AUDIT_MAC_KEY stops both (nothing can be
// sealed, and no removal could be audited).
import { writeCheckpoints, type CheckpointResult } from '../audit/audit-chain-d1.ts';
import { createD1AuditLog } from '../audit/audit-log.ts';
import { auditMacKey } from '../audit/mac-key.ts';
import type { GatewayConfig } from '../config/schema.ts';
import { causeReason } from '../http/errors.ts';
import { sweepExpiredRecordings, type RetentionResult } from '../recording/retention.ts';

export interface ScheduledJobsResult {
  checkpoint: CheckpointResult | { kind: 'error'; reason: string };
  retention: RetentionResult | { kind: 'error'; reason: string };
}

export async function runScheduledJobs(
  config: GatewayConfig,
  env: Env,
  now: number,
): Promise<ScheduledJobsResult> {
  const key = await auditMacKey(env);
  if (!key.ok) {
    console.error(`scheduled jobs skipped: ${key.reason}`);
    return {
      checkpoint: { kind: 'error', reason: key.reason },
      retention: { kind: 'error', reason: key.reason },
    };
  }

  let checkpoint: ScheduledJobsResult['checkpoint'];
  try {
    checkpoint = await writeCheckpoints(env.AUDIT_DB, key.key, () => now);
    if (checkpoint.kind === 'refused') {
      console.error(
        `audit checkpoint refused at seq ${checkpoint.seq}: ${checkpoint.reason} (run npm run audit:verify; ` +
          `once investigated, an auditor can acknowledge it: POST /v1/audit/checkpoints {"acknowledge": {"seq": ${checkpoint.seq}, "note": "…"}})`,
      );
    }
  } catch (error) {
    checkpoint = { kind: 'error', reason: causeReason(error) };
    console.error(`audit checkpoint failed: ${checkpoint.reason}`);
  }

  let retention: ScheduledJobsResult['retention'];
  try {
    retention = await sweepExpiredRecordings({
      bucket: env.RECORDINGS,
      audit: createD1AuditLog(env.AUDIT_DB, () => now, env),
      retentionDays: new Map(config.namespaces.map((n) => [n.id, n.recording.retentionDays])),
      now,
      runId: `retention-${crypto.randomUUID()}`,
    });
    for (const failure of retention.failed) {
      console.error(`recording ${failure.prefix} not removed: ${failure.reason}`);
    }
  } catch (error) {
    retention = { kind: 'error', reason: causeReason(error) };
    console.error(`recording retention failed: ${retention.reason}`);
  }
  return { checkpoint, retention };
}

export function createScheduledHandler(
  config: GatewayConfig,
): ExportedHandlerScheduledHandler<Env> {
  return (controller, env, ctx) => {
    ctx.waitUntil(runScheduledJobs(config, env, controller.scheduledTime));
  };
}
