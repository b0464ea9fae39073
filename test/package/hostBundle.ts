/**
 * The bundle a host that embeds fltsim ships (issue 18 item 6): examples/embedding bundled from the
 * main entry with esbuild (tsx's own dependency), minified, as a host's bundler would tree-shake
 * it. Used by test/package/hostBundle.test.ts (what must not be in it) and bench/hostBundle.ts (bytes).
 */
import { build, type Metafile } from 'esbuild';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');

export interface HostBundle {
  /** Minified bytes of the bundle. */
  readonly bytes: number;
  readonly text: string;
  /** The source files (relative to the repository) that put any bytes into it. */
  readonly sources: readonly string[];
  /** Bytes each source put into it. */
  readonly bytesBySource: ReadonlyMap<string, number>;
}

/**
 * Bundle `entry`; with `alsoUsing`, the entry followed by that code (which uses more of fltsim, for
 * the bench's comparison; its imports are relative to the entry's folder).
 */
export async function hostBundle(entry = 'examples/embedding/main.ts', alsoUsing: string | null = null): Promise<HostBundle> {
  const result = await build({
    absWorkingDir: root,
    // The entry's own text plus the extra code, resolved from the entry's folder: a bare
    // `import './entry'` would be dropped, since the package declares no side effects.
    ...(alsoUsing === null
      ? { entryPoints: [entry] }
      : { stdin: { contents: `${readFileSync(join(root, entry), 'utf8')}\n${alsoUsing}`, resolveDir: dirname(join(root, entry)), loader: 'ts' as const, sourcefile: entry } }),
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'neutral',
    mainFields: ['module', 'main'],
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const output = result.outputFiles[0]!;
  const inputs = Object.values((result.metafile as Metafile).outputs)[0]!.inputs;
  const bytesBySource = new Map(Object.entries(inputs).filter(([, v]) => v.bytesInOutput > 0).map(([k, v]) => [k, v.bytesInOutput] as const));
  return { bytes: output.contents.byteLength, text: output.text, sources: [...bytesBySource.keys()].sort(), bytesBySource };
}
