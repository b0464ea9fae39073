/**
 * simrep.c's name routines: SimRepCompareMapping and SimRepMungeName (the mapping is a plain prefix
 * of the opened name after the volume, compared with or without case; short names are not
 * considered), and the pass-through name provider the rename remapping needs — so that the creates
 * FltMgr issues to resolve names come through simrep and names are the same for every filter. The
 * provider does not munge names; it asks the filters below for them.
 */
import {
  FILE_ATTRIBUTE_DIRECTORY,
  FILE_ATTRIBUTE_NORMAL,
  FILE_DIRECTORY_FILE,
  FILE_INFORMATION_CLASS,
  FILE_LIST_DIRECTORY,
  FILE_OPEN,
  FILE_OPEN_FOR_BACKUP_INTENT,
  FILE_SHARE_DELETE,
  FILE_SHARE_READ,
  FILE_SHARE_WRITE,
  FILE_SYNCHRONOUS_IO_NONALERT,
  FLT_FILE_NAME_REQUEST_FROM_CURRENT_PROVIDER,
  FLTFL_FILE_NAME_PARSED_EXTENSION,
  FLTFL_FILE_NAME_PARSED_FINAL_COMPONENT,
  FLTFL_FILE_NAME_PARSED_PARENT_DIR,
  FLTFL_FILE_NAME_PARSED_STREAM,
  FLTFL_NORMALIZE_NAME_CASE_SENSITIVE,
  FltCheckAndGrowNameControl,
  FltClose,
  FltCreateFile,
  FltCreateFileEx2,
  FltGetFileNameInformation,
  FltGetFileNameInformationUnsafe,
  FltQueryDirectoryFile,
  FltReleaseFileNameInformation,
  IO_IGNORE_SHARE_ACCESS_CHECK,
  IoFileObjectType,
  NT_SUCCESS,
  ObDereferenceObject,
  ObReferenceObjectByHandle,
  decodeDirectoryEntries,
  STATUS_INVALID_PARAMETER,
  STATUS_NOT_FOUND,
  STATUS_SUCCESS,
  SYNCHRONIZE,
  type Blocking,
  type FILE_NAMES_INFORMATION_OUT,
  type FLT_CALLBACK_DATA,
  type FLT_FILE_NAME_INFORMATION,
  type FLT_NAME_CONTROL,
  type NTSTATUS,
  type PFILE_OBJECT,
  type PFLT_INSTANCE,
} from '../../../src/index.js';
import { DEBUG_TRACE_ERROR, DEBUG_TRACE_NAME_OPERATIONS, DebugTrace, hex, type SIMREP_GLOBAL_DATA } from './simrepGlobals.js';

/** sizeof(FILE_NAMES_INFORMATION) with its one-WCHAR name. */
const FILE_NAMES_INFORMATION_SIZE = 16;

export function simrepNames(Globals: SIMREP_GLOBAL_DATA) {
  /**
   * Is the file the mapping path itself or under it? `\a\b\c` overlaps `\a\b\cd.txt` as a string
   * but is not under it: the character after the prefix must be a separator. `ExactMatch` (when
   * given) receives whether the name is the mapping itself.
   */
  function SimRepCompareMapping(NameInfo: FLT_FILE_NAME_INFORMATION, MappingPath: string, IgnoreCase: boolean, ExactMatch: { value: boolean } | null): boolean {
    const parsed = FLTFL_FILE_NAME_PARSED_FINAL_COMPONENT | FLTFL_FILE_NAME_PARSED_EXTENSION | FLTFL_FILE_NAME_PARSED_STREAM | FLTFL_FILE_NAME_PARSED_PARENT_DIR;
    if ((NameInfo.NamesParsed & parsed) !== parsed) throw new Error('NT_ASSERT: SimRepCompareMapping on a name that was not parsed');
    let match = false;
    let exactMatch = false;
    // The name after the volume part.
    const fileName = NameInfo.Name.slice(NameInfo.Volume.length);
    const prefixOf = IgnoreCase ? fileName.toUpperCase().startsWith(MappingPath.toUpperCase()) : fileName.startsWith(MappingPath);
    if (prefixOf) {
      if (fileName.length === MappingPath.length) {
        match = true;
        exactMatch = true;
      } else if (fileName[MappingPath.length] === '\\') {
        match = true;
      }
    }
    if (ExactMatch !== null) ExactMatch.value = exactMatch;
    return match;
  }

  /**
   * A new path: the volume, then NewSubPath in place of SubPath, then the rest of the name.
   * STATUS_NOT_FOUND when SubPath does not match (or, with ExactMatch, is not the whole name).
   */
  function SimRepMungeName(NameInfo: FLT_FILE_NAME_INFORMATION, SubPath: string, NewSubPath: string, IgnoreCase: boolean, ExactMatch: boolean): { status: NTSTATUS; MungedPath: string | null } {
    const exactMatch = { value: false };
    const match = SimRepCompareMapping(NameInfo, SubPath, IgnoreCase, exactMatch);
    if (!match || (ExactMatch && !exactMatch.value)) return { status: STATUS_NOT_FOUND, MungedPath: null };
    const MungedPath = NameInfo.Volume + NewSubPath + NameInfo.Name.slice(NameInfo.Volume.length + SubPath.length);
    return { status: STATUS_SUCCESS, MungedPath };
  }

  /**
   * The pass-through GenerateFileName: ask the filters below for the same name and copy it. An
   * unopened file object (a pre-create above simrep) keeps the caller's NameOptions unchanged, so
   * FILESYSTEM_ONLY or DO_NOT_CACHE are not lost and the cache is not poisoned; its name may change
   * at the create (a symbolic link), so it is never cached.
   */
  function* SimRepGenerateFileName(
    Instance: PFLT_INSTANCE,
    FileObject: PFILE_OBJECT,
    Cbd: FLT_CALLBACK_DATA | null,
    NameOptions: number,
    CacheFileNameInformation: { value: boolean },
    FileName: FLT_NAME_CONTROL,
  ): Blocking<NTSTATUS> {
    let userFileNameInfo: FLT_FILE_NAME_INFORMATION | null = null;
    let status: NTSTATUS = STATUS_SUCCESS;
    // Our own query must go below simrep, not recurse into it.
    NameOptions &= ~FLT_FILE_NAME_REQUEST_FROM_CURRENT_PROVIDER;
    do {
      if (FileObject.FsContext === null) {
        const got = yield* FltGetFileNameInformation(Cbd!, NameOptions);
        status = got.status;
        if (!NT_SUCCESS(status)) break;
        userFileNameInfo = got.FileNameInformation;
      } else {
        // Without callback data someone called FltGetFileNameInformationUnsafe: answer the same way.
        const got = Cbd !== null ? yield* FltGetFileNameInformation(Cbd, NameOptions) : yield* FltGetFileNameInformationUnsafe(FileObject, Instance, NameOptions);
        status = got.status;
        if (!NT_SUCCESS(status)) break;
        userFileNameInfo = got.FileNameInformation;
      }
      const userFileName = userFileNameInfo!.Name;
      status = FltCheckAndGrowNameControl(FileName, userFileName.length * 2);
      if (!NT_SUCCESS(status)) break;
      FileName.Name = userFileName;
      CacheFileNameInformation.value = FileObject.FsContext !== null;
    } while (false);
    if (userFileNameInfo !== null) FltReleaseFileNameInformation(userFileNameInfo);
    if (!NT_SUCCESS(status)) DebugTrace(Globals, DEBUG_TRACE_NAME_OPERATIONS | DEBUG_TRACE_ERROR, `SimRepGenerateFileName: failed ${hex(status)}`);
    return status;
  }

  /** Pre-Vista NormalizeNameComponent: open the parent below simrep and ask it for the one component's long name. */
  function* SimRepNormalizeNameComponent(
    Instance: PFLT_INSTANCE,
    ParentDirectory: string,
    DeviceNameLength: number,
    Component: string,
    ExpandComponentName: FILE_NAMES_INFORMATION_OUT,
    ExpandComponentNameLength: number,
    Flags: number,
    NormalizationContext: { value: unknown },
  ): Blocking<NTSTATUS> {
    void DeviceNameLength, NormalizationContext, Flags;
    if (ExpandComponentNameLength < FILE_NAMES_INFORMATION_SIZE) return STATUS_INVALID_PARAMETER;
    let directoryFileObject: PFILE_OBJECT | null = null;
    const opened = yield* FltCreateFile(
      Globals.Filter!,
      Instance,
      FILE_LIST_DIRECTORY | SYNCHRONIZE,
      { ObjectName: ParentDirectory },
      0,
      FILE_ATTRIBUTE_DIRECTORY | FILE_ATTRIBUTE_NORMAL,
      FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
      FILE_OPEN,
      FILE_DIRECTORY_FILE | FILE_SYNCHRONOUS_IO_NONALERT | FILE_OPEN_FOR_BACKUP_INTENT,
      null,
      0,
      IO_IGNORE_SHARE_ACCESS_CHECK,
    );
    let status = opened.status;
    do {
      if (!NT_SUCCESS(status)) break;
      const referenced = ObReferenceObjectByHandle(opened.FileHandle!, FILE_LIST_DIRECTORY | SYNCHRONIZE, IoFileObjectType, 'KernelMode');
      status = referenced.status;
      if (!NT_SUCCESS(status)) break;
      directoryFileObject = referenced.Object;
      status = yield* SimRepQueryDirectoryFile(Instance, directoryFileObject!, ExpandComponentName, ExpandComponentNameLength, FILE_INFORMATION_CLASS.FileNamesInformation, true, Component, true);
    } while (false);
    if (opened.FileHandle !== null) yield* FltClose(opened.FileHandle);
    if (directoryFileObject !== null) yield* ObDereferenceObject(directoryFileObject);
    return status;
  }

  /**
   * NormalizeNameComponentEx (Vista and later, preferred when both are registered): the same, with
   * the parent opened by FltCreateFileEx2 in the file object's transaction. The port does not ask
   * IoGetTransactionParameterBlock(FileObject) (fltsim has it, §22.4), so the create context
   * carries no transaction.
   */
  function* SimRepNormalizeNameComponentEx(
    Instance: PFLT_INSTANCE,
    FileObject: PFILE_OBJECT,
    ParentDirectory: string,
    DeviceNameLength: number,
    Component: string,
    ExpandComponentName: FILE_NAMES_INFORMATION_OUT,
    ExpandComponentNameLength: number,
    Flags: number,
    NormalizationContext: { value: unknown },
  ): Blocking<NTSTATUS> {
    void DeviceNameLength, NormalizationContext, FileObject;
    if (ExpandComponentNameLength < FILE_NAMES_INFORMATION_SIZE) return STATUS_INVALID_PARAMETER;
    const ignoreCase = (Flags & FLTFL_NORMALIZE_NAME_CASE_SENSITIVE) === 0;
    void ignoreCase;
    const opened = yield* FltCreateFileEx2(
      Globals.Filter!,
      Instance,
      FILE_LIST_DIRECTORY | SYNCHRONIZE,
      { ObjectName: ParentDirectory },
      0,
      FILE_ATTRIBUTE_DIRECTORY | FILE_ATTRIBUTE_NORMAL,
      FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
      FILE_OPEN,
      FILE_DIRECTORY_FILE | FILE_SYNCHRONOUS_IO_NONALERT | FILE_OPEN_FOR_BACKUP_INTENT,
      null,
      0,
      IO_IGNORE_SHARE_ACCESS_CHECK,
      null,
    );
    let status = opened.status;
    if (NT_SUCCESS(status)) {
      status = yield* SimRepQueryDirectoryFile(Instance, opened.FileObject!, ExpandComponentName, ExpandComponentNameLength, FILE_INFORMATION_CLASS.FileNamesInformation, true, Component, true);
    }
    if (opened.FileHandle !== null) yield* FltClose(opened.FileHandle);
    if (opened.FileObject !== null) yield* ObDereferenceObject(opened.FileObject);
    return status;
  }

  /**
   * FltQueryDirectoryFile (found by FltGetRoutineAddress on Vista and later, so the sample's own
   * FltAllocateCallbackData version is never used). The FILE_NAMES_INFORMATION entry is read back
   * into the provider's ExpandComponentName.
   */
  function* SimRepQueryDirectoryFile(
    Instance: PFLT_INSTANCE,
    FileObject: PFILE_OBJECT,
    FileInformationBuffer: FILE_NAMES_INFORMATION_OUT,
    Length: number,
    FileInformationClass: number,
    ReturnSingleEntry: boolean,
    FileName: string | null,
    RestartScan: boolean,
  ): Blocking<NTSTATUS> {
    const buffer = new Uint8Array(Length);
    const r = yield* FltQueryDirectoryFile(Instance, FileObject, buffer, Length, FileInformationClass, ReturnSingleEntry, FileName, RestartScan);
    if (NT_SUCCESS(r.status)) {
      const entry = decodeDirectoryEntries(FileInformationClass, buffer, r.LengthReturned)[0] as { FileName: string; FileNameLength: number } | undefined;
      if (entry !== undefined) {
        FileInformationBuffer.FileName = entry.FileName;
        FileInformationBuffer.FileNameLength = entry.FileNameLength;
      }
    }
    return r.status;
  }

  return { SimRepCompareMapping, SimRepMungeName, SimRepGenerateFileName, SimRepNormalizeNameComponent, SimRepNormalizeNameComponentEx };
}

export type SimRepNames = ReturnType<typeof simrepNames>;
