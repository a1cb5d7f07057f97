#!/usr/bin/env node
// The CLI is TypeScript run by Node's built-in type stripping (Node >= 22.18 / 24), so a
// checkout needs no build step: `npx cet-uploader …` works right after `npm ci`.
import { main } from '../src/cli/main.ts';

process.exitCode = await main(process.argv);
