import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { Option } from 'commander';
import { addUser, ROLES, UsersFileError, type Role } from '../../console/users.ts';
import type { CommandContext } from '../context.ts';
import { RefusedError } from '../errors.ts';
import type { RegisterCommand } from './types.ts';

export const registerConsoleUser: RegisterCommand = (program, context) => {
  const command = program.command('console-user').description("the console's users (CONSOLE_USERS_FILE)");
  command
    .command('add <name>')
    .description('adds a console user, or sets a new password and role for one; asks for the password without echo')
    .addOption(new Option('--role <role>', 'viewer (reads everything) or operator (also end of cycle, deliveries, queue)').choices([...ROLES]).makeOptionMandatory())
    .action(async (name: string, options: { role: Role }) => {
      const file = context.config.CONSOLE_USERS_FILE;
      if (!file) throw new RefusedError('CONSOLE_USERS_FILE is not set: set it to the path of the users file (it is created, mode 600).');
      const password = await askPassword(context);
      if (password.length < 12) throw new RefusedError('Refused: a console password must be at least 12 characters. Nothing was written.');
      try {
        const done = await addUser(file, name, options.role, password);
        context.print(`${done === 'added' ? 'Added' : 'Replaced'} console user ${name} (${options.role}) in ${file}.`);
      } catch (error) {
        if (error instanceof UsersFileError) throw new RefusedError(error.message);
        throw error;
      }
    });
};

/** On a terminal: asked twice, typed without echo. Otherwise: the first line of standard input. */
async function askPassword(context: CommandContext): Promise<string> {
  const terminal = Boolean(context.stdin.isTTY && context.stdout.isTTY);
  if (!terminal) {
    const line = await firstLine(context.stdin);
    if (line === null) throw new RefusedError('No password on standard input: type it on a terminal, or pipe it in as one line.');
    return line;
  }
  const first = await hidden(context, 'Password: ');
  const second = await hidden(context, 'Same password again: ');
  if (first !== second) throw new RefusedError('The two passwords differ. Nothing was written.');
  return first;
}

function hidden(context: CommandContext, prompt: string): Promise<string> {
  let muted = false;
  const output = new Writable({
    write(chunk, _encoding, done) {
      if (!muted) context.stdout.write(chunk);
      done();
    },
  });
  const rl = createInterface({ input: context.stdin, output, terminal: true });
  return new Promise((resolve) => {
    rl.question(prompt, (answer) => {
      rl.close();
      context.stdout.write('\n');
      resolve(answer);
    });
    muted = true;
  });
}

function firstLine(input: NodeJS.ReadableStream): Promise<string | null> {
  const rl = createInterface({ input, terminal: false });
  return new Promise((resolve) => {
    let got: string | null = null;
    rl.once('line', (line) => {
      got = line.replace(/\r$/, '');
      rl.close();
    });
    rl.once('close', () => resolve(got));
  });
}
