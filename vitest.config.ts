import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/globalSetup.ts'],
    // Each file gets its own database cloned from a migrated template, and its own queue prefix.
    pool: 'forks',
    // Two files at a time, whatever the core count (vitest's default is cores - 1: one file at a
    // time on a 2-core machine). The files spend most of their time waiting on child processes,
    // PostgreSQL, Redis, sshd and Chromium, and each has its own database and queue prefix.
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
