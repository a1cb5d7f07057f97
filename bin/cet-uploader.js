#!/usr/bin/env -S node --max-semi-space-size=4
// The CLI is TypeScript run by Node's built-in type stripping (Node >= 22.18 / 24), so a
// checkout needs no build step: `npx cet-uploader …` works right after `npm ci`.
//
// --max-semi-space-size=4 (MB, V8's young generation; the default grows to 16): a million-row
// batch peaked at 150-250 MB with the default and 115-135 MB with it (issue 6, BENCHMARKS.md).
// At 2 MB it peaked ~10 MB lower, but the import of a million rows spent 1.7 s in the young
// collector instead of 0.5 s. V8 reads it only at start-up, hence the shebang;
// `node bin/cet-uploader.js` runs without it unless NODE_OPTIONS carries it.
import module from 'node:module';

// A Node without type stripping (Node 20, say, first on PATH) would fail below with
// ERR_UNKNOWN_FILE_EXTENSION: say instead which Node is needed and how to get it.
if (!process.features.typescript) {
  const [major, minor] = process.versions.node.split('.').map(Number);
  const recent = major > 22 || (major === 22 && minor >= 18);
  process.stderr.write(
    recent
      ? `cet-uploader runs TypeScript, but this Node ${process.version} has type stripping turned off (--no-experimental-strip-types in NODE_OPTIONS or on the command line): remove that flag.\n`
      : `cet-uploader needs Node 24 (or 22.18+), which runs TypeScript; this is Node ${process.version} (${process.execPath}). ` +
          'Run `npx cet-uploader …` in the checkout after `npm ci` (it installs Node 24), or put Node 24 first on PATH.\n',
  );
  process.exit(2);
}

// Node's compile cache keeps the stripped and compiled modules on disk (NODE_COMPILE_CACHE, or
// node-compile-cache in the temp directory; NODE_DISABLE_COMPILE_CACHE=1 turns it off): a
// warm start skips type stripping, ~0.45 s and ~25 MB less for every command.
module.enableCompileCache?.();

const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv);
