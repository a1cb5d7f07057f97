import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { writeFileAtomically } from '../../files/atomicFile.ts';
import path from 'node:path';
import pg from 'pg';
import { connectionConfig } from '../../db/database.ts';
import { sampleFiles } from '../../demo/sampleFiles.ts';
import { CommandContext } from '../context.ts';
import { ExitCode, OperatorError } from '../errors.ts';
import type { RegisterCommand } from './types.ts';

// The demo runs the real verbs, in this process, against a database, queue prefix and outbox
// of its own (…_demo), so it never touches the installation's data. Its input files, and the
// rejects files the imports write beside them, are kept in <OUTBOX_DIR>/demo-input; the hints it
// prints run as printed from the checkout (`npx cet-uploader`: npm puts no bin on PATH).

export const registerDemo: RegisterCommand = (program, context) => {
  program
    .command('demo')
    .description('creates a sample cycle and data, runs weekly batches and the final upload through the queue, and shows where the files are')
    .action(async () => {
      const config = context.config;
      const databaseUrl = new URL(config.DATABASE_URL);
      const demoDatabase = `${databaseUrl.pathname.slice(1) || 'cet_uploader'}_demo`;
      databaseUrl.pathname = `/${demoDatabase}`;
      const outbox = path.resolve(config.OUTBOX_DIR, 'demo');
      const inputDir = path.resolve(config.OUTBOX_DIR, 'demo-input');
      const env = {
        ...context.env,
        DATABASE_URL: databaseUrl.toString(),
        QUEUE_PREFIX: `${config.QUEUE_PREFIX}-demo`,
        OUTBOX_DIR: outbox,
        PROVIDER_CODE: config.PROVIDER_CODE ?? 'P00001',
        LOG_LEVEL: 'warn',
      };
      context.print(`Demo: database ${demoDatabase} (made anew), queue prefix ${env.QUEUE_PREFIX}, outbox ${outbox}.`);
      await dropDatabase(databaseUrl.toString(), demoDatabase);
      rmSync(outbox, { recursive: true, force: true });
      rmSync(inputDir, { recursive: true, force: true });
      mkdirSync(inputDir, { recursive: true, mode: 0o700 });
      for (const [kind, text] of Object.entries(sampleFiles())) await writeFileAtomically(inputDir, `${kind}.csv`, [text]);
      const steps: Array<{ args: string[]; ok: ExitCode[] }> = [
        { args: ['migrate'], ok: [0] },
        { args: ['cycle', 'add', '2019-2021', '--first-day', '2019-01-01', '--last-day', '2021-12-31', '--cutoff', '2021-12-30T12:00'], ok: [0] },
        ...(['registrants', 'events', 'completions', 'confirmations'] as const).map((kind) => ({
          args: ['import', kind, path.join(inputDir, `${kind}.csv`), '--now', '2022-01-10T09:00:00Z'],
          ok: [0, 3] as ExitCode[], // the sample holds two bad rows on purpose (EX-7, and EX-1's confirmation)
        })),
        ...['2021-W47', '2021-W48', '2021-W49', '2021-W50', '2021-W51'].map((week) => ({
          args: ['upload', 'weekly', '--week', week, '--now', '2022-01-10T09:00:00Z'],
          ok: [0] as ExitCode[],
        })),
        { args: ['upload', 'final', '--cycle', '2019-2021', '--now', '2021-12-30T12:00:00Z', '--yes'], ok: [0] },
        { args: ['status', '--now', '2022-01-10T09:00:00Z'], ok: [0] },
      ];
      for (const step of steps) {
        context.print(`\n$ npx cet-uploader ${step.args.join(' ')}`);
        const child = new CommandContext({ env, stdout: context.stdout, stderr: context.stderr, stdin: context.stdin });
        const { main } = await import('../main.ts');
        const code = await main(['node', 'cet-uploader', ...step.args], child);
        if (!step.ok.includes(code)) throw new OperatorError(`The demo stopped: \`cet-uploader ${step.args.join(' ')}\` exited ${code}.`, ExitCode.failed);
      }
      const files = readdirSync(outbox).filter((name) => name.endsWith('.csv')).sort();
      context.print(`\nThe demo wrote ${files.length} upload files, each with a manifest, to ${outbox}:`);
      for (const name of files) context.print(`  ${path.join(outbox, name)}`);
      context.print(`\nIts input files, and the rows the imports rejected (*.rejects.csv), are kept in ${inputDir}.`);
      const settings = `DATABASE_URL='${databaseUrl}' QUEUE_PREFIX=${env.QUEUE_PREFIX} OUTBOX_DIR='${outbox}'`;
      context.print(`\nLook around with the demo's settings, from this directory, e.g.:`);
      context.print(`  ${settings} npx cet-uploader trace 01-10004`);
      context.print(`  ${settings} npx cet-uploader status`);
    });
};

async function dropDatabase(url: string, name: string): Promise<void> {
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client(connectionConfig(admin.toString()));
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
  } finally {
    await client.end();
  }
}
