// The CLI's main function called in this process, with what a spawned `fltsim` would have printed:
// a spawn costs a second or more of CPU (node, the compiled CLI or tsx, the sources), the call
// none of that. The bin itself (bin/fltsim.mjs: picking the compiled or the TypeScript CLI, the
// crash handler, stdout errors) is spawned by demo.test.ts, travel.test.ts and the package tests.
import { main } from '../../src/cli/main.js';

/** What a spawned `fltsim` gives (a killed process has no status), and what an in-process call gives. */
export type Ran = { status: number | null; stdout: string; stderr: string };

/** `fltsim ...args`, in process: the exit code, and stdout and stderr as the bin writes them. */
export async function fltsimInProcess(...args: string[]): Promise<Ran> {
  let stdout = '';
  let stderr = '';
  const status = await main(args, { out: (line) => (stdout += line + '\n'), err: (line) => (stderr += line + '\n') });
  return { status, stdout, stderr };
}
