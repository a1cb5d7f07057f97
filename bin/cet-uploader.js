#!/usr/bin/env -S node --max-semi-space-size=2
// The CLI is TypeScript run by Node's built-in type stripping (Node >= 22.18 / 24), so a
// checkout needs no build step: `npx cet-uploader …` works right after `npm ci`.
//
// --max-semi-space-size=2 (MB, V8's young generation; the default grows to 16): a million-row
// batch peaked at 150-250 MB with the default and ~110 MB with it, at the same speed (issue 6,
// BENCHMARKS.md). V8 reads it only at start-up, hence the shebang; `node bin/cet-uploader.js`
// runs without it unless NODE_OPTIONS carries it.
import module from 'node:module';

// Node's compile cache keeps the stripped and compiled modules on disk (NODE_COMPILE_CACHE, or
// node-compile-cache in the temp directory; NODE_DISABLE_COMPILE_CACHE=1 turns it off): a
// warm start skips type stripping, ~0.45 s and ~25 MB less for every command.
module.enableCompileCache?.();

const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv);
