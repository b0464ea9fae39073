// The DOM app.test.tsx renders the viewer's components into: a happy-dom window whose globals are
// installed on globalThis exactly as vitest's happy-dom environment installs them (its own setup),
// and removed by closeDom, so the files this fork runs next see plain Node again. The file does not
// ask for `// @vitest-environment happy-dom`: that environment gets a fork of its own, which imports
// the sources a third time, and vite's client environment, which transforms them all a second time
// in vitest's main process (~4 CPU-s of npm test, measured with the file and three others, 2026-12-03).
// Imported after the sources and before preact: preact/compat and preact/hooks look for `document`
// and `requestAnimationFrame` when they load, and the sources never look.
import { builtinEnvironments } from 'vitest/runtime';

const environment = await builtinEnvironments['happy-dom'].setup(globalThis, {});

/**
 * Lets the window finish what it has queued, then removes happy-dom's globals and closes it
 * (afterAll). Finished first: preact's hooks wait for a frame with requestAnimationFrame and a 35 ms
 * setTimeout beside it, and the frame cancels the timeout; a window closed with the frame still
 * queued leaves the timeout to call cancelAnimationFrame in whatever file the fork runs next.
 */
export async function closeDom(): Promise<void> {
  await (globalThis as unknown as { happyDOM: { waitUntilComplete(): Promise<void> } }).happyDOM.waitUntilComplete();
  await environment.teardown(globalThis);
}
