/**
 * The per-kind context routines under their WDK names and parameter order (§15.4, §15.5, §15.7),
 * and the FltSupports*Contexts queries. Each is one line over the engine in contextSetGet.ts; get, set
 * and delete are scheduling points (≤ APC_LEVEL, called with `yield*`).
 */
import type { FileObject } from '../io/fileObject.js';
import { FLT_FILE_CONTEXT, FLT_INSTANCE_CONTEXT, FLT_STREAM_CONTEXT, FLT_STREAMHANDLE_CONTEXT, FLT_VOLUME_CONTEXT } from '../wdk/contextConstants.js';
import type { NTSTATUS } from '../wdk/ntstatus.js';
import type { Blocking } from '../kernel/effects.js';
import { contextArgument } from './contextArguments.js';
import { fileObjectArgument, optionalInstanceArgument } from './objectArguments.js';
import type { ContextObject } from './contextObject.js';
import { deleteContext, getContext, setContext, type GetContextResult, type PFLT_CONTEXT_OUT } from './contextSetGet.js';
import type { FilterObject } from './filterObject.js';
import type { InstanceObject } from './instanceObject.js';
import type { VolumeObject } from './volumeObject.js';

type Ctx = ContextObject<object>;

/** FltSetVolumeContext(Volume, Operation, NewContext, &OldContext): one per (filter, volume); the filter is the context's. */
export function* FltSetVolumeContext(Volume: VolumeObject, Operation: number, NewContext: Ctx, OldContext: PFLT_CONTEXT_OUT | null = null): Blocking<NTSTATUS> {
  const context = contextArgument('FltSetVolumeContext', NewContext, 'NewContext');
  return yield* setContext(FLT_VOLUME_CONTEXT, { filter: context.filter, volume: Volume }, Operation, context, OldContext, 'FltSetVolumeContext');
}

/** FltGetVolumeContext(Filter, Volume, &Context). */
export function* FltGetVolumeContext<T extends object = Record<string, unknown>>(Filter: FilterObject, Volume: VolumeObject): Blocking<GetContextResult<T>> {
  return yield* getContext<T>(FLT_VOLUME_CONTEXT, { filter: Filter, volume: Volume }, 'FltGetVolumeContext');
}

/** FltDeleteVolumeContext(Filter, Volume, &OldContext). */
export function* FltDeleteVolumeContext(Filter: FilterObject, Volume: VolumeObject, OldContext: PFLT_CONTEXT_OUT | null = null): Blocking<NTSTATUS> {
  return yield* deleteContext(FLT_VOLUME_CONTEXT, { filter: Filter, volume: Volume }, OldContext, 'FltDeleteVolumeContext');
}

/** FltSetInstanceContext(Instance, Operation, NewContext, &OldContext). */
export function* FltSetInstanceContext(Instance: InstanceObject, Operation: number, NewContext: Ctx, OldContext: PFLT_CONTEXT_OUT | null = null): Blocking<NTSTATUS> {
  return yield* setContext(FLT_INSTANCE_CONTEXT, { instance: Instance }, Operation, NewContext, OldContext, 'FltSetInstanceContext');
}

/** FltGetInstanceContext(Instance, &Context). */
export function* FltGetInstanceContext<T extends object = Record<string, unknown>>(Instance: InstanceObject): Blocking<GetContextResult<T>> {
  return yield* getContext<T>(FLT_INSTANCE_CONTEXT, { instance: Instance }, 'FltGetInstanceContext');
}

/** FltDeleteInstanceContext(Instance, &OldContext). */
export function* FltDeleteInstanceContext(Instance: InstanceObject, OldContext: PFLT_CONTEXT_OUT | null = null): Blocking<NTSTATUS> {
  return yield* deleteContext(FLT_INSTANCE_CONTEXT, { instance: Instance }, OldContext, 'FltDeleteInstanceContext');
}

/** FltSetFileContext(Instance, FileObject, Operation, NewContext, &OldContext): all streams of the file. */
export function* FltSetFileContext(Instance: InstanceObject, FileObject: FileObject, Operation: number, NewContext: Ctx, OldContext: PFLT_CONTEXT_OUT | null = null): Blocking<NTSTATUS> {
  return yield* setContext(FLT_FILE_CONTEXT, { instance: Instance, fileObject: FileObject }, Operation, NewContext, OldContext, 'FltSetFileContext');
}

export function* FltGetFileContext<T extends object = Record<string, unknown>>(Instance: InstanceObject, FileObject: FileObject): Blocking<GetContextResult<T>> {
  return yield* getContext<T>(FLT_FILE_CONTEXT, { instance: Instance, fileObject: FileObject }, 'FltGetFileContext');
}

export function* FltDeleteFileContext(Instance: InstanceObject, FileObject: FileObject, OldContext: PFLT_CONTEXT_OUT | null = null): Blocking<NTSTATUS> {
  return yield* deleteContext(FLT_FILE_CONTEXT, { instance: Instance, fileObject: FileObject }, OldContext, 'FltDeleteFileContext');
}

/** FltSetStreamContext(Instance, FileObject, Operation, NewContext, &OldContext): shared by every file object of the stream. */
export function* FltSetStreamContext(Instance: InstanceObject, FileObject: FileObject, Operation: number, NewContext: Ctx, OldContext: PFLT_CONTEXT_OUT | null = null): Blocking<NTSTATUS> {
  return yield* setContext(FLT_STREAM_CONTEXT, { instance: Instance, fileObject: FileObject }, Operation, NewContext, OldContext, 'FltSetStreamContext');
}

export function* FltGetStreamContext<T extends object = Record<string, unknown>>(Instance: InstanceObject, FileObject: FileObject): Blocking<GetContextResult<T>> {
  return yield* getContext<T>(FLT_STREAM_CONTEXT, { instance: Instance, fileObject: FileObject }, 'FltGetStreamContext');
}

export function* FltDeleteStreamContext(Instance: InstanceObject, FileObject: FileObject, OldContext: PFLT_CONTEXT_OUT | null = null): Blocking<NTSTATUS> {
  return yield* deleteContext(FLT_STREAM_CONTEXT, { instance: Instance, fileObject: FileObject }, OldContext, 'FltDeleteStreamContext');
}

/** FltSetStreamHandleContext(Instance, FileObject, Operation, NewContext, &OldContext): one file object. */
export function* FltSetStreamHandleContext(Instance: InstanceObject, FileObject: FileObject, Operation: number, NewContext: Ctx, OldContext: PFLT_CONTEXT_OUT | null = null): Blocking<NTSTATUS> {
  return yield* setContext(FLT_STREAMHANDLE_CONTEXT, { instance: Instance, fileObject: FileObject }, Operation, NewContext, OldContext, 'FltSetStreamHandleContext');
}

export function* FltGetStreamHandleContext<T extends object = Record<string, unknown>>(Instance: InstanceObject, FileObject: FileObject): Blocking<GetContextResult<T>> {
  return yield* getContext<T>(FLT_STREAMHANDLE_CONTEXT, { instance: Instance, fileObject: FileObject }, 'FltGetStreamHandleContext');
}

export function* FltDeleteStreamHandleContext(Instance: InstanceObject, FileObject: FileObject, OldContext: PFLT_CONTEXT_OUT | null = null): Blocking<NTSTATUS> {
  return yield* deleteContext(FLT_STREAMHANDLE_CONTEXT, { instance: Instance, fileObject: FileObject }, OldContext, 'FltDeleteStreamHandleContext');
}

/** FltSupportsStreamContexts(FileObject): the file object is open on a file stream (not a volume open, not before the open or after the close). */
export function FltSupportsStreamContexts(FileObject: FileObject): boolean {
  fileObjectArgument('FltSupportsStreamContexts', FileObject);
  return FileObject.volume.fileSystem.openOf(FileObject.id)?.kind === 'file';
}

/** FltSupportsStreamHandleContexts(FileObject): as stream contexts — the file object is open on a file stream. */
export function FltSupportsStreamHandleContexts(FileObject: FileObject): boolean {
  fileObjectArgument('FltSupportsStreamHandleContexts', FileObject);
  return FileObject.volume.fileSystem.openOf(FileObject.id)?.kind === 'file';
}

/** FltSupportsFileContexts(FileObject): the FS itself keeps file contexts (NTFS, ReFS); FAT does not (§15.1). */
export function FltSupportsFileContexts(FileObject: FileObject): boolean {
  fileObjectArgument('FltSupportsFileContexts', FileObject);
  return FltSupportsStreamContexts(FileObject) && FileObject.volume.fsType !== 'FAT';
}

/** FltSupportsFileContextsEx(FileObject, Instance): with an instance FltMgr emulates file contexts on single-stream file systems (§15.1). */
export function FltSupportsFileContextsEx(FileObject: FileObject, Instance: InstanceObject | null): boolean {
  fileObjectArgument('FltSupportsFileContextsEx', FileObject);
  Instance = optionalInstanceArgument('FltSupportsFileContextsEx', Instance);
  return Instance === null ? FltSupportsFileContexts(FileObject) : FltSupportsStreamContexts(FileObject);
}
