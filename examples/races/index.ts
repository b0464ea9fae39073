/**
 * The built-in race scenarios (issue 6), each with a buggy and a fixed filter (`args.variant`):
 * they live in src/scenarios/races so the installed `fltsim` can run them; this is their examples
 * entry. Try: `npx fltsim run race-unload-async-read --arg variant=buggy`.
 */
export * from '../../src/scenarios/races/index.js';
