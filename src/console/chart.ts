import type { CycleRow } from '../db/cycles.ts';
import type { Db } from '../db/database.ts';
import { heldAt, weeklySeries } from '../db/consoleBatches.ts';
import { businessDate } from '../domain/businessTime.ts';
import escapeXml from 'escape-html';
import { Html, html } from './html.ts';

// Server-rendered SVG (console.md: "a chart of the cycle so far"): records and points per
// weekly batch, and the held count at each weekly cutoff and now. No script, no library.

const W = 920;
const H = 260;
const PAD = { left: 56, right: 16, top: 16, bottom: 72 };

function scale(max: number): { top: number; ticks: number[] } {
  const top = Math.max(1, max);
  const step = Math.pow(10, Math.floor(Math.log10(top)));
  const nice = [1, 2, 5, 10].map((m) => m * step).find((s) => top / s <= 5) ?? step * 10;
  const ceiling = Math.ceil(top / nice) * nice;
  const ticks: number[] = [];
  for (let t = 0; t <= ceiling; t += nice) ticks.push(t);
  return { top: ceiling, ticks };
}

function frame(title: string, desc: string, labels: string[], ceiling: { top: number; ticks: number[] }, inner: string, legend: string): Html {
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const y = (v: number) => PAD.top + plotH - (v / ceiling.top) * plotH;
  const every = Math.max(1, Math.ceil(labels.length / 16));
  const xLabel = (i: number) => PAD.left + ((i + 0.5) * plotW) / Math.max(1, labels.length);
  const grid = ceiling.ticks
    .map((t) => `<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${y(t)}" y2="${y(t)}" stroke="#d0d7de"/><text x="${PAD.left - 6}" y="${y(t) + 4}" text-anchor="end" font-size="11" fill="#57606a">${t}</text>`)
    .join('');
  const xs = labels
    .map((label, i) => (i % every === 0 ? `<text x="${xLabel(i)}" y="${H - PAD.bottom + 16}" text-anchor="end" font-size="11" fill="#57606a" transform="rotate(-35 ${xLabel(i)} ${H - PAD.bottom + 16})">${escapeXml(label)}</text>` : ''))
    .join('');
  return html`<figure><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H + 28}" width="100%" role="img" aria-labelledby="t-${slug(title)} d-${slug(title)}" style="max-width:${W}px">
<title id="t-${slug(title)}">${title}</title><desc id="d-${slug(title)}">${desc}</desc>
${new Html(grid + inner + xs + legend)}
<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${PAD.top + plotH}" y2="${PAD.top + plotH}" stroke="#57606a"/></svg><figcaption class="muted">${desc}</figcaption></figure>`;
}

function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-');
}


function legendItem(x: number, color: string, label: string): string {
  return `<rect x="${x}" y="${H + 10}" width="12" height="12" fill="${color}"/><text x="${x + 16}" y="${H + 20}" font-size="12" fill="#1b1f24">${escapeXml(label)}</text>`;
}

export async function cycleChart(db: Db, cycle: CycleRow, now: Date, holdDays: number, zone: string): Promise<Html> {
  const series = await weeklySeries(db, cycle.id);
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const labels = series.map((s) => s.period);
  const ceiling = scale(Math.max(0, ...series.map((s) => Math.max(s.records, s.points))));
  const y = (v: number) => PAD.top + plotH - (v / ceiling.top) * plotH;
  const slot = plotW / Math.max(1, series.length);
  const bar = Math.max(2, Math.min(18, slot / 2.5));
  const bars = series
    .map((s, i) => {
      const x = PAD.left + i * slot + slot / 2;
      return (
        `<rect x="${x - bar}" y="${y(s.records)}" width="${bar}" height="${PAD.top + plotH - y(s.records)}" fill="#0b5cad"><title>${escapeXml(s.period)}: ${s.records} records</title></rect>` +
        `<rect x="${x}" y="${y(s.points)}" width="${bar}" height="${PAD.top + plotH - y(s.points)}" fill="#f5a623"><title>${escapeXml(s.period)}: ${s.points} points</title></rect>`
      );
    })
    .join('');
  const weekly = series.length
    ? frame(
        `Records and points per weekly batch, cycle ${cycle.code}`,
        `${series.length} weekly batch(es) of cycle ${cycle.code}; bars: records (blue) and points (orange) each batch carried.`,
        labels,
        ceiling,
        bars,
        legendItem(PAD.left, '#0b5cad', 'records') + legendItem(PAD.left + 100, '#f5a623', 'points'),
      )
    : html`<p class="muted">No weekly batch of ${cycle.code} yet.</p>`;

  const instants = [...series.map((s) => s.cutoff), ...(now > (series.at(-1)?.cutoff ?? new Date(0)) ? [now] : [])];
  const held = await heldAt(db, cycle.starts_at, instants, holdDays);
  const heldLabels = instants.map((at, i) => (i < series.length ? series[i]!.period : `now (${businessDate(now, zone)})`));
  const heldCeiling = scale(Math.max(0, ...held));
  const hy = (v: number) => PAD.top + plotH - (v / heldCeiling.top) * plotH;
  const hslot = plotW / Math.max(1, held.length);
  const points = held.map((v, i) => `${PAD.left + i * hslot + hslot / 2},${hy(v)}`);
  const line =
    `<polyline points="${points.join(' ')}" fill="none" stroke="#8250df" stroke-width="2"/>` +
    held.map((v, i) => `<circle cx="${PAD.left + i * hslot + hslot / 2}" cy="${hy(v)}" r="3.5" fill="#8250df"><title>${escapeXml(heldLabels[i]!)}: ${v} held</title></circle>`).join('');
  const heldChart = frame(
    `Held interactive completions over time, cycle ${cycle.code}`,
    `Interactive completions of ${cycle.code} held for peer confirmation at each weekly cutoff${instants.length > series.length ? ' and now' : ''}; now ${held.at(-1) ?? 0}.`,
    heldLabels,
    heldCeiling,
    line,
    legendItem(PAD.left, '#8250df', 'held for peer confirmation'),
  );
  return html`${weekly}${heldChart}`;
}
