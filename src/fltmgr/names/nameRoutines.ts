/**
 * The file-name routines of §16 under their WDK names and parameter order. Out-parameters become
 * fields of the result (`{ status, FileNameInformation }`). The get routines may run a name
 * provider's callbacks, which may block, so they are generators: `yield* FltGetFileNameInformation(…)`.
 * Reference, release and parse never block and are plain functions.
 *
 * Misuse is reported, never crashed into: a query at the wrong moment returns the documented status;
 * a release or use of a structure the filter holds no reference to, or one it wrote into, is a
 * VerifierError (docs/verifier.md).
 */
import { preempt, type Blocking } from '../../kernel/effects.js';
import { UsageError } from '../../kernel/errors.js';
import type { Kernel } from '../../kernel/kernel.js';
import { FileObject } from '../../io/fileObject.js';
import type { FLT_CALLBACK_DATA } from '../../io/ioOperation.js';
import { operationOfData } from '../../io/callbackDataRef.js';
import { resolvePath } from '../../io/paths.js';
import type { FilterManager } from '../filterManager.js';
import { InstanceObject } from '../instanceObject.js';
import type { FLT_NAME_CONTROL } from '../registration.js';
import { fail } from '../routineSupport.js';
import { FLTFL_CALLBACK_DATA_POST_OPERATION } from '../../wdk/fltConstants.js';
import { IRP_MJ_CREATE, IRP_MJ_SET_INFORMATION, irpMajorName } from '../../wdk/irp.js';
import {
  FLT_FILE_NAME_NORMALIZED,
  FLT_FILE_NAME_OPENED,
  FLT_FILE_NAME_SHORT,
  FLT_VALID_FILE_NAME_FORMATS,
  FLTFL_FILE_NAME_PARSED_EXTENSION,
  FLTFL_FILE_NAME_PARSED_FINAL_COMPONENT,
  FLTFL_FILE_NAME_PARSED_PARENT_DIR,
  FLTFL_FILE_NAME_PARSED_STREAM,
  FLTFL_NORMALIZE_NAME_DESTINATION_FILE_NAME,
} from '../../wdk/nameConstants.js';
import {
  NT_SUCCESS,
  STATUS_FLT_INVALID_NAME_REQUEST,
  STATUS_INVALID_PARAMETER,
  STATUS_MOUNT_POINT_NOT_RESOLVED,
  STATUS_SUCCESS,
  type NTSTATUS,
} from '../../wdk/ntstatus.js';
import { nameRecordOf, type FileNameRecord, type FLT_FILE_NAME_INFORMATION } from './fileNameRecord.js';
import { normalizeComponents, providerFor } from './nameProviders.js';
import { createName, optionsProblem, queryFileName, type NameRequest, type NameResult } from './nameQuery.js';
import { openedObjectName, typedPath, splitStream } from './nameSources.js';
import { parseFileNameParts, parseFinalComponent } from './parseFileName.js';

export type { NameResult } from './nameQuery.js';

/** The filter whose callback is running on this thread (innermost), if any. */
function runningFilterId(kernel: Kernel): string | null {
  const filters = kernel.current?.callbackFilters;
  return filters === undefined || filters.length === 0 ? null : filters[filters.length - 1]!;
}

/** The querying instance: a provider running its own name callback, or the instance whose callback has the data. */
function callerInstance(fltMgr: FilterManager, filterId: string | null, fallback: InstanceObject | null): InstanceObject | null {
  const frames = fltMgr.names.frames(fltMgr.kernel.current?.id ?? '');
  const top = frames[frames.length - 1];
  if (top !== undefined && top.instance.filter.id === filterId) return top.instance;
  return fallback;
}

/**
 * FltGetFileNameInformation(CallbackData, NameOptions, &FileNameInformation) — §16.3. The name of
 * the operation's file object in the format asked, from the cache or the file system (or a name
 * provider below the caller) as the query method says. ≤ APC_LEVEL.
 */
export function* FltGetFileNameInformation(CallbackData: FLT_CALLBACK_DATA, NameOptions: number): Blocking<NameResult> {
  const op = operationOfData(CallbackData);
  if (op === null) return { status: STATUS_INVALID_PARAMETER, FileNameInformation: null };
  const fltMgr = op.volume.fltMgr;
  yield* preempt();
  const fo = CallbackData.Iopb.TargetFileObject;
  const filterId = runningFilterId(fltMgr.kernel) ?? CallbackData.Iopb.TargetInstance?.filter.id ?? null;
  if (!(fo instanceof FileObject) || filterId === null) {
    return { status: fail(fltMgr, fo instanceof FileObject ? fo.id : 'sim', 'FltGetFileNameInformation', STATUS_INVALID_PARAMETER, 'no file object or no filter to own the name'), FileNameInformation: null };
  }
  const problem = optionsProblem(NameOptions);
  if (problem !== null) return { status: fail(fltMgr, fo.id, 'FltGetFileNameInformation', STATUS_INVALID_PARAMETER, problem), FileNameInformation: null };
  const caller = callerInstance(fltMgr, filterId, CallbackData.Iopb.TargetInstance);
  return yield* queryFileName(fltMgr, { routine: 'FltGetFileNameInformation', caller, filterId, fileObject: fo, op, data: CallbackData, options: NameOptions >>> 0 });
}

/**
 * FltGetFileNameInformationUnsafe(FileObject, Instance, NameOptions, &FileNameInformation) — §16.4.
 * For a file object outside an operation on it; the file object must be open. It does not guard
 * against the unsafe moments of §16.3 (the caller's responsibility). Name providers see
 * CallbackData = NULL. ≤ APC_LEVEL.
 */
export function* FltGetFileNameInformationUnsafe(FileObject_: FileObject, Instance: InstanceObject | null, NameOptions: number): Blocking<NameResult> {
  if (!(FileObject_ instanceof FileObject)) return { status: STATUS_INVALID_PARAMETER, FileNameInformation: null };
  const fltMgr = FileObject_.volume.fltMgr;
  yield* preempt();
  const routine = 'FltGetFileNameInformationUnsafe';
  if (Instance !== null && (!(Instance instanceof InstanceObject) || Instance.volume !== FileObject_.volume)) {
    return { status: fail(fltMgr, FileObject_.id, routine, STATUS_INVALID_PARAMETER, 'Instance is not an instance on the file object\'s volume'), FileNameInformation: null };
  }
  const problem = optionsProblem(NameOptions);
  if (problem !== null) return { status: fail(fltMgr, FileObject_.id, routine, STATUS_INVALID_PARAMETER, problem), FileNameInformation: null };
  const filterId = Instance?.filter.id ?? runningFilterId(fltMgr.kernel);
  if (filterId === null) throw new UsageError('NO_FILTER', `${routine} with Instance = NULL outside any filter callback: no filter would own the returned reference`, fltMgr.kernel.place(FileObject_.id));
  return yield* queryFileName(fltMgr, { routine, caller: Instance, filterId, fileObject: FileObject_, op: null, data: null, options: NameOptions >>> 0 });
}

/**
 * FltGetDestinationFileNameInformation(Instance, FileObject, RootDirectory, FileName, FileNameLength,
 * NameOptions, &RetFileNameInformation) — §16.4: the full name a rename or hard link will give the
 * file, built from the target directory's name and the new final component. RootDirectory is the
 * file object id FILE_RENAME_INFORMATION / FILE_LINK_INFORMATION carries (or a FileObject), or null.
 * Never cached [model: the name does not exist yet]. A NORMALIZED name with a provider below the
 * caller is expanded by its NormalizeNameComponent(Ex)Callback with FLTFL_NORMALIZE_NAME_DESTINATION_FILE_NAME.
 */
export function* FltGetDestinationFileNameInformation(
  Instance: InstanceObject,
  FileObject_: FileObject,
  RootDirectory: string | FileObject | null,
  FileName: string,
  FileNameLength: number,
  NameOptions: number,
): Blocking<NameResult> {
  if (!(FileObject_ instanceof FileObject)) return { status: STATUS_INVALID_PARAMETER, FileNameInformation: null };
  const fltMgr = FileObject_.volume.fltMgr;
  yield* preempt();
  const routine = 'FltGetDestinationFileNameInformation';
  const refuse = (status: NTSTATUS, detail: string): NameResult => ({ status: fail(fltMgr, FileObject_.id, routine, status, detail), FileNameInformation: null });
  if (!(Instance instanceof InstanceObject) || Instance.volume !== FileObject_.volume) return refuse(STATUS_INVALID_PARAMETER, 'Instance is not an instance on the file object\'s volume');
  const problem = optionsProblem(NameOptions);
  if (problem !== null) return refuse(STATUS_INVALID_PARAMETER, problem);
  if (typeof FileName !== 'string' || FileName === '' || !Number.isInteger(FileNameLength) || FileNameLength < 2) return refuse(STATUS_INVALID_PARAMETER, 'FileName / FileNameLength do not describe a name');
  const format = NameOptions & FLT_VALID_FILE_NAME_FORMATS;
  if (format === FLT_FILE_NAME_SHORT) return refuse(STATUS_FLT_INVALID_NAME_REQUEST, 'FLT_FILE_NAME_SHORT has no destination form');
  if ((fltMgr.kernel.current?.irql ?? 0) >= 2) {
    fltMgr.kernel.reportViolation('NAME_QUERY_AT_DISPATCH', FileObject_.id, `${routine} at DISPATCH_LEVEL`);
    return refuse(STATUS_FLT_INVALID_NAME_REQUEST, 'called at DISPATCH_LEVEL');
  }
  const filterId = Instance.filter.id;
  const provider = providerFor(FileObject_.volume, Instance, NameOptions);
  fltMgr.kernel.emitFact({ seq: 0, time: 0, object: FileObject_.id, type: 'FileNameQuery', routine, instance: Instance.id, operation: null, options: NameOptions >>> 0, provider: provider?.id ?? null });
  const name = FileName.slice(0, Math.floor(FileNameLength / 2));
  const built = destinationName(fltMgr, FileObject_, RootDirectory, name, provider === null ? format : FLT_FILE_NAME_OPENED);
  if (!NT_SUCCESS(built.status)) return refuse(built.status, built.detail);
  let full = built.name;
  if (provider !== null && format === FLT_FILE_NAME_NORMALIZED) {
    const normalized = yield* normalizeComponents(fltMgr, provider, FileObject_, full, FLTFL_NORMALIZE_NAME_DESTINATION_FILE_NAME);
    if (!NT_SUCCESS(normalized.status)) return refuse(normalized.status, `name provider ${provider} could not normalize the destination`);
    full = normalized.name;
  }
  const req: NameRequest = { routine, caller: Instance, filterId, fileObject: FileObject_, op: null, data: null, options: NameOptions >>> 0 };
  const record = createName(fltMgr, req, format, full, provider?.id ?? null, null);
  return { status: STATUS_SUCCESS, FileNameInformation: record.info };
}

function destinationName(fltMgr: FilterManager, fo: FileObject, root: string | FileObject | null, fileName: string, format: number): { status: NTSTATUS; name: string; detail: string } {
  const volume = fo.volume;
  const fs = volume.fileSystem;
  const ok = (path: string) => ({ status: STATUS_SUCCESS, name: volume.name + path, detail: '' });
  const normalized = (path: string, related: string | null) => {
    const { path: bare, stream } = splitStream(path, FLT_FILE_NAME_NORMALIZED);
    const lookup = fs.normalizeUnopenedName(bare, related);
    return NT_SUCCESS(lookup.status) ? ok(lookup.name + stream) : { status: lookup.status, name: '', detail: `the target directory of ${fileName} cannot be named` };
  };
  // A full path (`\??\C:\a`, `C:\a`, `\Device\HarddiskVolume1\a`): it must stay on this volume.
  const full = /^(\\\?\?\\|\\DosDevices\\|\\Device\\|[A-Za-z]:)/i.test(fileName) ? resolvePath(fltMgr, fileName) : null;
  if (full !== null || /^(\\\?\?\\|\\DosDevices\\|\\Device\\|[A-Za-z]:)/i.test(fileName)) {
    if (full === null || full.volume !== volume) return { status: STATUS_MOUNT_POINT_NOT_RESOLVED, name: '', detail: `${fileName} is not on ${volume.name}` };
    return format === FLT_FILE_NAME_OPENED ? ok(full.fileName) : normalized(full.fileName, null);
  }
  const rootObject = typeof root === 'string' ? (fltMgr.fileObjects.get(root) ?? null) : root;
  if (root !== null && !(rootObject instanceof FileObject)) return { status: STATUS_INVALID_PARAMETER, name: '', detail: `RootDirectory ${String(root)} is not an open file object` };
  if (rootObject !== null) {
    if (format === FLT_FILE_NAME_OPENED) {
      const base = typedPath(rootObject);
      return ok(base === '\\' || base === '' ? `\\${fileName}` : `${base}\\${fileName}`);
    }
    return normalized(fileName, rootObject.id);
  }
  if (fileName.startsWith('\\')) return format === FLT_FILE_NAME_OPENED ? ok(fileName) : normalized(fileName, null);
  // A simple name: the file stays in its directory.
  const source = openedObjectName(fltMgr, fo, format);
  if (!NT_SUCCESS(source.status)) return { ...source, detail: `the source ${fo} cannot be named` };
  const parent = source.name.slice(0, source.name.lastIndexOf('\\'));
  return { status: STATUS_SUCCESS, name: `${parent}\\${fileName}`, detail: '' };
}

// ---------------------------------------------------------------- references

function recordOrThrow(routine: string, info: unknown): FileNameRecord {
  const record = nameRecordOf(info);
  if (record === null) throw new UsageError('NOT_A_FILE_NAME_INFORMATION', `${routine} was given something that is not a FLT_FILE_NAME_INFORMATION fltsim returned`);
  return record;
}

/** The filter making this call: the one whose callback runs, else the (first) filter holding a reference. */
function actingFilter(record: FileNameRecord): string | null {
  const running = runningFilterId(record.home.kernel);
  if (running !== null) return running;
  for (const [filter, n] of record.byFilter) if (n > 0) return filter;
  return null;
}

/** A use by `filterId` requires a reference of its own, and the structure unmodified (§19.9 invariant 8). */
function checkUse(record: FileNameRecord, routine: string, filterId: string | null, rule: 'FLT_NAME_USE_AFTER_RELEASE' | 'FLT_NAME_DOUBLE_RELEASE'): string {
  const kernel = record.home.kernel;
  if (filterId === null || record.state === 'Freed' || (record.byFilter.get(filterId) ?? 0) === 0) {
    const who = filterId ?? 'a filter';
    const what = rule === 'FLT_NAME_DOUBLE_RELEASE' ? 'released again' : 'used after its release';
    throw kernel.violation(rule, record.id, `${routine}: FLT_FILE_NAME_INFORMATION ${record.id} (${record.info.Name}) ${what}: ${who} holds no reference to it (state ${record.state})`);
  }
  if (record.modified) {
    throw kernel.violation('FLT_NAME_MODIFIED', record.id, `${routine}: FLT_FILE_NAME_INFORMATION ${record.id} was written by a filter; it is FltMgr's and shared (§16.1)`);
  }
  return filterId;
}

/** FltReferenceFileNameInformation(FileNameInformation) — one more reference for the calling filter. */
export function FltReferenceFileNameInformation(FileNameInformation: FLT_FILE_NAME_INFORMATION): void {
  const record = recordOrThrow('FltReferenceFileNameInformation', FileNameInformation);
  const filterId = checkUse(record, 'FltReferenceFileNameInformation', actingFilter(record), 'FLT_NAME_USE_AFTER_RELEASE');
  record.home.reference(record, filterId);
}

/** FltReleaseFileNameInformation(FileNameInformation) — drop one reference; freed at zero unless the name cache keeps it. */
export function FltReleaseFileNameInformation(FileNameInformation: FLT_FILE_NAME_INFORMATION): void {
  const record = recordOrThrow('FltReleaseFileNameInformation', FileNameInformation);
  const filterId = checkUse(record, 'FltReleaseFileNameInformation', actingFilter(record), 'FLT_NAME_DOUBLE_RELEASE');
  record.home.release(record, filterId);
}

/**
 * FltParseFileNameInformation(FileNameInformation) — fills Volume, Share, ParentDir,
 * FinalComponent, Extension and Stream and sets all four NamesParsed bits (a bit means "parsed",
 * not "present"). ≤ APC_LEVEL.
 */
export function FltParseFileNameInformation(FileNameInformation: FLT_FILE_NAME_INFORMATION): NTSTATUS {
  const record = recordOrThrow('FltParseFileNameInformation', FileNameInformation);
  const filterId = checkUse(record, 'FltParseFileNameInformation', actingFilter(record), 'FLT_NAME_USE_AFTER_RELEASE');
  const namesParsed = FLTFL_FILE_NAME_PARSED_FINAL_COMPONENT | FLTFL_FILE_NAME_PARSED_EXTENSION | FLTFL_FILE_NAME_PARSED_STREAM | FLTFL_FILE_NAME_PARSED_PARENT_DIR;
  record.home.kernel.emitFact({ seq: 0, time: 0, object: record.id, type: 'FltParseFileNameInformation', filter: filterId, namesParsed });
  record.update({ ...parseFileNameParts(record.info.Name, record.info.Format), NamesParsed: namesParsed });
  return STATUS_SUCCESS;
}

export interface TunneledNameResult {
  readonly status: NTSTATUS;
  /** *RetTunneledFileNameInformation: a new referenced structure when tunneling changed the name, else NULL. */
  readonly RetTunneledFileNameInformation: FLT_FILE_NAME_INFORMATION | null;
}

/**
 * FltGetTunneledName(CallbackData, FileNameInformation, &RetTunneledFileNameInformation) — §16.4.
 * Only from the post-operation callback of IRP_MJ_CREATE or IRP_MJ_SET_INFORMATION (rename, link),
 * for a NORMALIZED name the filter got in the pre-operation; anywhere else it is the filter's
 * mistake (TUNNELED_NAME_OUTSIDE_POST_OPERATION, recorded; STATUS_INVALID_PARAMETER [model]).
 * [model] The model's file systems keep no tunnel cache (no short/long name pair is restored after a
 * delete or rename), so no name is ever tunneled: STATUS_SUCCESS with NULL, as Windows answers when
 * no tunneling happened. The caller still releases FileNameInformation itself.
 */
export function FltGetTunneledName(CallbackData: FLT_CALLBACK_DATA, FileNameInformation: FLT_FILE_NAME_INFORMATION): TunneledNameResult {
  const routine = 'FltGetTunneledName';
  const op = operationOfData(CallbackData);
  if (op === null) return { status: STATUS_INVALID_PARAMETER, RetTunneledFileNameInformation: null };
  const record = recordOrThrow(routine, FileNameInformation);
  const filterId = checkUse(record, routine, actingFilter(record), 'FLT_NAME_USE_AFTER_RELEASE');
  const major = CallbackData.Iopb.MajorFunction;
  const post = (CallbackData.Flags & FLTFL_CALLBACK_DATA_POST_OPERATION) !== 0;
  const kernel = record.home.kernel;
  kernel.emitFact({ seq: 0, time: 0, object: record.id, type: 'FltGetTunneledName', filter: filterId, operation: op.id, major, post, tunneled: null });
  if (!post || (major !== IRP_MJ_CREATE && major !== IRP_MJ_SET_INFORMATION)) {
    kernel.reportViolation('TUNNELED_NAME_OUTSIDE_POST_OPERATION', record.id, `${routine} from ${post ? 'the post-operation' : 'outside the post-operation'} of ${irpMajorName(major)}: only post-create and post-set-information may ask`);
    return { status: fail(op.volume.fltMgr, record.id, routine, STATUS_INVALID_PARAMETER, 'not in a post-create or post-set-information callback'), RetTunneledFileNameInformation: null };
  }
  return { status: STATUS_SUCCESS, RetTunneledFileNameInformation: null };
}

/** FltParseFileName(FileName, &Extension, &Stream, &FinalComponent) — the same parser for a bare name. */
export function FltParseFileName(FileName: string): { status: NTSTATUS; Extension: string; Stream: string; FinalComponent: string } {
  if (typeof FileName !== 'string') return { status: STATUS_INVALID_PARAMETER, Extension: '', Stream: '', FinalComponent: '' };
  const slash = FileName.lastIndexOf('\\');
  return { status: STATUS_SUCCESS, ...parseFinalComponent(slash < 0 ? FileName : FileName.slice(slash + 1)) };
}

/** FltCheckAndGrowNameControl(NameCtrl, NewSize) — the buffer of a provider's FLT_NAME_CONTROL; a name is at most MAXUSHORT bytes. */
export function FltCheckAndGrowNameControl(NameCtrl: FLT_NAME_CONTROL, NewSize: number): NTSTATUS {
  if (NameCtrl === null || typeof NameCtrl !== 'object' || !Number.isInteger(NewSize) || NewSize < 0 || NewSize > 0xffff) return STATUS_INVALID_PARAMETER;
  return STATUS_SUCCESS;
}

/**
 * FltPurgeFileNameInformationCache(Instance, FileObject) — drop the cached names `Instance` (a
 * name provider) produced: all of them, or those of one file object. Structures still referenced
 * stay valid until released (§16.4).
 */
export function FltPurgeFileNameInformationCache(Instance: InstanceObject, FileObject_: FileObject | null): NTSTATUS {
  if (!(Instance instanceof InstanceObject) || (FileObject_ !== null && !(FileObject_ instanceof FileObject))) return STATUS_INVALID_PARAMETER;
  const fileId = FileObject_ === null ? null : (Instance.volume.fileSystem.fsContextOf(FileObject_.id)?.fileId ?? null);
  Instance.volume.fltMgr.names.purge(Instance.id, FileObject_?.id ?? null, fileId);
  return STATUS_SUCCESS;
}
