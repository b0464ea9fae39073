/**
 * The fold of file names (§16): name information objects, who holds a reference to each, and the
 * name cache's keys.
 * One part of foldLog (src/projection/fold.ts), which hands it the facts `isNameFact` accepts.
 */
import type { Draft } from 'immer';
import { assertNever, type Fact, type FactOf } from '../kernel/facts.js';
import { fileNameInformationMachine } from '../machines/fileNameInformation.js';
import type { SimState } from './simState.js';
import type { Advance, Born } from './fold.js';

const NAME_FACTS = [
  'FileNameQuery',
  'NameCacheMiss',
  'FileSystemNameQuery',
  'GenerateFileName',
  'GenerateFileNameReturned',
  'NormalizeNameComponent',
  'NormalizeNameComponentReturned',
  'NormalizeContextCleanup',
  'FltParseFileNameInformation',
  'FltGetTunneledName',
  'FileNameInformationCreate',
  'NameCacheInsert',
  'NameCacheHit',
  'FltReferenceFileNameInformation',
  'FltReleaseFileNameInformation',
  'NameCacheInvalidate',
] as const;
const NAME_FACT_SET: ReadonlySet<string> = new Set(NAME_FACTS);

export type NameFact = FactOf<(typeof NAME_FACTS)[number]>;

export function isNameFact(fact: Fact): fact is NameFact {
  return NAME_FACT_SET.has(fact.type);
}

export function applyNameFact(d: Draft<SimState>, fact: NameFact, born: Born, advance: Advance): void {
  const id = fact.object;
  switch (fact.type) {
    case 'FileNameQuery':
    case 'NameCacheMiss':
    case 'FileSystemNameQuery':
    case 'GenerateFileName':
    case 'GenerateFileNameReturned':
    case 'NormalizeNameComponent':
    case 'NormalizeNameComponentReturned':
    case 'NormalizeContextCleanup':
    case 'FltParseFileNameInformation':
    case 'FltGetTunneledName':
      advance(fact);
      return;
    case 'FileNameInformationCreate':
      d.fileNames[id] = {
        fileObject: fact.fileObject,
        volume: fact.volume,
        format: fact.format,
        name: fact.name,
        provider: fact.provider,
        state: born(id, fileNameInformationMachine) as never,
        references: [fact.filter],
        cacheKey: null,
      };
      return;
    case 'NameCacheInsert': {
      advance(fact);
      d.fileNames[id]!.cacheKey = fact.key;
      d.nameCache[fact.key] = id;
      return;
    }
    case 'NameCacheHit':
    case 'FltReferenceFileNameInformation': {
      const n = d.fileNames[id]!;
      n.state = advance(fact) as never;
      n.references.push(fact.filter);
      n.references.sort();
      return;
    }
    case 'FltReleaseFileNameInformation': {
      const n = d.fileNames[id]!;
      n.state = advance(fact) as never;
      const at = n.references.indexOf(fact.filter);
      if (at >= 0) n.references.splice(at, 1);
      if (n.state === 'Freed') delete d.fileNames[id];
      return;
    }
    case 'NameCacheInvalidate': {
      const state = advance(fact);
      delete d.nameCache[fact.key];
      const n = d.fileNames[id];
      if (n === undefined) return;
      n.cacheKey = null;
      n.state = state as never;
      if (n.state === 'Freed') delete d.fileNames[id];
      return;
    }
    default:
      assertNever(fact, 'name fact');
  }
}
