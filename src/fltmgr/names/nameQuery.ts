/**
 * One name query, whichever routine asked (§16.3, §16.4, §16.5, §16.6): check the options and the
 * moment, pick the provider level, consult the cache as the query method says, produce the name
 * (provider or file system), cache it where allowed, and hand back a referenced structure.
 *
 * Query methods [doc]: DEFAULT — fail if it is unsafe to reach the file system, else cache then
 * file system (result cached); CACHE_ONLY — cache only (miss: STATUS_FLT_NAME_CACHE_MISS);
 * FILESYSTEM_ONLY — never reads or fills the cache; ALWAYS_ALLOW_CACHE_LOOKUP — cache first even
 * when unsafe, then the file system only if safe (else STATUS_FLT_NAME_CACHE_MISS).
 * Unsafe moments modelled: paging I/O, and a file object whose cleanup completed (post-cleanup,
 * pre/post-close). Names of file objects not yet open are never cached (§16.5 [model]).
 */
import type { Blocking } from '../../kernel/effects.js';
import type { FLT_CALLBACK_DATA, IoOperation } from '../../io/ioOperation.js';
import type { FileObject } from '../../io/fileObject.js';
import type { FilterManager } from '../filterManager.js';
import type { InstanceObject } from '../instanceObject.js';
import { fail } from '../routineSupport.js';
import { FILE_OPEN_BY_FILE_ID, FO_CLEANUP_COMPLETE } from '../../wdk/fileConstants.js';
import { unpackCreateOptions } from '../../wdk/parameters.js';
import { FLTFL_CALLBACK_DATA_POST_OPERATION } from '../../wdk/fltConstants.js';
import { IRP_MJ_CREATE, IRP_PAGING_IO, SL_OPEN_TARGET_DIRECTORY } from '../../wdk/irp.js';
import {
  FLT_FILE_NAME_ALLOW_QUERY_ON_REPARSE,
  FLT_FILE_NAME_DO_NOT_CACHE,
  FLT_FILE_NAME_NORMALIZED,
  FLT_FILE_NAME_OPENED,
  FLT_FILE_NAME_QUERY_ALWAYS_ALLOW_CACHE_LOOKUP,
  FLT_FILE_NAME_QUERY_CACHE_ONLY,
  FLT_FILE_NAME_QUERY_DEFAULT,
  FLT_FILE_NAME_QUERY_FILESYSTEM_ONLY,
  FLT_FILE_NAME_SHORT,
  FLT_VALID_FILE_NAME_FLAGS,
  FLT_VALID_FILE_NAME_FORMATS,
  FLT_VALID_FILE_NAME_QUERY_METHODS,
} from '../../wdk/nameConstants.js';
import {
  NT_SUCCESS,
  STATUS_FLT_INVALID_NAME_REQUEST,
  STATUS_FLT_NAME_CACHE_MISS,
  STATUS_INVALID_PARAMETER,
  STATUS_REPARSE,
  STATUS_SUCCESS,
  type NTSTATUS,
} from '../../wdk/ntstatus.js';
import { FLT_FILE_NAME_INFORMATION_SIZE, type FLT_FILE_NAME_INFORMATION, type FileNameRecord } from './fileNameRecord.js';
import { nameFromProvider, providerFor } from './nameProviders.js';
import { openedObjectName, unopenedName, type SourcedName } from './nameSources.js';
import { parseFileNameParts } from './parseFileName.js';

/** The routines that create a name information: the three queries, and FltCreateFileEx2 filling a target ECP (§22.3). */
export type NameRoutine = 'FltGetFileNameInformation' | 'FltGetFileNameInformationUnsafe' | 'FltGetDestinationFileNameInformation' | 'FltCreateFileEx2';

export interface NameRequest {
  readonly routine: NameRoutine;
  /** The instance asking (X of §16.6); null for an Unsafe query before the filter has an instance. */
  readonly caller: InstanceObject | null;
  /** Whose reference the result is. */
  readonly filterId: string;
  readonly fileObject: FileObject;
  readonly op: IoOperation | null;
  readonly data: FLT_CALLBACK_DATA | null;
  readonly options: number;
}

export interface NameResult {
  readonly status: NTSTATUS;
  readonly FileNameInformation: FLT_FILE_NAME_INFORMATION | null;
}

const VALID_FORMATS = new Set([FLT_FILE_NAME_NORMALIZED, FLT_FILE_NAME_OPENED, FLT_FILE_NAME_SHORT]);
const VALID_METHODS = new Set([
  FLT_FILE_NAME_QUERY_DEFAULT,
  FLT_FILE_NAME_QUERY_CACHE_ONLY,
  FLT_FILE_NAME_QUERY_FILESYSTEM_ONLY,
  FLT_FILE_NAME_QUERY_ALWAYS_ALLOW_CACHE_LOOKUP,
]);
const FORMAT_WORD: Readonly<Record<number, string>> = { 1: 'NORMALIZED', 2: 'OPENED', 3: 'SHORT' };

/** Exactly one format and one query method, and no bits outside the three fields (§16.1). */
export function optionsProblem(options: number): string | null {
  if (typeof options !== 'number' || !Number.isInteger(options)) return `NameOptions ${String(options)} is not a FLT_FILE_NAME_OPTIONS value`;
  const known = FLT_VALID_FILE_NAME_FORMATS | FLT_VALID_FILE_NAME_QUERY_METHODS | FLT_VALID_FILE_NAME_FLAGS;
  if (!VALID_FORMATS.has(options & FLT_VALID_FILE_NAME_FORMATS)) return `NameOptions 0x${(options >>> 0).toString(16)} names no single format`;
  if (!VALID_METHODS.has(options & FLT_VALID_FILE_NAME_QUERY_METHODS)) return `NameOptions 0x${(options >>> 0).toString(16)} names no single query method`;
  if ((options >>> 0) & ~known) return `NameOptions 0x${(options >>> 0).toString(16)} has undefined bits`;
  return null;
}

function refuse(fltMgr: FilterManager, req: NameRequest, status: NTSTATUS, detail: string): NameResult {
  fail(fltMgr, req.fileObject.id, req.routine, status, detail);
  return { status, FileNameInformation: null };
}

/** Why reaching the file system now could deadlock or recurse (§16.3), or null when it is safe. */
function unsafeMoment(req: NameRequest): string | null {
  if (req.routine !== 'FltGetFileNameInformation') return null;
  if (req.op !== null && req.op.currentIopb.IrpFlags & IRP_PAGING_IO) return 'paging I/O';
  if (req.fileObject.Flags & FO_CLEANUP_COMPLETE) return 'the file object has been cleaned up (FO_CLEANUP_COMPLETE)';
  return null;
}

export function* queryFileName(fltMgr: FilterManager, req: NameRequest): Blocking<NameResult> {
  const { fileObject: fo, options } = req;
  const format = options & FLT_VALID_FILE_NAME_FORMATS;
  const method = options & FLT_VALID_FILE_NAME_QUERY_METHODS;
  const thread = fltMgr.kernel.current;
  if ((thread?.irql ?? 0) >= 2) {
    fltMgr.kernel.reportViolation('NAME_QUERY_AT_DISPATCH', fo.id, `${req.routine} at DISPATCH_LEVEL (it is callable at APC_LEVEL at most; a post-op that is not synchronized runs at DISPATCH)`);
    return refuse(fltMgr, req, STATUS_FLT_INVALID_NAME_REQUEST, 'called at DISPATCH_LEVEL');
  }
  const provider = providerFor(fo.volume, req.caller, options);
  fltMgr.kernel.emitFact({ seq: 0, time: 0, object: fo.id, type: 'FileNameQuery', routine: req.routine, instance: req.caller?.id ?? null, operation: req.op?.id ?? null, options, provider: provider?.id ?? null });

  const frames = fltMgr.names.frames(thread?.id ?? '');
  if (provider !== null && frames.some((f) => f.instance === provider && f.fileObjectId === fo.id)) {
    throw fltMgr.kernel.violation(
      'NAME_PROVIDER_RECURSION',
      provider.id,
      `name provider ${provider} asked for the name of ${fo} from inside its own name callback and the query came back to it (clear FLT_FILE_NAME_REQUEST_FROM_CURRENT_PROVIDER on nested queries, §16.6)`,
    );
  }

  const unopened = fo.state === 'Opening' || fo.state === 'OpenFailed';
  if (req.routine === 'FltGetFileNameInformationUnsafe' && (unopened || fo.state === 'Closed')) {
    return refuse(fltMgr, req, STATUS_FLT_INVALID_NAME_REQUEST, `${fo} is not open`);
  }
  if (unopened && format === FLT_FILE_NAME_SHORT) return refuse(fltMgr, req, STATUS_FLT_INVALID_NAME_REQUEST, 'FLT_FILE_NAME_SHORT before the file is opened');
  const data = req.data;
  if (unopened && data !== null && data.Iopb.MajorFunction === IRP_MJ_CREATE && data.Flags & FLTFL_CALLBACK_DATA_POST_OPERATION && data.IoStatus.Status === STATUS_REPARSE && !(options & FLT_FILE_NAME_ALLOW_QUERY_ON_REPARSE)) {
    return refuse(fltMgr, req, STATUS_FLT_INVALID_NAME_REQUEST, 'post-create with STATUS_REPARSE (FLT_FILE_NAME_ALLOW_QUERY_ON_REPARSE not set)');
  }
  const unsafe = unsafeMoment(req);
  if (unsafe !== null && (method === FLT_FILE_NAME_QUERY_DEFAULT || method === FLT_FILE_NAME_QUERY_FILESYSTEM_ONLY)) {
    return refuse(fltMgr, req, STATUS_FLT_INVALID_NAME_REQUEST, `not safe to query the file system: ${unsafe}`);
  }

  const identity = unopened ? null : fo.volume.fileSystem.fsContextOf(fo.id);
  const key = unopened ? null : cacheKey(fo, format, identity === null ? null : identity, provider?.id ?? null);
  if (method !== FLT_FILE_NAME_QUERY_FILESYSTEM_ONLY) {
    const cached = key === null ? undefined : fltMgr.names.lookup(key);
    if (cached !== undefined) {
      fltMgr.names.hit(cached, key!, fo.id, req.filterId);
      return { status: STATUS_SUCCESS, FileNameInformation: cached.info };
    }
    fltMgr.kernel.emitFact({ seq: 0, time: 0, object: fo.id, type: 'NameCacheMiss', key: key ?? `${fo.volume.id}|${fo.id}|unopened` });
    if (method === FLT_FILE_NAME_QUERY_CACHE_ONLY) return refuse(fltMgr, req, STATUS_FLT_NAME_CACHE_MISS, `no cached ${FORMAT_WORD[format]} name`);
    if (unsafe !== null) return refuse(fltMgr, req, STATUS_FLT_NAME_CACHE_MISS, `no cached ${FORMAT_WORD[format]} name and not safe to query the file system: ${unsafe}`);
  }

  // The create's parameters as the caller's callback data has them now: a filter that clears
  // SL_OPEN_TARGET_DIRECTORY before asking gets the whole target's name, not its parent's (simrep.c
  // SimRepPreCreate does so for the target-directory open of a rename, §16.3).
  const creating = unopened && req.op !== null && req.op.major === IRP_MJ_CREATE ? (req.data?.Iopb ?? req.op.currentIopb) : null;
  const targetDirectory = creating !== null && (creating.OperationFlags & SL_OPEN_TARGET_DIRECTORY) !== 0;
  const createOptions = creating === null ? 0 : unpackCreateOptions((creating.Parameters as { Create?: { Options?: number } }).Create?.Options ?? 0).CreateOptions;
  const byFileId = (createOptions & FILE_OPEN_BY_FILE_ID) !== 0;
  let produced: SourcedName & { cache: boolean };
  if (provider !== null) {
    produced = yield* nameFromProvider(fltMgr, provider, fo, req.data, options);
  } else {
    const sourced = unopened ? unopenedName(fltMgr, fo, format, targetDirectory, byFileId) : openedObjectName(fltMgr, fo, format);
    produced = { ...sourced, cache: true };
  }
  if (!NT_SUCCESS(produced.status)) return refuse(fltMgr, req, produced.status, `the ${provider === null ? 'file system' : `name provider ${provider}`} could not name ${fo}`);

  const record = createName(fltMgr, req, format, produced.name, provider?.id ?? null, identity?.fileId ?? null);
  const cacheable = key !== null && produced.cache && method !== FLT_FILE_NAME_QUERY_FILESYSTEM_ONLY && !(options & FLT_FILE_NAME_DO_NOT_CACHE);
  if (cacheable) fltMgr.names.insert(record, key, fo.id);
  return { status: STATUS_SUCCESS, FileNameInformation: record.info };
}

/** §16.5 keys; see src/fltmgr/names/nameState.ts for why OPENED is per file object and the others per stream. */
function cacheKey(fo: FileObject, format: number, identity: { fileId: number; linkCount: number } | null, providerId: string | null): string {
  const perStream = format !== FLT_FILE_NAME_OPENED && identity !== null && identity.linkCount <= 1;
  const scope = perStream ? `file#${identity!.fileId}` : fo.id;
  return `${fo.volume.id}|${scope}|${FORMAT_WORD[format]}|${providerId ?? 'fs'}`;
}

/** A new structure for `name`, with Volume (and Share) filled as the get routines do; the rest waits for FltParseFileNameInformation. */
export function createName(fltMgr: FilterManager, req: NameRequest, format: number, name: string, providerId: string | null, fileId: number | null): FileNameRecord {
  const parts = parseFileNameParts(name, format);
  return fltMgr.names.create({
    volumeId: req.fileObject.volume.id,
    fileObjectId: req.fileObject.id,
    filterId: req.filterId,
    routine: req.routine,
    providerId,
    fileId,
    info: {
      Size: FLT_FILE_NAME_INFORMATION_SIZE,
      NamesParsed: 0,
      Format: format,
      Name: name,
      Volume: parts.Volume,
      Share: parts.Share,
      Extension: '',
      Stream: '',
      FinalComponent: '',
      ParentDir: '',
    },
  });
}

