import { createReadStream, promises as fs } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { Queue } from 'bullmq';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type pg from 'pg';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import { describeDuration, describeInstant } from '../domain/businessTime.ts';
import { countAudit, listAudit, recordAudit } from '../db/audit.ts';
import { ensureDeliveryRows, findDelivery, listDeliveries, markDelivered } from '../delivery/deliveryQueries.ts';
import type { DeliveryWiring } from '../delivery/deliveryWiring.ts';
import { retryDelivery } from '../delivery/retryDelivery.ts';
import { findBatchById } from '../db/batches.ts';
import { batchesPage, batchItemsPage, countBatches } from '../db/consoleBatches.ts';
import { findCycleByCode, listCycles } from '../db/cycles.ts';
import type { Db } from '../db/database.ts';
import { csvLines } from '../reports/csv.ts';
import { heldReport, lateReport, rejectedReport, rejectsReport, slaReport, SLA_DESCRIPTION, streamOf, type ReportAt, type ReportRow, type ReportStream } from '../reports/reportRows.ts';
import { traceKey, TRACE_TABLE_COLUMNS } from '../reports/trace.ts';
import { collectStatus } from '../status/collectStatus.ts';
import { manifestName } from '../usecases/writeBatchFile.ts';
import { requireOperator, viewerOf } from './auth.ts';
import { cycleChart } from './chart.ts';
import { previewFinal, runFinalBatch } from './finalBatch.ts';
import { html, type Html } from './html.ts';
import { page } from './layout.ts';
import { keyColumns, pager, table } from './tables.ts';
import { presenceWarnings, type ServicePresence } from '../status/presence.ts';

export interface PagesOptions {
  config: Config;
  db: Db;
  pool: pg.Pool;
  /** Connections for the FINAL batch, with the generous statement timeout of claims. */
  writes: () => { db: Db; pool: pg.Pool };
  clock: () => Date;
  logger: Logger;
  /** The worker's and the scheduler's heartbeats (presence.ts). */
  presence: () => Promise<ServicePresence>;
  /** The uploads queue: a retried delivery's job goes there. */
  queue: Queue;
  /** Present when DELIVERY=sftp (src/cli/deliveryWiring.ts): what a retry queues the job with. */
  delivery: DeliveryWiring | undefined;
  /** How many workers run now (src/queue/workerPresence.ts). */
  liveWorkers: () => Promise<number>;
}

const PAGE_SIZE = 50;

/** The reports of cli.md, as the console shows them; rows from the same code as `report`. */
const REPORTS: Record<string, { title: string; description: string; load: (o: PagesOptions, at: ReportAt) => Promise<ReportStream> }> = {
  held: { title: 'Held', description: 'interactive completions still held for peer confirmation, with the end of each hold window', load: (o, at) => heldReport(o, at) },
  late: { title: 'Late', description: 'LATE, AFTER_CUTOFF and NO_OPEN_CYCLE completions, with the reason', load: (o, at) => lateReport(o, at) },
  rejected: { title: 'Rejected', description: 'records the regulator rejected, and whether each has been corrected', load: async (o) => streamOf(await rejectedReport(o.db)) },
  rejects: { title: 'Rejects', description: 'rows refused at import: file, line, kind, key, codes, message', load: async (o) => streamOf(await rejectsReport(o.pool)) },
  sla: { title: 'SLA', description: SLA_DESCRIPTION, load: (o, at) => slaReport(o, at) },
};

/** A report page shows this many rows; the CSV download has them all. */
const REPORT_PAGE_ROWS = 500;

function pageNumber(query: unknown): number {
  const n = Number((query as { page?: string }).page ?? 1);
  return Number.isInteger(n) && n >= 1 ? n : 1;
}

export function registerPages(app: FastifyInstance, options: PagesOptions): void {
  const { config, db } = options;
  const zone = config.BUSINESS_TIME_ZONE;
  const at = (): ReportAt => ({ now: options.clock(), zone, holdDays: config.INTERACTIVE_HOLD_DAYS });
  const when = (instant: Date | null | undefined) => (instant ? describeInstant(instant, zone) : '');
  const operatorOnly = requireOperator(db);

  async function send(reply: FastifyReply, title: string, current: string, body: Html, code = 200) {
    const request = reply.request;
    const csrf = await reply.generateCsrf();
    return reply.code(code).type('text/html').send(page({ title, current, viewer: viewerOf(request), csrf }, body));
  }

  app.get('/', async (_request, reply) => {
    const now = options.clock();
    const [status, presence] = await Promise.all([
      collectStatus(db, { now, zone, holdDays: config.INTERACTIVE_HOLD_DAYS, weeklyCron: config.WEEKLY_CRON, outboxDir: config.OUTBOX_DIR }),
      options.presence(),
    ]);
    const c = status.completions;
    const warnings = [...presenceWarnings(presence, zone), ...status.warnings];
    const scheduler = presence.scheduler;
    const body = html`
${warnings.length ? html`<h2>Warnings</h2><ul class="warnings" role="list">${warnings.map((w) => html`<li><strong>${w.code}</strong>: ${w.message}</li>`)}</ul>` : html`<p class="ok">No warnings.</p>`}
<p class="muted">As of ${when(now)}.</p>
<h2>Cycles</h2>
${table(
  'Cycles, their final-upload cutoffs (London time) and whether each is sealed by its FINAL batch',
  [
    { label: 'Cycle', value: (y) => y.code },
    { label: 'From', value: (y) => y.firstDay },
    { label: 'To', value: (y) => y.lastDay },
    { label: 'Cutoff', value: (y) => when(y.cutoff) },
    { label: 'Time remaining', value: (y) => (y.sealed ? '' : y.cutoffPassed ? 'passed' : describeDuration(y.cutoff.getTime() - now.getTime())) },
    { label: 'State', value: (y) => (y.sealed ? 'sealed by its FINAL batch' : y.cutoffPassed ? 'open, cutoff passed' : 'open') },
  ],
  status.cycles,
  'No cycles yet: add one with `cet-uploader cycle add`.',
)}
<h2>Worker and scheduler</h2>
<dl class="facts"><dt>Workers running</dt><dd>${presence.workersLive ?? 'unknown'}</dd>
<dt>Scheduler</dt><dd>${presence.schedulerUp ? `running (last heartbeat ${when(scheduler!.at)})` : !scheduler ? 'not seen' : scheduler.stoppedAt ? `stopped at ${when(scheduler.stoppedAt)}` : `silent since ${when(scheduler.at)}`}</dd></dl>
<h2>Next scheduled runs</h2>
<dl class="facts"><dt>Weekly batch</dt><dd>${when(status.nextRuns.weekly)}</dd>
${status.nextRuns.finals.map((f) => html`<dt>FINAL batch of ${f.cycle}</dt><dd>${f.overdue ? 'overdue: as soon as the scheduler runs, or by hand (End of cycle)' : when(f.at)}</dd>`)}</dl>
<h2>Latest batches</h2>
${table(
  'The latest batches',
  [
    { label: 'Batch', value: (b) => html`<a href="/batches/${b.id}">${b.seq === null ? '(empty)' : `#${b.seq}`}</a>` },
    { label: 'Kind', value: (b) => b.kind },
    { label: 'Cycle', value: (b) => b.cycle },
    { label: 'Period', value: (b) => b.period },
    { label: 'Records', value: (b) => b.records, numeric: true },
    { label: 'File', value: (b) => (b.fileName ? `${b.fileName}${b.writtenAt ? '' : ' (not written yet)'}` : 'empty, no file') },
  ],
  status.latestBatches,
  'No batches yet.',
)}
<h2>Completions</h2>
<dl class="facts">
<dt>Waiting for the next batch</dt><dd>${c.waiting}</dd>
<dt>Held for peer confirmation</dt><dd><a href="/reports/held">${c.held}</a></dd>
<dt>Carried, no acknowledgement yet</dt><dd>${c.carried}</dd>
<dt>Accepted by the regulator</dt><dd>${c.accepted}</dd>
<dt>Rejected by the regulator, not corrected</dt><dd><a href="/reports/rejected">${c.rejected}</a></dd>
<dt>Late / after cutoff / no open cycle</dt><dd><a href="/reports/late">${c.late} / ${c.afterCutoff} / ${c.noOpenCycle}</a></dd>
<dt>Quarantined</dt><dd>${c.quarantined}</dd>
<dt>Rows rejected at import</dt><dd><a href="/reports/rejects">${c.importRejects}</a></dd>
<dt>SLA</dt><dd><a href="/reports/sla">${status.sla.overdue} past the 10-working-day limit, ${status.sla.dueSoon} due within 2 working days</a></dd>
</dl>`;
    return send(reply, 'Overview', '/', body);
  });

  app.get('/batches', async (request, reply) => {
    const pageNo = pageNumber(request.query);
    const total = await countBatches(db);
    const rows = await batchesPage(db, PAGE_SIZE, (pageNo - 1) * PAGE_SIZE);
    const body = html`${table(
      `Every batch, newest first (${total} in all)`,
      [
        { label: 'Batch', value: (b) => html`<a href="/batches/${b.id}">${b.seq === null ? '(empty)' : `#${b.seq}`}</a>` },
        { label: 'Period', value: (b) => b.period },
        { label: 'Kind', value: (b) => b.kind },
        { label: 'Cycle', value: (b) => b.cycle },
        { label: 'Cutoff', value: (b) => when(b.cutoff) },
        { label: 'File', value: (b) => b.file_name ?? 'empty, no file' },
        { label: 'Records', value: (b) => b.records, numeric: true },
        { label: 'Points', value: (b) => b.points, numeric: true },
        { label: 'Interactive points', value: (b) => b.interactive_points, numeric: true },
        { label: 'Downgraded', value: (b) => b.downgraded, numeric: true },
        { label: 'Delivery', value: (b) => (!b.file_name ? '' : b.written_at ? 'written to the outbox' : 'not written yet') },
        { label: 'Acknowledgement', value: (b) => (b.accepted === null ? (b.file_name ? 'none yet' : '') : `${b.accepted} accepted, ${b.rejected} rejected`) },
      ],
      rows,
      'No batches yet.',
    )}${pager('/batches', pageNo, Math.ceil(total / PAGE_SIZE))}`;
    return send(reply, 'Batches', '/batches', body);
  });

  app.get('/batches/:id', async (request, reply) => {
    const id = (request.params as { id: string }).id;
    const batch = /^\d{1,18}$/.test(id) ? await findBatchById(db, id) : undefined;
    if (!batch) return send(reply, 'No such batch', '/batches', html`<p class="error">There is no batch ${id}.</p>`, 404);
    const pageNo = pageNumber(request.query);
    const items = await batchItemsPage(db, batch.id, PAGE_SIZE, (pageNo - 1) * PAGE_SIZE);
    const title = `Batch ${batch.seq === null ? '(empty)' : `#${batch.seq}`}: ${batch.kind} ${batch.cycle} ${batch.period}`;
    const body = html`<dl class="facts">
<dt>Cutoff</dt><dd>${when(batch.cutoff)}</dd><dt>Trigger</dt><dd>${batch.trigger}, claimed ${when(batch.claimedAt)}</dd>
<dt>Records</dt><dd>${batch.records}</dd><dt>Points</dt><dd>${batch.points} (${batch.interactivePoints} interactive)</dd><dt>Downgraded</dt><dd>${batch.downgraded}</dd>
<dt>File</dt><dd>${batch.fileName
      ? batch.writtenAt
        ? html`<a href="/batches/${batch.id}/file" download>${batch.fileName}</a> (${batch.bytes ?? 0} bytes, SHA-256 ${batch.sha256 ?? ''}), <a href="/batches/${batch.id}/manifest" download>manifest</a>`
        : html`${batch.fileName} (not written yet)`
      : 'empty batch, no file'}</dd></dl>
<h2>Records</h2>
${table(
  `Records of this batch, by provider_ref (${batch.records} in all)`,
  [
    { label: 'provider_ref', value: (r) => r.provider_ref },
    { label: 'revision', value: (r) => r.revision, numeric: true },
    { label: 'GOC number', value: (r) => r.goc_number },
    { label: 'Surname', value: (r) => r.surname },
    { label: 'Event', value: (r) => r.event_ref },
    { label: 'Completed on', value: (r) => r.completed_on },
    { label: 'Points', value: (r) => r.points, numeric: true },
    { label: 'Category', value: (r) => r.category },
    { label: 'Interactive', value: (r) => (r.interactive ? 'Y' : 'N') },
    { label: 'Downgrade', value: (r) => r.downgrade_reason ?? '' },
    { label: 'Acknowledgement', value: (r) => [r.ack_status, r.ack_code].filter(Boolean).join(' ') },
  ],
  items,
  'This batch carries no records.',
)}${pager(`/batches/${batch.id}`, pageNo, Math.ceil(batch.records / PAGE_SIZE))}`;
    return send(reply, title, '/batches', body);
  });

  for (const which of ['file', 'manifest'] as const) {
    app.get(`/batches/:id/${which}`, async (request, reply) => {
      const id = (request.params as { id: string }).id;
      const batch = /^\d{1,18}$/.test(id) ? await findBatchById(db, id) : undefined;
      if (!batch?.fileName || !batch.writtenAt) return reply.code(404).type('text/plain').send('This batch has no written file.');
      const name = path.basename(which === 'file' ? batch.fileName : manifestName(batch.fileName));
      const file = path.join(config.OUTBOX_DIR, name);
      try {
        await fs.access(file);
      } catch {
        return reply.code(404).type('text/plain').send(`${name} is not in the outbox (${config.OUTBOX_DIR}) any more.`);
      }
      return reply
        .type(which === 'file' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8')
        .header('content-disposition', `attachment; filename="${name}"`)
        .send(createReadStream(file));
    });
  }

  for (const [name, report] of Object.entries(REPORTS)) {
    app.get(`/reports/${name}`, async (_request, reply) => {
      const result = await report.load(options, at());
      const rows: ReportRow[] = [];
      let more = false;
      for await (const row of result.rows) {
        if (rows.length === REPORT_PAGE_ROWS) {
          more = true;
          break;
        }
        rows.push(row);
      }
      const keys = result.columns ?? Object.keys(rows[0] ?? {});
      const body = html`<p>${report.description[0]!.toUpperCase()}${report.description.slice(1)}. As of ${when(options.clock())}.
<a href="/reports/${name}.csv" download>Download as CSV</a> (the same as <code>cet-uploader report ${name} --format csv</code>).</p>
${more ? html`<p class="notice">The first ${REPORT_PAGE_ROWS} rows; the CSV download has every row.</p>` : ''}
${table(`${report.title}: ${more ? `first ${rows.length}` : rows.length} row(s)`, keyColumns(keys), rows, result.empty)}`;
      return send(reply, report.title, `/reports/${name}`, body);
    });
    app.get(`/reports/${name}.csv`, async (_request, reply) => {
      const result = await report.load(options, at());
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${name}.csv"`)
        .send(Readable.from(csvLines(result.rows, result.columns)));
    });
  }

  app.get('/trace', async (request, reply) => {
    const q = String((request.query as { q?: string }).q ?? '').trim();
    const form = html`<form method="get" action="/trace" role="search"><label for="q">GOC number or provider_ref</label>
<input id="q" name="q" type="search" value="${q}" placeholder="01-12345, 0112345, D-1234 or a provider_ref" required> <button type="submit">Trace</button></form>`;
    if (!q) return send(reply, 'Trace', '/trace', html`${form}<p class="muted">Where are my points? Every completion of a registrant (or one completion): its state, the batch and file that carried it, the downgrade and the acknowledgement.</p>`);
    const answer = await traceKey(db, q, at());
    const body = answer.nothing
      ? html`${form}<p class="error" role="alert">${answer.nothing}</p>`
      : html`${form}<h2>${answer.who}</h2><p>As of ${when(options.clock())}: ${answer.completions} completion(s), ${answer.rejectedAtImport} row(s) rejected at import and not imported since.</p>
${table(`Trace of ${q}`, keyColumns(TRACE_TABLE_COLUMNS), answer.rows, 'No completions.')}`;
    return send(reply, 'Trace', '/trace', body);
  });

  app.get('/chart', async (_request, reply) => {
    const now = options.clock();
    const cycles = await listCycles(db);
    const charts: Html[] = [];
    for (const cycle of cycles.filter((y) => !y.sealed || y === cycles[cycles.length - 1])) {
      charts.push(html`<h2>Cycle ${cycle.code}</h2>${await cycleChart(db, cycle, now, config.INTERACTIVE_HOLD_DAYS, zone)}`);
    }
    return send(reply, 'Chart of the cycle so far', '/chart', charts.length ? html`${charts}` : html`<p class="muted">No cycles yet.</p>`);
  });

  app.get('/audit', async (request, reply) => {
    const pageNo = pageNumber(request.query);
    const total = await countAudit(db);
    const rows = await listAudit(db, { limit: PAGE_SIZE, offset: (pageNo - 1) * PAGE_SIZE });
    const body = html`<p>Every operator action and every login, newest first (also: <code>cet-uploader report audit</code>).</p>
${table(
  `Audit (${total} entries)`,
  [
    { label: 'When', value: (a) => when(a.at) },
    { label: 'User', value: (a) => a.username },
    { label: 'Action', value: (a) => a.action },
    { label: 'Target', value: (a) => a.target ?? '' },
    { label: 'Outcome', value: (a) => a.outcome },
    { label: 'Detail', value: (a) => a.detail ?? '' },
    { label: 'From', value: (a) => a.remote_address ?? '' },
  ],
  rows,
  'Nothing recorded yet.',
)}${pager('/audit', pageNo, Math.ceil(total / PAGE_SIZE))}`;
    return send(reply, 'Audit', '/audit', body);
  });

  app.get('/end-of-cycle', { preHandler: operatorOnly }, async (request, reply) => {
    const now = options.clock();
    const flash = (request.query as { done?: string }).done;
    const cycles = (await listCycles(db)).filter((y) => !y.sealed);
    const sections: Html[] = [];
    for (const cycle of cycles) {
      const preview = await previewFinal(db, cycle, config.INTERACTIVE_HOLD_DAYS);
      const open = now >= cycle.final_cutoff;
      const k = preview.carry;
      sections.push(html`<section aria-labelledby="cycle-${cycle.code}"><h2 id="cycle-${cycle.code}">Cycle ${cycle.code}</h2>
<p>Final-upload cutoff: <strong>${when(cycle.final_cutoff)}</strong>${open ? ' (passed)' : html`, <strong>${describeDuration(cycle.final_cutoff.getTime() - now.getTime())}</strong> from now`}.</p>
<p>Dry run: its FINAL batch would carry <strong>${k.records}</strong> records, ${k.points} points: ${k.nonInteractive} non-interactive, ${k.interactive} interactive (both parties confirmed),
${k.downgraded14} downgraded (no peer confirmation within the hold window), ${k.downgradedAtCutoff} downgraded (unconfirmed at the cutoff).
Held now: ${preview.held}; quarantined (left out): ${preview.quarantined}. Anything arriving after it runs is LATE.</p>
${preview.heldSample.length
  ? table('Interactive completions it would downgrade (first 50)', [
      { label: 'provider_ref', value: (h) => h.provider_ref },
      { label: 'GOC number', value: (h) => h.goc_number },
      { label: 'Event', value: (h) => h.event_ref },
      { label: 'Hold window would end', value: (h) => when(h.hold_end) },
    ], preview.heldSample, '')
  : ''}
<form method="post" action="/end-of-cycle/${cycle.code}">
<input type="hidden" name="_csrf" value="${await reply.generateCsrf()}">
${open
  ? html`<p><label for="confirm-${cycle.code}">Type the cycle code <kbd>${cycle.code}</kbd> to confirm</label>
<input id="confirm-${cycle.code}" name="confirm" type="text" autocomplete="off" required> <button type="submit">Run the FINAL batch and seal ${cycle.code}</button></p>`
  : html`<p><button type="submit" disabled aria-describedby="why-${cycle.code}">Run the FINAL batch of ${cycle.code}</button>
<span id="why-${cycle.code}" class="muted">Not before the cutoff, ${when(cycle.final_cutoff)}: ${describeDuration(cycle.final_cutoff.getTime() - now.getTime())} remain. Weekly batches carry completions until then.</span></p>`}
</form></section>`);
    }
    const body = html`${flash ? html`<p class="notice" role="status">${flash}</p>` : ''}
${sections.length ? sections : html`<p class="muted">Every cycle is sealed by its FINAL batch; nothing to do.</p>`}`;
    return send(reply, 'End of cycle', '/end-of-cycle', body);
  });

  app.post('/end-of-cycle/:code', { preHandler: [operatorOnly, app.csrfProtection] }, async (request, reply) => {
    const user = viewerOf(request);
    const code = (request.params as { code: string }).code;
    const confirm = String((request.body as { confirm?: string } | undefined)?.confirm ?? '').trim();
    const now = options.clock();
    const audit = (outcome: string, detail?: string) =>
      recordAudit(db, { username: user.name, action: 'FINAL', target: code, outcome, detail, remoteAddress: request.ip });
    const cycle = await findCycleByCode(db, code);
    if (!cycle) {
      await audit('refused', 'no such cycle');
      return send(reply, 'End of cycle', '/end-of-cycle', html`<p class="error" role="alert">No cycle "${code}".</p>`, 404);
    }
    if (confirm !== cycle.code) {
      await audit('refused', 'confirmation did not match the cycle code');
      return send(reply, 'End of cycle', '/end-of-cycle', html`<p class="error" role="alert">Not confirmed: type the cycle code ${cycle.code} exactly. Nothing was changed.</p><p><a href="/end-of-cycle">Back</a></p>`, 400);
    }
    let result;
    try {
      result = await runFinalBatch({ ...options.writes(), config, logger: options.logger, delivery: options.delivery }, cycle, now);
    } catch (error) {
      const message = error instanceof Error ? error.message.split('\n')[0]! : String(error);
      await audit('failed', message);
      request.log.error({ cycle: code, err: message }, 'FINAL batch failed');
      return send(reply, 'End of cycle', '/end-of-cycle', html`<p class="error" role="alert">The FINAL batch of ${code} failed: ${message}</p>`, 500);
    }
    if (result.kind === 'too-early') {
      await audit('refused', 'before the cutoff');
      const remain = describeDuration(result.cutoff.getTime() - now.getTime());
      return send(reply, 'End of cycle', '/end-of-cycle', html`<p class="error" role="alert">Refused: the FINAL batch of ${code} cannot run before its cutoff, ${when(result.cutoff)}; ${remain} remain.</p>`, 409);
    }
    const outcome = result.kind === 'already-sealed' ? result.outcome : result.outcomes[0];
    const said = !outcome
      ? `FINAL batch of ${code}: nothing was run.`
      : result.kind === 'already-sealed' || !outcome.created
        ? `Cycle ${code} is already sealed by its FINAL batch ${outcome.seq === null ? '(empty)' : `#${outcome.seq}`}; nothing was changed.`
        : outcome.seq === null
          ? `FINAL batch of ${code}: nothing to carry; recorded as an empty batch, no file. The cycle is sealed.`
          : `FINAL batch #${outcome.seq} of ${code}: ${outcome.records} records, ${outcome.points} points (${outcome.interactivePoints} interactive), ${outcome.downgraded} downgraded; file ${outcome.fileName}. The cycle is sealed.`;
    await audit(result.kind === 'ran' && outcome?.created ? 'ok' : 'ok: already sealed', said);
    return reply.redirect(`/end-of-cycle?done=${encodeURIComponent(said)}`, 303);
  });

  app.get('/deliveries', { preHandler: operatorOnly }, async (request, reply) => {
    const pageNo = pageNumber(request.query);
    await ensureDeliveryRows(db);
    // Newest first; the whole list is one row per upload file (a few hundred a cycle at most).
    const all = (await listDeliveries(db)).reverse();
    const rows = all.slice((pageNo - 1) * PAGE_SIZE, pageNo * PAGE_SIZE);
    const inOutbox = new Map<number, number | null>();
    for (const d of rows) {
      const stat = await fs.stat(path.join(config.OUTBOX_DIR, path.basename(d.fileName))).catch(() => null);
      inOutbox.set(d.seq, stat ? stat.size : null);
    }
    const csrf = await reply.generateCsrf();
    const flash = (request.query as { done?: string }).done;
    const body = html`${flash ? html`<p class="notice" role="status">${flash}</p>` : ''}
<p class="muted">Delivery: ${options.delivery ? html`over SFTP by the worker; a FAILED file is sent again after <em>Retry</em> (or <code>cet-uploader deliver</code>)` : 'by hand (DELIVERY=none): upload each file from the outbox, then record it here'} (outbox <code>${config.OUTBOX_DIR}</code>).</p>
${table(
  'Upload files, newest first',
  [
    { label: 'File', value: (d) => html`<a href="/batches/${d.batchId}">#${d.seq}</a> ${d.fileName}` },
    { label: 'Kind', value: (d) => `${d.kind} ${d.period}` },
    { label: 'In the outbox', value: (d) => (inOutbox.get(d.seq) === null ? 'missing' : `yes, ${inOutbox.get(d.seq)} bytes`) },
    { label: 'Delivery', value: (d) => d.state + (d.deliveredBy ? ` (${d.deliveredBy === 'manual' ? 'by hand' : d.deliveredBy === 'found' ? 'found on the server' : 'SFTP'})` : '') },
    { label: 'When', value: (d) => when(d.deliveredAt ?? d.attemptedAt) },
    { label: 'Attempts', value: (d) => String(d.attempts) },
    { label: 'Last error', value: (d) => (d.state === 'DELIVERED' ? '' : d.lastError ?? '') },
    {
      label: 'Action',
      value: (d) =>
        d.state === 'DELIVERED'
          ? ''
          : html`${d.state === 'FAILED' && options.delivery ? html`<form method="post" action="/deliveries/${d.seq}/retry"><input type="hidden" name="_csrf" value="${csrf}"><button type="submit">Retry #${d.seq}</button></form>` : ''}<form method="post" action="/deliveries/${d.seq}/mark-delivered"><input type="hidden" name="_csrf" value="${csrf}"><button type="submit">Mark #${d.seq} delivered by hand</button></form>`,
    },
  ],
  rows,
  'No batch has a file yet.',
)}${pager('/deliveries', pageNo, Math.ceil(all.length / PAGE_SIZE))}`;
    return send(reply, 'Deliveries', '/deliveries', body);
  });

  // A FAILED file is tried again by the worker: PENDING with its attempts kept, and deliver-<seq>
  // queued as the worker queues a file it has written (src/delivery/retryDelivery.ts).
  app.post('/deliveries/:seq/retry', { preHandler: [operatorOnly, app.csrfProtection] }, async (request, reply) => {
    const user = viewerOf(request);
    const seqText = (request.params as { seq: string }).seq;
    const seq = Number(seqText);
    const known = Number.isInteger(seq) && seq > 0 ? await findDelivery(db, seq) : undefined;
    const audit = (outcome: string, detail?: string) =>
      recordAudit(db, { username: user.name, action: 'DELIVERY_RETRY', target: known ? `${seq} ${known.fileName}` : seqText, outcome, detail, remoteAddress: request.ip });
    const refuse = async (code: number, message: string) => {
      await audit('refused', message);
      return send(reply, 'Deliveries', '/deliveries', html`<p class="error" role="alert">${message}</p><p><a href="/deliveries">Back to the deliveries</a></p>`, code);
    };
    if (!options.delivery) {
      return refuse(409, 'DELIVERY=none: this installation does not send files, so there is nothing to retry. Upload the file from the outbox and mark it delivered by hand, or set DELIVERY=sftp.');
    }
    if (!Number.isInteger(seq) || seq < 1) return refuse(404, `No upload file number ${seqText}.`);
    const outcome = await retryDelivery({ db, queue: options.queue, wiring: options.delivery, clock: options.clock }, seq);
    let said: string;
    switch (outcome.kind) {
      case 'no-such-file':
        return refuse(404, `No upload file number ${seqText}.`);
      case 'not-queued':
        said = `File ${seq} (${outcome.delivery.fileName}) could not be queued (${outcome.error}); it is FAILED as before. Try again when Redis answers, or run \`cet-uploader deliver --seq ${seq}\`.`;
        await audit('failed: not queued', said);
        break;
      case 'not-failed':
        said = `File ${seq} (${outcome.delivery.fileName}) is ${outcome.delivery.state}, not FAILED; nothing was changed.`;
        await audit('ok: not failed', said);
        break;
      case 'queued': {
        const later = outcome.jobs.filter((n) => n !== seq);
        const workers = await options.liveWorkers().catch(() => null);
        said =
          `File ${seq} (${outcome.delivery.fileName}) is PENDING again (${outcome.attempts} attempt${outcome.attempts === 1 ? '' : 's'} so far) and queued for delivery (job deliver-${seq}` +
          (later.length ? `; deliver-${later.join(', deliver-')} for the files that waited for it` : '') +
          ').' +
          (workers === 0 ? ' No worker is running: it is sent when one starts, or run `cet-uploader deliver`.' : '');
        await audit('ok', said);
        break;
      }
    }
    return reply.redirect(`/deliveries?done=${encodeURIComponent(said)}`, 303);
  });

  // What `deliver --mark-delivered <n>` does: a person uploaded the file by other means.
  app.post('/deliveries/:seq/mark-delivered', { preHandler: [operatorOnly, app.csrfProtection] }, async (request, reply) => {
    const user = viewerOf(request);
    const seqText = (request.params as { seq: string }).seq;
    const now = options.clock();
    const audit = (outcome: string, detail?: string) =>
      recordAudit(db, { username: user.name, action: 'DELIVERY_MARK', target: seqText, outcome, detail, remoteAddress: request.ip });
    const seq = Number(seqText);
    await ensureDeliveryRows(db);
    const delivery = Number.isInteger(seq) && seq > 0 ? await findDelivery(db, seq) : undefined;
    if (!delivery) {
      await audit('refused', 'no such upload file');
      return send(reply, 'Deliveries', '/deliveries', html`<p class="error" role="alert">No upload file number ${seqText}.</p><p><a href="/deliveries">Back</a></p>`, 404);
    }
    let said: string;
    if (delivery.state === 'DELIVERED') {
      said = `File ${seq} (${delivery.fileName}) was already recorded delivered; nothing was changed.`;
      await audit('ok: already delivered', said);
    } else {
      await markDelivered(db, delivery.batchId, { by: 'manual', remotePath: null, bytes: null, at: now, note: `marked delivered by hand in the console by ${user.name}` });
      said = `Recorded file ${seq} (${delivery.fileName}) as delivered by hand at ${when(now)}.`;
      await audit('ok', said);
    }
    return reply.redirect(`/deliveries?done=${encodeURIComponent(said)}`, 303);
  });
}
