/**
 * §19.9 invariants 8–12 (file names), and §16's observer-visible rules, checked over a log
 * alone. Same shape as kernelInvariants.ts: each check returns `{ invariant, seq, message }` for every
 * violation at the fact where it becomes visible; all are safety checks (they hold on any prefix).
 *
 * A query is the span from its FileNameQuery fact to its outcome on the same file object: a
 * FileNameInformationCreate or NameCacheHit for it, or a RoutineFailed of a name routine. Provider
 * queries nest inside the query that called the provider, so queries are kept as a stack per file
 * object. What the log cannot show is not checked: whether a `~` component of a NORMALIZED name had
 * a long name (the file system's state is not in the log; the property test compares names with it).
 */
import type { Fact } from '../kernel/facts.js';
import type { InvariantViolation } from './kernelInvariants.js';
import { FO_CLEANUP_COMPLETE } from '../wdk/fileConstants.js';
import { IRP_MJ_CREATE, IRP_MJ_SET_INFORMATION, IRP_PAGING_IO } from '../wdk/irp.js';
import {
  FLT_FILE_NAME_DO_NOT_CACHE,
  FLT_FILE_NAME_NORMALIZED,
  FLT_FILE_NAME_QUERY_CACHE_ONLY,
  FLT_FILE_NAME_QUERY_FILESYSTEM_ONLY,
  FLT_FILE_NAME_SHORT,
  FLT_VALID_FILE_NAME_FORMATS,
  FLT_VALID_FILE_NAME_QUERY_METHODS,
} from '../wdk/nameConstants.js';

type Check = (facts: readonly Fact[]) => InvariantViolation[];

const NAME_ROUTINES = new Set(['FltGetFileNameInformation', 'FltGetFileNameInformationUnsafe', 'FltGetDestinationFileNameInformation']);

interface OpenQuery {
  readonly seq: number;
  readonly routine: string;
  readonly options: number;
  readonly operation: string | null;
  /** The file object was not open yet when the query started (pre-create). */
  readonly unopened: boolean;
  /** Reaching the file system was unsafe for this query (§16.3). */
  readonly unsafe: string | null;
}

/** Replays the query spans of a log, calling `visit` with the innermost open query of the fact's file object. */
function walkQueries(facts: readonly Fact[], visit: (f: Fact, current: OpenQuery | undefined, stacks: Map<string, OpenQuery[]>) => void): void {
  const stacks = new Map<string, OpenQuery[]>();
  const opened = new Set<string>();
  const flags = new Map<string, number>();
  const paging = new Set<string>();
  const closeOf = (fo: string): void => {
    const stack = stacks.get(fo);
    stack?.pop();
  };
  for (const f of facts) {
    switch (f.type) {
      case 'FileObjectOpened':
        opened.add(f.object);
        flags.set(f.object, f.flags);
        break;
      case 'FileObjectUpdate':
        flags.set(f.object, f.flags);
        break;
      case 'IoStart':
        if (f.irpFlags & IRP_PAGING_IO) paging.add(f.object);
        break;
      default:
        break;
    }
    const fo = f.type === 'FileNameInformationCreate' || f.type === 'NameCacheHit' ? f.fileObject : f.object;
    const stack = stacks.get(fo);
    visit(f, stack?.[stack.length - 1], stacks);
    if (f.type === 'FileNameQuery') {
      const unsafe =
        f.routine !== 'FltGetFileNameInformation'
          ? null
          : f.operation !== null && paging.has(f.operation)
            ? 'paging I/O'
            : (flags.get(f.object) ?? 0) & FO_CLEANUP_COMPLETE
              ? 'cleanup complete'
              : null;
      const entry: OpenQuery = { seq: f.seq, routine: f.routine, options: f.options, operation: f.operation, unopened: !opened.has(f.object), unsafe };
      if (stack === undefined) stacks.set(f.object, [entry]);
      else stack.push(entry);
    } else if (f.type === 'FileNameInformationCreate' || f.type === 'NameCacheHit') {
      closeOf(fo);
    } else if (f.type === 'RoutineFailed' && NAME_ROUTINES.has(f.routine)) {
      closeOf(f.object);
    }
  }
}

/** 8: every reference is released once (per filter, never below zero), nothing happens to a freed structure. */
export const nameReferencesBalanced: Check = (facts) => {
  const out: InvariantViolation[] = [];
  const counts = new Map<string, Map<string, number>>();
  const freed = new Set<string>();
  const cached = new Set<string>();
  for (const f of facts) {
    if (!f.object.startsWith('N')) continue;
    if (freed.has(f.object) && f.type !== 'VerifierViolation' && f.type !== 'RoutineFailed') {
      out.push({ invariant: '19.9/8', seq: f.seq, message: `${f.type} on ${f.object} after it was freed` });
      continue;
    }
    const byFilter = counts.get(f.object) ?? new Map<string, number>();
    counts.set(f.object, byFilter);
    const add = (filter: string, n: number): void => {
      const next = (byFilter.get(filter) ?? 0) + n;
      if (next < 0) out.push({ invariant: '19.9/8', seq: f.seq, message: `${filter} released ${f.object} more often than it referenced it` });
      byFilter.set(filter, Math.max(0, next));
    };
    const total = (): number => [...byFilter.values()].reduce((a, b) => a + b, 0);
    if (f.type === 'FileNameInformationCreate') add(f.filter, 1);
    else if (f.type === 'NameCacheHit' || f.type === 'FltReferenceFileNameInformation') add(f.filter, 1);
    else if (f.type === 'NameCacheInsert') cached.add(f.object);
    else if (f.type === 'FltReleaseFileNameInformation') {
      add(f.filter, -1);
      if (f.count !== total()) out.push({ invariant: '19.9/8', seq: f.seq, message: `${f.object} release says ${f.count} references remain, the log counts ${total()}` });
      if (total() === 0 && !cached.has(f.object)) freed.add(f.object);
    } else if (f.type === 'NameCacheInvalidate') {
      cached.delete(f.object);
      if (total() === 0) freed.add(f.object);
    }
  }
  return out;
};

/**
 * 9: SHORT never succeeds before the file is opened; a query at an unsafe moment (paging I/O,
 * cleanup complete) never reaches the file system or a provider — it ends in a cache hit or a failure.
 */
export const unsafeQueriesStayInTheCache: Check = (facts) => {
  const out: InvariantViolation[] = [];
  walkQueries(facts, (f, q) => {
    if (q === undefined) return;
    if (f.type === 'FileNameInformationCreate' && f.format === FLT_FILE_NAME_SHORT && q.unopened) {
      out.push({ invariant: '19.9/9', seq: f.seq, message: `a SHORT name for ${f.fileObject} before it was opened` });
    }
    if ((f.type === 'FileSystemNameQuery' || f.type === 'GenerateFileName') && q.unsafe !== null) {
      out.push({ invariant: '19.9/9', seq: f.seq, message: `${f.type} for ${f.object} during a query at an unsafe moment (${q.unsafe})` });
    }
  });
  return out;
};

/** 10: FILESYSTEM_ONLY and DO_NOT_CACHE queries add no cache entry; CACHE_ONLY queries reach neither a provider nor the file system. */
export const queryMethodsKeepTheirWord: Check = (facts) => {
  const out: InvariantViolation[] = [];
  const createdBy = new Map<string, OpenQuery>();
  walkQueries(facts, (f, q) => {
    if (f.type === 'FileNameInformationCreate' && q !== undefined) createdBy.set(f.object, q);
    if (f.type === 'NameCacheInsert') {
      const origin = createdBy.get(f.object);
      if (origin === undefined) return;
      const method = origin.options & FLT_VALID_FILE_NAME_QUERY_METHODS;
      if (method === FLT_FILE_NAME_QUERY_FILESYSTEM_ONLY || origin.options & FLT_FILE_NAME_DO_NOT_CACHE) {
        out.push({ invariant: '19.9/10', seq: f.seq, message: `${f.object} entered the cache from a ${method === FLT_FILE_NAME_QUERY_FILESYSTEM_ONLY ? 'FILESYSTEM_ONLY' : 'DO_NOT_CACHE'} query` });
      }
    }
    if ((f.type === 'FileSystemNameQuery' || f.type === 'GenerateFileName') && q !== undefined && (q.options & FLT_VALID_FILE_NAME_QUERY_METHODS) === FLT_FILE_NAME_QUERY_CACHE_ONLY) {
      out.push({ invariant: '19.9/10', seq: f.seq, message: `${f.type} for ${f.object} during a CACHE_ONLY query` });
    }
  });
  return out;
};

/** 11: FltGetTunneledName is called only from post-create or post-set-information. */
export const tunneledNameOnlyAfterCreateOrRename: Check = (facts) =>
  facts
    .filter((f) => f.type === 'FltGetTunneledName' && (!f.post || (f.major !== IRP_MJ_CREATE && f.major !== IRP_MJ_SET_INFORMATION)))
    .map((f) => ({ invariant: '19.9/11', seq: f.seq, message: `FltGetTunneledName on ${f.object} from ${f.type === 'FltGetTunneledName' ? f.operation : ''} outside a post-create or post-set-information` }));

/** 12: a provider's nested queries never reach the same provider for the same file object (no recursion). */
export const providersDoNotRecurse: Check = (facts) => {
  const out: InvariantViolation[] = [];
  const running = new Map<string, number>();
  for (const f of facts) {
    if (f.type !== 'GenerateFileName' && f.type !== 'GenerateFileNameReturned') continue;
    const key = `${f.instance}|${f.object}`;
    const depth = running.get(key) ?? 0;
    if (f.type === 'GenerateFileName') {
      if (depth > 0) out.push({ invariant: '19.9/12', seq: f.seq, message: `${f.instance} asked again for ${f.object} from inside its own GenerateFileName` });
      running.set(key, depth + 1);
    } else running.set(key, Math.max(0, depth - 1));
  }
  return out;
};

/** §16: a returned name has the format asked for, and a NORMALIZED name never ends with `:$DATA`. */
export const namesHaveTheirFormat: Check = (facts) => {
  const out: InvariantViolation[] = [];
  walkQueries(facts, (f, q) => {
    if (f.type !== 'FileNameInformationCreate') return;
    if (q !== undefined && (q.options & FLT_VALID_FILE_NAME_FORMATS) !== f.format) {
      out.push({ invariant: '16', seq: f.seq, message: `${f.object} has format ${f.format}, the query asked for ${q.options & FLT_VALID_FILE_NAME_FORMATS}` });
    }
    if (f.format === FLT_FILE_NAME_NORMALIZED && /:\$DATA$/i.test(f.name)) {
      out.push({ invariant: '16', seq: f.seq, message: `NORMALIZED name ${f.name} keeps :$DATA` });
    }
  });
  return out;
};

export const NAME_INVARIANTS: Readonly<Record<string, Check>> = {
  nameReferencesBalanced,
  unsafeQueriesStayInTheCache,
  queryMethodsKeepTheirWord,
  tunneledNameOnlyAfterCreateOrRename,
  providersDoNotRecurse,
  namesHaveTheirFormat,
};

export function checkNameInvariants(facts: readonly Fact[]): InvariantViolation[] {
  return Object.values(NAME_INVARIANTS).flatMap((check) => check(facts));
}
