import * as v from 'valibot';

// The console's variables (console.md). The session secret is checked by `serve` itself, not
// here: a configuration problem prints the value it got, and a secret must never be printed.
export const consoleConfigEntries = {
  // Required by `serve` and `console-user add`, which say so; other commands do without.
  CONSOLE_USERS_FILE: v.optional(v.pipe(v.string(), v.trim(), v.minLength(1))),
  CONSOLE_SESSION_SECRET: v.optional(v.string()),
  CONSOLE_PUBLIC_URL: v.optional(
    v.pipe(
      v.string(),
      v.trim(),
      v.check((text) => {
        try {
          return ['http:', 'https:'].includes(new URL(text).protocol);
        } catch {
          return false;
        }
      }, 'not an http or https URL, e.g. https://cet-console.example.org'),
    ),
  ),
};
