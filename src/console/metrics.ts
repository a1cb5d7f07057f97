import { performance } from 'node:perf_hooks';
import type { Queue } from 'bullmq';
import { Counter, Gauge, Registry } from 'prom-client';
import { batchTotals, filesByDeliveryState } from '../db/consoleMetrics.ts';
import type { Db } from '../db/database.ts';
import { collectStatus, type StatusAt } from '../status/collectStatus.ts';
import { presenceWarnings, type ServicePresence } from '../status/presence.ts';

// console.md, "/metrics": gauges read from PostgreSQL when scraped (the numbers `status`
// prints, from the same collectStatus), then BullMQ's own export of the queue's job counts.

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

const KINDS = ['WEEKLY', 'FINAL'] as const;

export interface MetricsSource {
  db: Db;
  queue: Queue;
  statusAt: () => StatusAt;
  /**
   * 0: every scrape queries PostgreSQL. Otherwise the gauges are recomputed in the background
   * this often and a scrape serves the latest snapshot (a million completions cost ~2 s to
   * count; a scrape must cost milliseconds). BullMQ's counts are always read at the scrape.
   */
  refreshMs?: number;
  /** The worker's and the scheduler's heartbeats, read at each scrape (presence.ts). */
  presence?: () => Promise<ServicePresence>;
}

interface Snapshot {
  status: Awaited<ReturnType<typeof collectStatus>>;
  totals: Awaited<ReturnType<typeof batchTotals>>;
  fileStates: Map<string, number>;
  computedAt: number;
  computeSeconds: number;
}

/** A registry for one console process; render() runs the queries and returns the whole text. */
export function createMetrics(source: MetricsSource): { render(): Promise<string>; close(): void } {
  const registry = new Registry();
  const batches = new Counter({ name: 'cet_uploader_batches_total', help: 'Batches recorded, by kind.', labelNames: ['kind'], registers: [registry] });
  const records = new Counter({
    name: 'cet_uploader_batch_records_total',
    help: 'Records carried by batches, by kind.',
    labelNames: ['kind'],
    registers: [registry],
  });
  const lastBatch = new Gauge({
    name: 'cet_uploader_last_batch_timestamp_seconds',
    help: 'The cutoff of the latest batch of each kind (Unix seconds).',
    labelNames: ['kind'],
    registers: [registry],
  });
  const completions = new Gauge({
    name: 'cet_uploader_completions',
    help: 'Completions by state now (as `cet-uploader status` counts them).',
    labelNames: ['state'],
    registers: [registry],
  });
  const slaOverdue = new Gauge({ name: 'cet_uploader_sla_overdue', help: 'Completions past the 10-working-day limit, not uploaded.', registers: [registry] });
  const slaDueSoon = new Gauge({
    name: 'cet_uploader_sla_due_soon',
    help: 'Completions within 2 working days of the 10-working-day limit, not uploaded.',
    registers: [registry],
  });
  const finalOverdue = new Gauge({
    name: 'cet_uploader_final_overdue',
    help: "1 while a cycle's final-upload cutoff has passed without a FINAL batch, else 0.",
    labelNames: ['cycle'],
    registers: [registry],
  });
  const cycleOpen = new Gauge({
    name: 'cet_uploader_cycle_open',
    help: '1 while a cycle is not sealed by its FINAL batch, else 0.',
    labelNames: ['cycle'],
    registers: [registry],
  });
  const files = new Gauge({ name: 'cet_uploader_files', help: 'Batch files by delivery state.', labelNames: ['delivery_state'], registers: [registry] });
  const warnings = new Gauge({ name: 'cet_uploader_warnings', help: 'Warnings `status` prints now, by code.', labelNames: ['code'], registers: [registry] });

  const workersLive = new Gauge({ name: 'cet_uploader_workers_live', help: 'Upload workers with a heartbeat in the last few seconds.', registers: [registry] });
  const schedulerUp = new Gauge({
    name: 'cet_uploader_scheduler_up',
    help: '1 while the scheduler sends heartbeats (every 10 s) and has not stopped, else 0.',
    registers: [registry],
  });
  const schedulerHeartbeat = new Gauge({
    name: 'cet_uploader_scheduler_heartbeat_timestamp_seconds',
    help: "The scheduler's last heartbeat (Unix seconds); 0 when none was seen in the last day.",
    registers: [registry],
  });

  const computedAt = new Gauge({
    name: 'cet_uploader_metrics_computed_timestamp_seconds',
    help: 'When the cet_uploader_* values were read from PostgreSQL (Unix seconds).',
    registers: [registry],
  });
  const computeSeconds = new Gauge({
    name: 'cet_uploader_metrics_compute_seconds',
    help: 'How long reading the cet_uploader_* values from PostgreSQL took.',
    registers: [registry],
  });

  let running: Promise<unknown> = Promise.resolve();
  const refreshMs = source.refreshMs ?? 0;
  let latest: Promise<Snapshot> | undefined;
  let timer: NodeJS.Timeout | undefined;

  async function compute(): Promise<Snapshot> {
    const started = performance.now();
    const at = source.statusAt();
    const [status, totals, fileStates] = await Promise.all([collectStatus(source.db, at), batchTotals(source.db), filesByDeliveryState(source.db)]);
    return { status, totals, fileStates, computedAt: Date.now(), computeSeconds: (performance.now() - started) / 1000 };
  }

  function snapshot(): Promise<Snapshot> {
    if (!refreshMs) return compute();
    if (!latest) {
      latest = compute();
      latest.catch(() => (latest = undefined));
      timer = setInterval(() => {
        const next = compute();
        // Keep serving the last good snapshot until the next one is ready.
        next.then(() => (latest = next)).catch(() => {});
      }, refreshMs);
      timer.unref();
    }
    return latest;
  }

  async function renderOnce(): Promise<string> {
    const { status, totals, fileStates, ...taken } = await snapshot();
    registry.resetMetrics();
    computedAt.set(taken.computedAt / 1000);
    computeSeconds.set(taken.computeSeconds);
    for (const kind of KINDS) {
      const total = totals.find((t) => t.kind === kind);
      batches.inc({ kind }, total?.batches ?? 0);
      records.inc({ kind }, total?.records ?? 0);
      if (total) lastBatch.set({ kind }, Math.floor(total.lastCutoff.getTime() / 1000));
    }
    const c = status.completions;
    const byState: Record<string, number> = {
      waiting: c.waiting,
      held: c.held,
      carried: c.carried,
      accepted: c.accepted,
      rejected: c.rejected,
      late: c.late,
      after_cutoff: c.afterCutoff,
      no_open_cycle: c.noOpenCycle,
      quarantined: c.quarantined,
      import_rejected: c.importRejects,
    };
    for (const [state, value] of Object.entries(byState)) completions.set({ state }, value);
    slaOverdue.set(status.sla.overdue);
    slaDueSoon.set(status.sla.dueSoon);
    for (const cycle of status.cycles) {
      finalOverdue.set({ cycle: cycle.code }, !cycle.sealed && cycle.cutoffPassed ? 1 : 0);
      cycleOpen.set({ cycle: cycle.code }, cycle.sealed ? 0 : 1);
    }
    for (const [state, value] of fileStates) files.set({ delivery_state: state }, value);
    const presence = source.presence ? await source.presence() : undefined;
    if (presence) {
      workersLive.set(presence.workersLive ?? 0);
      schedulerUp.set(presence.schedulerUp ? 1 : 0);
      schedulerHeartbeat.set(presence.scheduler ? presence.scheduler.at.getTime() / 1000 : 0);
    }
    const codes = new Map<string, number>();
    for (const warning of [...(presence ? presenceWarnings(presence, source.statusAt().zone) : []), ...status.warnings]) codes.set(warning.code, (codes.get(warning.code) ?? 0) + 1);
    for (const [code, value] of codes) warnings.set({ code }, value);
    const queueText = await source.queue.exportPrometheusMetrics();
    return `${await registry.metrics()}\n${tidyLabels(queueText).trimEnd()}\n`;
  }

  return {
    render() {
      // One scrape at a time: each resets and refills the same registry.
      const next = running.then(renderOnce, renderOnce);
      running = next.catch(() => undefined);
      return next;
    },
    close() {
      clearInterval(timer);
    },
  };
}

/** BullMQ writes `{queue="uploads", state="active"}`; strict parsers want no blank after the comma. */
function tidyLabels(text: string): string {
  return text.replace(/\{[^}\n]*\}/g, (labels) => labels.replace(/",\s+/g, '",'));
}
