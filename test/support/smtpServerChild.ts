// A receiving SMTP server (the smtp-server package) for the reminder tests, run in a child
// process by smtpServer.ts. It listens on a free port (0), prints {"port": n} on stdout once
// listening, and writes every message it accepts to <dir>/accepted/<n>.eml. Before answering
// each message it reads <dir>/plan.json, a list of replies still to give ("451", "550",
// "accept"): the first is used and removed; an empty or missing plan accepts.
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { SMTPServer } from 'smtp-server';

const dir = process.argv[2]!;
mkdirSync(path.join(dir, 'accepted'), { recursive: true });
let accepted = 0;

function nextReply(): string {
  const planFile = path.join(dir, 'plan.json');
  if (!existsSync(planFile)) return 'accept';
  const plan = JSON.parse(readFileSync(planFile, 'utf8')) as string[];
  const reply = plan.shift() ?? 'accept';
  writeFileSync(`${planFile}.tmp`, JSON.stringify(plan));
  renameSync(`${planFile}.tmp`, planFile);
  return reply;
}

const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS', 'AUTH'],
  logger: false,
  onData(stream, _session, callback) {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => {
      const reply = nextReply();
      appendFileSync(path.join(dir, 'attempts.log'), `${reply}\n`);
      if (reply !== 'accept') {
        const error = new Error(reply.startsWith('4') ? 'Try again later' : 'Mailbox unavailable') as Error & { responseCode: number };
        error.responseCode = Number(reply);
        callback(error);
        return;
      }
      accepted += 1;
      const id = `Q${process.pid}X${accepted}`;
      const file = path.join(dir, 'accepted', `${String(accepted).padStart(5, '0')}.eml`);
      writeFileSync(`${file}.tmp`, Buffer.concat(chunks));
      renameSync(`${file}.tmp`, file);
      callback(null, `Ok: queued as ${id}`);
    });
  },
});

server.listen(0, '127.0.0.1', () => {
  const address = server.server.address();
  process.stdout.write(`${JSON.stringify({ port: typeof address === 'object' && address ? address.port : 0 })}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
