import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { simpleParser } from 'mailparser';

const CHILD = fileURLToPath(new URL('./smtpServerChild.ts', import.meta.url));

export interface ReceivedMessage {
  file: string;
  messageId: string;
  to: string;
  from: string;
  subject: string;
  text: string;
  contentType: string;
}

/** A real SMTP server in a child process on a free port; see smtpServerChild.ts. */
export interface TestSmtpServer {
  /** SMTP_URL for it. */
  url: string;
  /** The replies to give to the next messages, in order ("451", "550", "accept"); then it accepts. */
  plan(replies: string[]): void;
  /** Every message accepted so far, in the order accepted. */
  received(): Promise<ReceivedMessage[]>;
  /** Every reply given so far ("451", "550", "accept"). */
  attempts(): string[];
  stop(): Promise<void>;
}

export async function startSmtpServer(): Promise<TestSmtpServer> {
  const dir = mkdtempSync(path.join(tmpdir(), 'cet-smtp-'));
  const child: ChildProcess = spawn(process.execPath, [CHILD, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      const line = out.split('\n')[0];
      if (out.includes('\n')) resolve((JSON.parse(line!) as { port: number }).port);
    });
    child.once('exit', (code) => reject(new Error(`the test SMTP server exited (${code}) before listening`)));
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    url: `smtp://127.0.0.1:${port}`,
    plan(replies) {
      writeFileSync(path.join(dir, 'plan.json'), JSON.stringify(replies));
    },
    async received() {
      const folder = path.join(dir, 'accepted');
      const files = readdirSync(folder).filter((name) => name.endsWith('.eml')).sort();
      return Promise.all(
        files.map(async (file) => {
          const parsed = await simpleParser(readFileSync(path.join(folder, file)));
          const to = Array.isArray(parsed.to) ? parsed.to.map((a) => a.text).join(', ') : (parsed.to?.text ?? '');
          return {
            file,
            messageId: parsed.messageId ?? '',
            to,
            from: parsed.from?.text ?? '',
            subject: parsed.subject ?? '',
            text: parsed.text ?? '',
            contentType: String(parsed.headers.get('content-type') ? (parsed.headers.get('content-type') as { value: string }).value : ''),
          };
        }),
      );
    },
    attempts() {
      try {
        return readFileSync(path.join(dir, 'attempts.log'), 'utf8').split('\n').filter(Boolean);
      } catch {
        return [];
      }
    },
    async stop() {
      if (child.exitCode === null && child.pid) process.kill(child.pid, 'SIGKILL');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
