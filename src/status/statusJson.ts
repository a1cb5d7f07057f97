import type { BatchView } from '../db/batches.ts';
import type { DeliveryStatus } from '../delivery/deliveryStatus.ts';
import type { StatusReport } from './collectStatus.ts';

/** A batch as JSON: numbers, booleans, nulls and ISO instants (UTC), never display text. */
export function batchJson(batch: BatchView) {
  return {
    id: Number(batch.id),
    cycle: batch.cycle,
    kind: batch.kind,
    period: batch.period,
    cutoff: batch.cutoff.toISOString(),
    seq: batch.seq,
    trigger: batch.trigger,
    claimedAt: batch.claimedAt.toISOString(),
    records: batch.records,
    points: batch.points,
    interactivePoints: batch.interactivePoints,
    downgraded: batch.downgraded,
    fileName: batch.fileName,
    sha256: batch.sha256,
    bytes: batch.bytes,
    writtenAt: batch.writtenAt?.toISOString() ?? null,
  };
}

/** The status report as plain JSON values, for `status --format json`, monitors and scripts. */
export function statusJson(report: StatusReport, outboxDir: string, delivery?: { mode: string; status: DeliveryStatus }) {
  return {
    now: report.now.toISOString(),
    zone: report.zone,
    outboxDir,
    ok: report.warnings.length === 0,
    warnings: report.warnings,
    cycles: report.cycles.map((cycle) => ({ ...cycle, cutoff: cycle.cutoff.toISOString() })),
    latestBatch: report.latestBatches[0] ? batchJson(report.latestBatches[0]) : null,
    latestBatchesWithFiles: report.latestBatchesWithFiles.map(batchJson),
    latestBatches: report.latestBatches.map(batchJson),
    completions: report.completions,
    sla: report.sla,
    nextRuns: {
      weekly: report.nextRuns.weekly.toISOString(),
      finals: report.nextRuns.finals.map((final) => ({ ...final, at: final.at.toISOString() })),
    },
    ...(delivery
      ? {
          delivery: {
            mode: delivery.mode,
            counts: delivery.status.counts,
            undelivered: delivery.status.undelivered.map((file) => ({
              seq: file.seq,
              fileName: file.fileName,
              kind: file.kind,
              state: file.state,
              attempts: file.attempts,
              lastError: file.lastError,
            })),
            refusedAcks: delivery.status.refusedAcks.map((ack) => ({ fileName: ack.fileName, fetchedAt: ack.fetchedAt.toISOString(), localPath: ack.localPath })),
          },
        }
      : {}),
  };
}

/** The JSON flattened to dotted keys (cycles.0.code), one value each, for `--format csv`. */
export function flattenJson(value: unknown, prefix = ''): Array<{ key: string; value: string | number | boolean | null }> {
  if (value === null || typeof value !== 'object') return [{ key: prefix, value: value as string | number | boolean | null }];
  const entries = Array.isArray(value) ? value.map((item, index) => [String(index), item] as const) : Object.entries(value);
  return entries.flatMap(([key, item]) => flattenJson(item, prefix ? `${prefix}.${key}` : key));
}
