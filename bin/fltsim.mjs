#!/usr/bin/env node
// Runs the TypeScript CLI through tsx's loader, so `npx fltsim` works from a checkout without a build.
import { register } from 'tsx/esm/api';
import { fileURLToPath } from 'node:url';

register();
const cli = new URL('../src/cli/main.ts', import.meta.url);
const { main } = await import(fileURLToPath(cli));
process.exitCode = main(process.argv.slice(2), {
  out: (line) => process.stdout.write(line + '\n'),
  err: (line) => process.stderr.write(line + '\n'),
});
