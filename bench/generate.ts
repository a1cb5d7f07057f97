// Streaming generator of realistic import files for the benchmark (import-files.md).
//
// Everything is derived from the row number and a seeded PRNG, so the same --n gives the same
// files, and nothing is held in memory but a write buffer.
//
//   registrants.csv        ~50,000 registrants (70 % optometrists, 30 % dispensing opticians)
//   events.csv             ~2,000 events, a third interactive
//   completions.csv        N completions of the big week, ~0.4 % invalid rows of six kinds
//   confirmations.csv      both parties' confirmations of interactive completions, a few percent
//                          left unconfirmed (and those confirmed after the import's --now left out)
//   week-completions.csv   10,000 completions of a later week (the history step)
//   week-confirmations.csv their confirmations
//
// Every (registrant, event) pair is used at most once, so the only rejected rows are the ones
// generated invalid on purpose (no accidental DUPLICATE_COMPLETION).

import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { once } from 'node:events';
import path from 'node:path';

export const CYCLE = { code: '2022-2024', firstDay: '2022-01-01', lastDay: '2024-12-31', cutoff: '2024-12-30T12:00' };

/** The big week: every completion of completions.csv falls before its slot (Friday 06:00 London). */
export const BIG = {
  week: '2023-W24',
  slot: '2023-06-16T05:00:00.000Z',
  from: Date.parse('2022-01-10T00:00:00Z'),
  to: Date.parse('2023-06-14T00:00:00Z'),
  importNow: '2023-06-15T12:00:00Z',
  runNow: '2023-06-16T07:00:00Z',
};

/** The later week of the history step. */
export const LATER = {
  week: '2023-W26',
  slot: '2023-06-30T05:00:00.000Z',
  from: Date.parse('2023-06-19T00:00:00Z'),
  to: Date.parse('2023-06-28T00:00:00Z'),
  importNow: '2023-06-29T12:00:00Z',
  runNow: '2023-06-30T07:00:00Z',
  n: 10_000,
};

export const REGISTRANTS = 50_000;
export const EVENTS = 2_000;
const OPTOMETRISTS = 35_000;
const EVENT_BASE = 10_000;
const UNCONFIRMED_PERCENT = 4;
const INVALID_EVERY = 250; // 0.4 %

export interface GeneratedFiles {
  dir: string;
  registrants: string;
  events: string;
  completions: string;
  confirmations: string;
  weekCompletions: string;
  weekConfirmations: string;
  counts: {
    registrants: number;
    events: number;
    completions: number;
    invalidCompletions: number;
    interactiveCompletions: number;
    confirmations: number;
    unconfirmedInteractive: number;
    weekCompletions: number;
    weekConfirmations: number;
  };
  bytes: { completions: number };
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A CSV writer with backpressure and a 256 KiB buffer. */
class CsvOut {
  readonly stream: WriteStream;
  #buffer = '';
  rows = 0;
  constructor(file: string, header: string) {
    this.stream = createWriteStream(file);
    this.#buffer = `${header}\n`;
  }
  async line(text: string): Promise<void> {
    this.#buffer += `${text}\n`;
    this.rows++;
    if (this.#buffer.length >= 256 * 1024) {
      const ok = this.stream.write(this.#buffer);
      this.#buffer = '';
      if (!ok) await once(this.stream, 'drain');
    }
  }
  async close(): Promise<number> {
    if (this.#buffer) this.stream.write(this.#buffer);
    this.#buffer = '';
    this.stream.end();
    await once(this.stream, 'finish');
    return this.stream.bytesWritten;
  }
}

const SURNAMES = [
  'Smith', 'Jones', 'Taylor', 'Brown', 'Williams', 'Wilson', 'Johnson', 'Davies', 'Patel', 'Robinson', 'Wright',
  'Thompson', 'Evans', 'Walker', 'White', 'Roberts', 'Green', 'Hall', 'Wood', 'Jackson', 'Clarke', 'Khan', 'Ahmed',
  'Singh', 'Hughes', 'Edwards', 'Lewis', 'Morgan', "O'Brien", 'Smith-Jones', 'Ó Súilleabháin', 'Nguyen', 'Kowalski',
];
const FORENAMES = ['Amelia', 'Oliver', 'Isla', 'George', 'Ava', 'Noah', 'Mia', 'Arthur', 'Priya', 'Mohammed', 'Zoë', 'Siân'];

function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

export function gocNumberOf(r: number): string {
  return r < OPTOMETRISTS ? `01-${10_000 + r}` : `D-${10_000 + r - OPTOMETRISTS}`;
}

/** How the LMS writes it: mostly normal, some lower-case or without the hyphen. */
function gocAsWritten(r: number, roll: number): string {
  const goc = gocNumberOf(r);
  if (roll < 0.03) return goc.replace('-', '').toLowerCase();
  if (roll < 0.05) return ` ${goc} `;
  return goc;
}

export function eventRefOf(e: number): string {
  return `C-${EVENT_BASE + e}`;
}

function isInteractive(e: number): boolean {
  return e % 3 === 0;
}

/** The registrant of row i (a bijection of i mod R) and a distinct event per registrant. */
function pairOf(i: number, kOffset: number): { r: number; e: number } {
  const slot = i % REGISTRANTS;
  const k = Math.floor(i / REGISTRANTS) + kOffset;
  const r = (slot * 7919) % REGISTRANTS;
  const e = (r * 131 + k * 7) % EVENTS; // 7 is coprime with 2000: k < 2000 gives distinct events
  return { r, e };
}

function iso(ms: number, roll: number): string {
  const text = new Date(ms).toISOString();
  // Some LMS rows carry a +01:00 offset (the same instant written in British Summer Time).
  if (roll < 0.1) {
    const shifted = new Date(ms + 3_600_000).toISOString();
    return `${shifted.slice(0, 19)}+01:00`;
  }
  return text;
}

const INVALID_KINDS = ['INVALID_GOC_NUMBER', 'UNKNOWN_REGISTRANT', 'UNKNOWN_EVENT', 'MISSING_TIME_ZONE', 'FUTURE_TIMESTAMP', 'INVALID_PROVIDER_REF'] as const;

async function writeCompletions(
  completionsFile: string,
  confirmationsFile: string,
  options: { n: number; prefix: string; kOffset: number; from: number; to: number; importNow: string; seed: number; invalid: boolean; confirmWithinDays: number },
) {
  const random = mulberry32(options.seed);
  const completions = new CsvOut(completionsFile, 'provider_ref,goc_number,event_ref,completed_at');
  const confirmations = new CsvOut(confirmationsFile, 'provider_ref,party,confirmed_at,peer_goc_number');
  const importNow = Date.parse(options.importNow);
  const span = options.to - options.from;
  let invalid = 0;
  let interactive = 0;
  let unconfirmed = 0;
  for (let i = 0; i < options.n; i++) {
    const { r, e } = pairOf(i, options.kOffset);
    // In file order by time, as an LMS export would be, with a little jitter.
    const at = Math.floor(options.from + (span * i) / options.n + random() * 60_000);
    let ref = `${options.prefix}${String(i).padStart(8, '0')}`;
    let goc = gocAsWritten(r, random());
    let event = eventRefOf(e);
    let when = iso(at, random());
    const bad = options.invalid && i % INVALID_EVERY === 17 ? INVALID_KINDS[Math.floor(i / INVALID_EVERY) % INVALID_KINDS.length]! : null;
    switch (bad) {
      case 'INVALID_GOC_NUMBER': goc = `01-${r}x`; break;
      case 'UNKNOWN_REGISTRANT': goc = `01-${90_000 + (i % 9_999)}`; break;
      case 'UNKNOWN_EVENT': event = `C-${900_000 + (i % 99_999)}`; break;
      case 'MISSING_TIME_ZONE': when = when.slice(0, 19); break;
      case 'FUTURE_TIMESTAMP': when = '2031-01-01T00:00:00Z'; break;
      case 'INVALID_PROVIDER_REF': ref = `${options.prefix} ${i}`; break;
    }
    if (bad) invalid++;
    await completions.line(`${ref},${goc},${event},${when}`);
    if (bad || !isInteractive(e)) continue;
    interactive++;
    if (random() * 100 < UNCONFIRMED_PERCENT) {
      unconfirmed++;
      continue;
    }
    const peer = gocNumberOf((r + 1 + (i % 97)) % REGISTRANTS);
    let confirmedBoth = true;
    for (const party of ['registrant', 'peer'] as const) {
      // Within some days of the completion; not yet made if after the export.
      const confirmedAt = at + 3_600_000 + Math.floor(random() * options.confirmWithinDays * 86_400_000);
      if (confirmedAt > importNow) {
        confirmedBoth = false;
        continue;
      }
      await confirmations.line(`${ref},${party},${new Date(confirmedAt).toISOString()},${peer}`);
    }
    if (!confirmedBoth) unconfirmed++;
  }
  const completionBytes = await completions.close();
  await confirmations.close();
  return { rows: completions.rows, invalid, interactive, unconfirmed, confirmations: confirmations.rows, completionBytes };
}

export async function generate(dir: string, n: number): Promise<GeneratedFiles> {
  await mkdir(dir, { recursive: true });
  const files = {
    registrants: path.join(dir, 'registrants.csv'),
    events: path.join(dir, 'events.csv'),
    completions: path.join(dir, 'completions.csv'),
    confirmations: path.join(dir, 'confirmations.csv'),
    weekCompletions: path.join(dir, 'week-completions.csv'),
    weekConfirmations: path.join(dir, 'week-confirmations.csv'),
  };
  const random = mulberry32(1);

  const registrants = new CsvOut(files.registrants, 'goc_number,surname,forenames,profession,specialties,registered_from,registered_to');
  for (let r = 0; r < REGISTRANTS; r++) {
    const roll = random();
    let surname = SURNAMES[Math.floor(random() * SURNAMES.length)]!;
    // A few names that need care in the upload file: a comma (RFC 4180 quoting) and a leading
    // formula character (the safe-text rule).
    if (roll < 0.002) surname = `${surname}, Jr`;
    else if (roll < 0.003) surname = `-${surname}`;
    const forenames = FORENAMES[Math.floor(random() * FORENAMES.length)]!;
    const optometrist = r < OPTOMETRISTS;
    const specialties = optometrist ? (roll < 0.1 ? 'IP' : roll < 0.2 ? 'AS;SP' : '') : roll < 0.5 ? 'CLO' : '';
    const from = `20${String(5 + (r % 16)).padStart(2, '0')}-0${1 + (r % 9)}-1${r % 10}`;
    await registrants.line(
      [gocNumberOf(r), csvField(surname), forenames, optometrist ? 'optometrist' : 'dispensing_optician', specialties, from, ''].join(','),
    );
  }
  await registrants.close();

  const events = new CsvOut(files.events, 'event_ref,title,points,category,interactive,professions,approved_from,approved_to');
  for (let e = 0; e < EVENTS; e++) {
    const title = csvField(`${['Glaucoma', 'Myopia management', 'Contact lens', 'Dry eye', 'Paediatrics', 'Low vision'][e % 6]} update ${e}, part ${1 + (e % 3)}`);
    const points = 1 + (e % 3);
    const category = e % 5 === 0 ? 'specialist' : 'general';
    await events.line(
      [eventRefOf(e), title, points, category, isInteractive(e) ? 'Y' : 'N', 'optometrist;dispensing_optician', '2021-06-01', '2025-12-31'].join(','),
    );
  }
  await events.close();

  const big = await writeCompletions(files.completions, files.confirmations, {
    n, prefix: 'LMS-', kOffset: 0, from: BIG.from, to: BIG.to, importNow: BIG.importNow, seed: 2, invalid: true, confirmWithinDays: 10,
  });
  // Registrant/event pairs of the later week start at k = 1000: never one of the big week's.
  const week = await writeCompletions(files.weekCompletions, files.weekConfirmations, {
    n: LATER.n, prefix: 'LMSW-', kOffset: 1000, from: LATER.from, to: LATER.to, importNow: LATER.importNow, seed: 3, invalid: false, confirmWithinDays: 1,
  });
  return {
    dir,
    ...files,
    counts: {
      registrants: REGISTRANTS,
      events: EVENTS,
      completions: big.rows,
      invalidCompletions: big.invalid,
      interactiveCompletions: big.interactive,
      confirmations: big.confirmations,
      unconfirmedInteractive: big.unconfirmed,
      weekCompletions: week.rows,
      weekConfirmations: week.confirmations,
    },
    bytes: { completions: big.completionBytes },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const n = Number(process.argv[process.argv.indexOf('--n') + 1] ?? 1_000_000) || 1_000_000;
  const started = performance.now();
  const result = await generate(path.resolve('bench/data'), n);
  console.log(JSON.stringify({ ...result.counts, seconds: ((performance.now() - started) / 1000).toFixed(1) }));
}
