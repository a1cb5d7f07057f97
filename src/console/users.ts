import { promises as fs } from 'node:fs';
import { writeFileAtomically } from '../files/atomicFile.ts';
import path from 'node:path';
import bcrypt from 'bcryptjs';

// CONSOLE_USERS_FILE (console.md): one user a line, `name:role:hash`, the hash bcrypt's
// (bcryptjs: pure JavaScript, no native build). The file must not be group- or world-readable.

export const ROLES = ['viewer', 'operator'] as const;
export type Role = (typeof ROLES)[number];

export interface ConsoleUser {
  name: string;
  role: Role;
  hash: string;
}

export const USER_NAME = /^[A-Za-z0-9._@-]{1,64}$/;
const BCRYPT_COST = 12;

export class UsersFileError extends Error {}

/** The users of the file's text; a bad line is an error naming its line number (never its hash). */
export function parseUsers(text: string, file: string): Map<string, ConsoleUser> {
  const users = new Map<string, ConsoleUser>();
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const [name = '', role = '', ...rest] = line.split(':');
    const hash = rest.join(':');
    if (!USER_NAME.test(name) || !ROLES.includes(role as Role) || !/^\$2[aby]\$\d\d\$.{53}$/.test(hash)) {
      throw new UsersFileError(
        `${file} line ${index + 1} is not "name:role:bcrypt-hash" (role viewer or operator); write users with \`cet-uploader console-user add <name> --role <role>\`.`,
      );
    }
    users.set(name, { name, role: role as Role, hash });
  });
  return users;
}

/** Reads the users file, refusing one that others than its owner may read. */
export async function readUsers(file: string): Promise<Map<string, ConsoleUser>> {
  let stat;
  try {
    stat = await fs.stat(file);
  } catch {
    throw new UsersFileError(`CONSOLE_USERS_FILE ${file} does not exist; add a user with \`cet-uploader console-user add <name> --role operator\`.`);
  }
  if (stat.mode & 0o077) {
    throw new UsersFileError(`CONSOLE_USERS_FILE ${file} may be read by its group or others (mode ${(stat.mode & 0o777).toString(8)}); run \`chmod 600 ${file}\`.`);
  }
  return parseUsers(await fs.readFile(file, 'utf8'), file);
}

// Compared against when the name is unknown, so that a wrong name costs as long as a wrong password.
let nobody: Promise<string> | undefined;

/** The user when name and password match; null otherwise, saying nothing about which part was wrong. */
export async function verifyUser(users: Map<string, ConsoleUser>, name: string, password: string): Promise<ConsoleUser | null> {
  const user = users.get(name);
  nobody ??= bcrypt.hash('no user has this password', BCRYPT_COST);
  const matches = await bcrypt.compare(password, user?.hash ?? (await nobody));
  return user && matches ? user : null;
}

/** Adds the user, or replaces its line (a new password or role); the file is written whole, mode 600. */
export async function addUser(file: string, name: string, role: Role, password: string): Promise<'added' | 'replaced'> {
  if (!USER_NAME.test(name)) throw new UsersFileError(`"${name}" is not a user name: 1-64 letters, digits, . _ @ -.`);
  let text = '';
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const existing = parseUsers(text, file);
  const hash = await bcrypt.hash(password, BCRYPT_COST);
  const line = `${name}:${role}:${hash}`;
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  const kept = lines.map((l) => (l.trim().split(':')[0] === name ? line : l));
  if (!existing.has(name)) kept.push(line);
  // Created new under an unpredictable name (never through a planted link), 0600, renamed into place.
  await writeFileAtomically(path.dirname(file), path.basename(file), [`${kept.join('\n')}\n`]);
  return existing.has(name) ? 'replaced' : 'added';
}
