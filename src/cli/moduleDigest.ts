/**
 * The digest a trace records for a scenario module: SHA-256 over the module and every local file it
 * imports, transitively — a sample port keeps its filter, its user-mode program and its helpers in
 * separate files, and a replay must refuse when any of them changed, not only the entry file.
 *
 * "Local" means a relative specifier (`./scanner.js`, `../common/ports.ts`) that resolves to a file;
 * packages (`fltsim`, `node:fs`) and fltsim's own sources and build (a module inside this checkout
 * importing `../../src/index.js`) are left out: the trace header records fltsim's version apart.
 * Specifiers are found by reading the text (static `import … from`, `export … from`, bare `import`
 * and `import()` with a string literal), which is what a bundler's dependency scan does; an import
 * built at run time is not seen, and docs/cli.md says so.
 */
import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inputError } from './exitCodes.js';
import { readBytes } from './files.js';

/** More local files than any scenario has: past it the scan stops with an error instead of running on. */
const MAX_FILES = 2000;

const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(?\s*)(['"])(\.{1,2}\/[^'"\n]+)\1/g;

/** fltsim's own package root (this file is src/cli/ or dist/cli/ under it). */
const OWN_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const OWN_CODE = [join(OWN_ROOT, 'src') + sep, join(OWN_ROOT, 'dist') + sep];

function isOwnCode(path: string): boolean {
  return OWN_CODE.some((prefix) => path.startsWith(prefix)) || path.split(sep).includes('node_modules');
}

/** Resolve a relative specifier the way tsx and Node do for a scenario: as written, .js → .ts, no extension, index. */
function resolveLocal(from: string, specifier: string): string | null {
  const base = resolve(dirname(from), specifier);
  const candidates = [base, base.replace(/\.js$/, '.ts'), base.replace(/\.mjs$/, '.mts'), base.replace(/\.cjs$/, '.cts'), `${base}.ts`, `${base}.js`, join(base, 'index.ts'), join(base, 'index.js')];
  for (const candidate of candidates) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return null;
}

export interface ModuleDigest {
  /** SHA-256 (hex) over each file's path relative to the entry's directory and its own SHA-256, in path order. */
  readonly sha256: string;
  /** The files it covers, relative to the entry's directory, entry first then in path order. */
  readonly files: readonly string[];
}

export function moduleDigest(entry: string): ModuleDigest {
  const root = dirname(entry);
  const seen = new Map<string, string>();
  const pending = [entry];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (seen.has(file)) continue;
    if (seen.size >= MAX_FILES) throw inputError(`scenario module ${entry}: imports more than ${MAX_FILES} local files`);
    const bytes = readBytes(file, 'scenario module');
    seen.set(file, createHash('sha256').update(bytes).digest('hex'));
    const text = Buffer.from(bytes).toString('utf8');
    for (const match of text.matchAll(SPECIFIER)) {
      const target = resolveLocal(file, match[2]!);
      if (target !== null && !isOwnCode(target) && !seen.has(target)) pending.push(target);
    }
  }
  const others = [...seen.keys()].filter((f) => f !== entry).sort();
  const ordered = [entry, ...others];
  const hash = createHash('sha256');
  for (const file of ordered) hash.update(`${relative(root, file).split(sep).join('/')}\0${seen.get(file)!}\n`);
  return { sha256: hash.digest('hex'), files: ordered.map((f) => relative(root, f).split(sep).join('/')) };
}
