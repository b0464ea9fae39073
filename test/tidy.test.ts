// The simulation owns time and randomness: nothing in src/ (outside the CLI) may read the wall
// clock, Math.random, or real timers. Style guide: TigerBeetle's "tidy" test.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
const FORBIDDEN = /\bDate\.now\s*\(|\bnew\s+Date\s*\(|\bMath\.random\s*\(|\bsetTimeout\s*\(|\bsetInterval\s*\(|\bsetImmediate\s*\(|\bperformance\.now\s*\(|\bprocess\.hrtime\b|\bcrypto\.getRandomValues\b|\brandomUUID\s*\(/;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|js|mjs)$/.test(name) ? [path] : [];
  });
}

describe('tidy', () => {
  it('src/ outside the CLI never reads the wall clock, Math.random or real timers', () => {
    const offenders: string[] = [];
    for (const file of sourceFiles(join(root, 'src'))) {
      const rel = relative(root, file);
      if (rel.startsWith(join('src', 'cli'))) continue;
      readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (FORBIDDEN.test(line.replace(/\/\/.*$/, ''))) offenders.push(`${rel}:${i + 1}: ${line.trim()}`);
        });
    }
    expect(offenders).toEqual([]);
  });

  it('the pattern catches what it must (checks the checker)', () => {
    for (const bad of ['Date.now()', 'new Date()', 'Math.random()', 'setTimeout(f, 1)', 'setInterval(f)', 'performance.now()']) {
      expect(FORBIDDEN.test(bad), bad).toBe(true);
    }
    expect(FORBIDDEN.test('sim.now')).toBe(false);
  });

  it('the version in src/version.ts equals package.json', async () => {
    const { FLTSIM_VERSION } = await import('../src/version.js');
    expect(FLTSIM_VERSION).toBe(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version);
  });
});
