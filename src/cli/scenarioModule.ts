/**
 * What `fltsim run|explore|export <scenario>` names: a built-in scenario id, or the path of a module
 * that exports a scenario (`.ts` or `.js`). A module is code, and loading it runs it: scenario
 * modules are trusted input, like any script a user runs (trace files are not; docs/cli.md).
 *
 * TypeScript modules load through tsx's ESM loader, registered here on first use, so no
 * `node --import tsx` is needed. A directory names the scenario in its index.ts (or index.js), so a
 * sample runs as `fltsim run examples/samples/scanner`. A trace records the module's absolute path
 * and a SHA-256 over it and the local files it imports (moduleDigest.ts); `fltsim replay` loads it
 * again from there and refuses when any of them changed.
 */
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isScenario, findScenario, builtInScenarios as builtIn, type Scenario } from '../scenarios/index.js';
import type { ScenarioModuleRef } from '../tracefile/header.js';
import { inputError } from './exitCodes.js';
import { moduleDigest } from './moduleDigest.js';

export interface ResolvedScenario {
  readonly scenario: Scenario;
  /** Where it came from, when not built in. */
  readonly module?: ScenarioModuleRef;
  /** The registry to build and restore it with: the built-in scenarios plus this one. */
  readonly registry: readonly Scenario[];
}

/** A positional names a module when it looks like a path: a separator or a script extension. */
export function looksLikePath(target: string): boolean {
  return /[\\/]/.test(target) || /\.(?:[mc]?[jt]s|tsx|jsx)$/.test(target);
}

export async function resolveScenario(target: string): Promise<ResolvedScenario> {
  if (!looksLikePath(target)) return { scenario: findScenario(target), registry: builtIn };
  return loadScenarioModule(target);
}

/**
 * Import the module at `path` and find its scenario (the default export, `scenario`, or the first
 * one); with `expected`, only when its digest is the recorded one (checked before it is imported).
 */
export async function loadScenarioModule(path: string, expected?: ScenarioModuleRef, recordedBy: { readonly since: string; readonly had: string; readonly needs: string } = { since: 'the trace was written', had: 'the trace has', needs: 'replay' }): Promise<ResolvedScenario> {
  const absolute = entryOf(path);
  const { sha256, files } = moduleDigest(absolute);
  if (expected !== undefined && expected.sha256 !== sha256) {
    const which = files.length === 1 ? '' : ` or one of the ${files.length - 1} local file(s) it imports (${files.slice(1, 4).join(', ')}${files.length > 4 ? ', …' : ''})`;
    throw inputError(`scenario module ${absolute}${which} changed since ${recordedBy.since} (SHA-256 now ${sha256.slice(0, 12)}…, ${recordedBy.had} ${expected.sha256.slice(0, 12)}…): ${recordedBy.needs} needs the module as it was`);
  }
  if (/\.[mc]?tsx?$/.test(absolute)) await registerTypeScript();
  let exports: Record<string, unknown>;
  try {
    exports = (await import(pathToFileURL(absolute).href)) as Record<string, unknown>;
  } catch (error) {
    // esbuild's "Transform failed with 1 error:" says where on its next line.
    const lines = error instanceof Error ? error.message.split('\n').filter((l) => l.trim() !== '') : [String(error)];
    const message = `${error instanceof Error ? `${error.name}: ` : ''}${lines[0]!.endsWith(':') && lines[1] !== undefined ? `${lines[0]} ${lines[1].trim()}` : lines[0]}`;
    throw inputError(`scenario module ${path} failed to load: ${message}`);
  }
  const candidates = [exports['default'], exports['scenario'], ...Object.values(exports)].filter(isScenario);
  const scenario = candidates[0];
  if (scenario === undefined) throw inputError(`scenario module ${path} exports no scenario (an object with id, description and build; see docs/cli.md)`);
  const registry = [...builtIn.filter((s) => s.id !== scenario.id), scenario];
  return { scenario, module: { path: absolute, sha256 }, registry };
}

/** The module file a path names: the file itself, or a directory's index.ts / index.js. */
function entryOf(path: string): string {
  const absolute = resolve(path);
  if (!existsSync(absolute)) throw inputError(`scenario module ${path}: no such file or directory`);
  if (!statSync(absolute).isDirectory()) return absolute;
  for (const index of ['index.ts', 'index.js', 'index.mts', 'index.mjs']) {
    const file = join(absolute, index);
    if (existsSync(file)) return file;
  }
  throw inputError(`scenario module ${path}: a directory without index.ts or index.js`);
}

let typeScript: Promise<void> | null = null;

/** tsx's ESM loader, once per process (the checkout's bin has registered it already: a second hook is harmless). */
function registerTypeScript(): Promise<void> {
  typeScript ??= import('tsx/esm/api').then(
    (tsx: { register: () => unknown }) => void tsx.register(),
    () => {
      throw inputError('loading a TypeScript scenario module needs the tsx package, which is missing: reinstall fltsim, or compile the module to .js');
    },
  );
  return typeScript;
}
