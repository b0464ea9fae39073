// §16.5 property, short run: a NORMALIZED name always equals the file system's current path,
// whatever opens, renames, links and closes came before (test/property/namesProperty.ts).
import { describe, expect, it } from 'vitest';
import { nameProperty, runNameWorkload } from './namesProperty.js';

describe('name cache vs the file system (§16.5)', () => {
  it('a cached name, a rename of the file, a hard link to it: every later query, from the cache or not, has the current path', () => {
    const r = runNameWorkload(
      [
        { kind: 'open', dir: 2, file: 1 },
        { kind: 'query', handle: 0, method: 1 },
        { kind: 'rename', handle: 0, dir: 0, file: 0 },
        { kind: 'query', handle: 0, method: 3 },
        { kind: 'link', handle: 0, dir: 1, file: 2 },
        // CACHE_ONLY misses here: the link dropped the stream's entry, and with two names the
        // normalized name is cached per file object, which nothing has filled yet.
        { kind: 'query', handle: 0, method: 1 },
        { kind: 'close', handle: 0 },
        { kind: 'renameDir', dir: 0, to: 0 },
        { kind: 'open', dir: 0, file: 0 },
        { kind: 'query', handle: 0, method: 0 },
      ],
      true,
    );
    expect(r).toEqual({ mismatches: [], queries: 3, foldEqualsLive: true, invariantViolations: [] });
  });

  it('random opens, renames, links, closes and queries (short run)', () => {
    nameProperty(25, 20261201);
  });
});
