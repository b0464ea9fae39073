/**
 * The fold of file objects: born at FileObjectCreate, gone at their close or failed open, with the
 * flags, byte offset and handles the facts carry. The lifecycle state comes from the FILE_OBJECT
 * machine the live object uses.
 * One part of foldLog (src/projection/fold.ts), which hands it the facts `isFileObjectFact` accepts.
 */
import type { Draft } from 'immer';
import { assertNever, type Fact, type FactOf } from '../kernel/facts.js';
import { fileObjectMachine } from '../machines/fileObject.js';
import { splitStatePath } from '../machines/stateValue.js';
import { initialFileObjectFlags } from '../io/fileObjectLifecycle.js';
import { FO_HANDLE_CREATED } from '../wdk/fileConstants.js';
import type { FileObjectView, SimState } from './simState.js';
import type { Advance, Born } from './fold.js';

const FILE_OBJECT_FACTS = [
  'FileObjectCreate',
  'IoReplaceFileObjectName',
  'FileObjectOpened',
  'FileObjectUpdate',
  'FileObjectHandleCreated',
  'FileObjectHandleClosed',
  'CcInitializeCacheMap',
  'FileObjectOpenCancelled',
  'FileObjectCleanup',
  'FileObjectOpenFailed',
  'FileObjectDiscarded',
  'FileObjectClose',
  'FltCancelFileOpen',
] as const;
const FILE_OBJECT_FACT_SET: ReadonlySet<string> = new Set(FILE_OBJECT_FACTS);

export type FileObjectFact = FactOf<(typeof FILE_OBJECT_FACTS)[number]>;

export function isFileObjectFact(fact: Fact): fact is FileObjectFact {
  return FILE_OBJECT_FACT_SET.has(fact.type);
}

export function applyFileObjectFact(d: Draft<SimState>, fact: FileObjectFact, born: Born, advance: Advance): void {
  const id = fact.object;
  switch (fact.type) {
    case 'FileObjectCreate':
      d.fileObjects[id] = {
        volume: fact.volume,
        fileName: fact.fileName,
        state: splitStatePath(born(id, fileObjectMachine))[0] as never,
        flags: initialFileObjectFlags(fact.fileName, fact.relatedFileObject),
        currentByteOffset: 0,
        handles: [],
        ...(fact.transaction === undefined ? {} : { transaction: fact.transaction }),
      };
      return;
    case 'IoReplaceFileObjectName':
      advanceFileObject(d.fileObjects[id]!, fact, advance);
      d.fileObjects[id]!.fileName = fact.fileName;
      return;
    case 'FileObjectOpened': {
      const fo = d.fileObjects[id]!;
      advanceFileObject(fo, fact, advance);
      fo.flags = fact.flags;
      return;
    }
    case 'FileObjectUpdate': {
      const fo = d.fileObjects[id]!;
      advanceFileObject(fo, fact, advance);
      fo.flags = fact.flags;
      fo.currentByteOffset = fact.currentByteOffset;
      return;
    }
    case 'FileObjectHandleCreated': {
      const fo = d.fileObjects[id]!;
      advanceFileObject(fo, fact, advance);
      fo.flags = (fo.flags | FO_HANDLE_CREATED) >>> 0;
      fo.handles.push(fact.handle);
      return;
    }
    case 'FileObjectHandleClosed': {
      const fo = d.fileObjects[id]!;
      advanceFileObject(fo, fact, advance);
      fo.handles = fo.handles.filter((h) => h !== fact.handle);
      return;
    }
    case 'CcInitializeCacheMap':
      advanceFileObject(d.fileObjects[id]!, fact, advance);
      return;
    case 'FileObjectOpenCancelled':
    case 'FileObjectCleanup':
      advanceFileObject(d.fileObjects[id]!, fact, advance);
      return;
    case 'FileObjectOpenFailed':
    case 'FileObjectDiscarded':
    case 'FileObjectClose':
      advance(fact);
      delete d.fileObjects[id];
      return;
    case 'FltCancelFileOpen':
      advanceFileObject(d.fileObjects[id]!, fact, advance);
      return;
    default:
      assertNever(fact, 'fileObject fact');
  }
}

/** A file object fact: the view takes the machine's top-level state, and its cache-map part (src/machines/fileObject.ts). */
function advanceFileObject(fo: Draft<FileObjectView>, fact: FileObjectFact, advance: Advance): void {
  const [state, part] = splitStatePath(advance(fact)!);
  fo.state = state as never;
  if (part === 'CacheMapInitialized') fo.cacheInitiated = true;
}
