/**
 * Where the WDK documentation is ambiguous (docs/semantics.md §13), the model takes the default
 * listed there; each alternative is a documented option here, set with
 * `createSimulation({ semantics: { … } })`.
 */
export interface Semantics {
  /**
   * §11 (common): may an instance whose teardown has started still issue I/O? Default 'allow'
   * (files are closed in TeardownComplete); 'deny' fails FltAllocateCallbackData and FltCreateFile*
   * with STATUS_FLT_DELETING_OBJECT once teardown has begun (LiberNT's reading).
   */
  readonly generatedIoDuringTeardown: 'allow' | 'deny';
  /** §13 A5: do lower filters see FLTFL_CALLBACK_DATA_GENERATED_IO on creates from FltCreateFile*? Default false. */
  readonly flagGeneratedCreates: boolean;
  /**
   * §13 A4: what asynchronous FltReadFile/FltWriteFile return. Default 'pending': STATUS_PENDING once
   * issued, the callback always from a scheduled completion. 'perform': as FltPerformAsynchronousIo
   * (STATUS_SUCCESS with the callback already run when the I/O completed inside the call).
   */
  readonly asyncReadWriteReturn: 'pending' | 'perform';
  /**
   * §13 A2: does an explicit ByteOffset still advance CurrentByteOffset of a synchronous file object
   * (FltReadFile/FltWriteFile)? Default true (current DDI text); false is the pre-2023 text.
   */
  readonly explicitOffsetUpdatesPosition: boolean;
  /** §13 A13: the minor function FltFsControlFile uses. Default IRP_MN_USER_FS_REQUEST. */
  readonly fsControlMinor: 'IRP_MN_USER_FS_REQUEST' | 'IRP_MN_KERNEL_CALL';
  /**
   * §11.10, §14 invariant 11: FltPerformAsynchronousIo for IRP_MJ_CREATE. Default 'status', as the
   * DDI documents: STATUS_FLT_INVALID_ASYNCHRONOUS_REQUEST, and the callback runs once with it.
   * 'verifier' reports the verifier rule ASYNC_CREATE instead (the calling thread ends).
   */
  readonly asyncCreate: 'status' | 'verifier';
  /**
   * §7, §11.14: the flags lower instances see on a reissued operation. Default 'keepOriginal':
   * FLTFL_CALLBACK_DATA_REISSUED_IO added to what the original data had, so a reissued user create
   * is not GENERATED_IO (FLT_IS_REISSUED_IO documents only the REISSUED_IO flag). 'addGenerated'
   * also sets GENERATED_IO, as a comment in fltKernel.h says ("if the i/o was reissued both flags
   * will necessarily be set").
   */
  readonly reissuedIoFlags: 'keepOriginal' | 'addGenerated';
  /**
   * §15.8: when a filter's volume context goes. Default 'volume': at FltUnregisterFilter or when the
   * volume object is deleted (dismounted and unreferenced); 'lastInstance': also when the filter's
   * last instance on the volume is torn down.
   */
  readonly volumeContextLifetime: 'volume' | 'lastInstance';
  /**
   * §15.2: what FltRegisterFilter returns for a malformed ContextRegistration. Default
   * STATUS_FLT_INVALID_CONTEXT_REGISTRATION (the code's name); the alternative STATUS_INVALID_PARAMETER.
   */
  readonly invalidContextRegistration: 'STATUS_FLT_INVALID_CONTEXT_REGISTRATION' | 'STATUS_INVALID_PARAMETER';
  /**
   * §16.5: what a successful rename or link does to the name cache. Default 'invalidate' (local file
   * systems: the file's names, and a directory's descendants', are dropped before post-rename runs,
   * so FltGetFileNameInformation there returns the new name); 'stale' keeps them, as network
   * redirectors were seen to (the old name comes back in post-rename).
   */
  readonly renameNameCache: 'invalidate' | 'stale';
  /**
   * §17.3: FltSendMessage with a Timeout that points to zero. Default 'noWait' (a zero wait, as for
   * every kernel wait: delivered only to a get already waiting, and STATUS_TIMEOUT unless the reply
   * is there at once); 'infinite' follows the DDI remark "if Timeout is zero, wait indefinitely".
   */
  readonly sendMessageZeroTimeout: 'noWait' | 'infinite';
  /**
   * §2, §12: do kernel handles and file-object references a filter opened with FltCreateFile* and
   * never closed hold its unload? Default false: as on Windows, FltUnregisterFilter returns and
   * Filter Verifier reports the leaks (FILE_HANDLE_LEAKED, FILE_OBJECT_LEAKED). true: they keep the
   * unload gate shut until closed, and a hang names them.
   */
  readonly leakedFilesHoldUnload: boolean;
  /**
   * §8, §20.2, §24.2: when the I/O manager takes the fast-I/O path for an operation that has an IRP
   * form too. Default 'never': every read, write and information query is an IRP, as before fast I/O
   * was modelled. fltsim has no cache manager, so it cannot know when a file system's fast routine
   * would succeed, and Windows sends the IRP whenever it does not: an IRP-only run is one Windows
   * produces, and the IRP path is where pending, posting and cross-thread completion live.
   * 'whereWindows': on a synchronous file object the I/O manager tries the fast routine first for
   * a read or write once caching is initiated on the file object (CcInitializeCacheMap at the first
   * cached IRP read or write the file system serves) and for FileBasicInformation,
   * FileStandardInformation and FileNetworkOpenInformation queries; minifilters see it with
   * FLTFL_CALLBACK_DATA_FAST_IO_OPERATION, and a fast operation that ends in
   * STATUS_FLT_DISALLOW_FAST_IO (a filter disallowed it, or the file system's routine returned
   * FALSE) is sent again as an IRP. IRP_MJ_NETWORK_QUERY_OPEN has no IRP form and is always tried fast.
   * Absent from a simulation's options at its default (resolveOptions), so saves and trace headers
   * written before the option existed are still what fltsim writes.
   */
  readonly fastIo?: 'never' | 'whereWindows';
  /**
   * §11.10: the IRQL a FltPerformAsynchronousIo (or asynchronous FltReadFile / FltWriteFile)
   * completion callback runs at. Default 'dispatch': DISPATCH_LEVEL, the worst case of the DDI's
   * "IRQL <= DISPATCH_LEVEL", so a callback that takes an ERESOURCE or waits is the verifier's
   * finding. 'completer': the IRQL of whoever completed the request, as Windows' I/O completion
   * runs in the completer's context (a directory change notification is completed by the thread
   * that made the change, at PASSIVE_LEVEL; a cancelled request at the canceller's IRQL).
   * Absent from a simulation's options at its default (resolveOptions), so saves and trace headers
   * written before the option existed are still what fltsim writes.
   */
  readonly asyncIoCallbackIrql?: 'dispatch' | 'completer';
  /**
   * §21.8: which IRP_MJ_CREATE breaks a Filter oplock. The table of "Checking the oplock state of
   * IRP_MJ_CREATE" says: "a 'writable' desired access was requested on the stream which was not
   * opened for FILE_SHARE_READ access". Default 'writableOrNoShareRead': an open asking anything
   * beyond FILE_READ_ATTRIBUTES, FILE_WRITE_ATTRIBUTES, FILE_READ_DATA, FILE_READ_EA, FILE_EXECUTE,
   * SYNCHRONIZE, READ_CONTROL (or overwriting), or not sharing read, breaks it — the reading under
   * which the Filter oplock procedure's own read handle (ZwCreateFile's remarks list the same
   * accesses as not breaking) gets in; 'writableAndNoShareRead': only an open that does both.
   * Absent from a simulation's options at its default (resolveOptions), so saves and trace headers
   * written before the option existed are still what fltsim writes.
   */
  readonly filterOplockCreateBreak?: 'writableOrNoShareRead' | 'writableAndNoShareRead';
}

export const DEFAULT_SEMANTICS: Semantics = Object.freeze({
  generatedIoDuringTeardown: 'allow',
  flagGeneratedCreates: false,
  asyncReadWriteReturn: 'pending',
  explicitOffsetUpdatesPosition: true,
  fsControlMinor: 'IRP_MN_USER_FS_REQUEST',
  asyncCreate: 'status',
  reissuedIoFlags: 'keepOriginal',
  volumeContextLifetime: 'volume',
  invalidContextRegistration: 'STATUS_FLT_INVALID_CONTEXT_REGISTRATION',
  renameNameCache: 'invalidate',
  sendMessageZeroTimeout: 'noWait',
  leakedFilesHoldUnload: false,
  fastIo: 'never',
  asyncIoCallbackIrql: 'dispatch',
  filterOplockCreateBreak: 'writableOrNoShareRead',
});

/**
 * The values each semantics option may take: checked by createSimulation, so an option read from
 * a trace header or a command line cannot carry anything else. Typed over Semantics, so a new
 * option that does not list its values does not compile.
 */
export const SEMANTICS_VALUES: { readonly [K in keyof Semantics]: readonly Semantics[K][] } = {
  generatedIoDuringTeardown: ['allow', 'deny'],
  flagGeneratedCreates: [false, true],
  asyncReadWriteReturn: ['pending', 'perform'],
  explicitOffsetUpdatesPosition: [true, false],
  fsControlMinor: ['IRP_MN_USER_FS_REQUEST', 'IRP_MN_KERNEL_CALL'],
  asyncCreate: ['status', 'verifier'],
  reissuedIoFlags: ['keepOriginal', 'addGenerated'],
  volumeContextLifetime: ['volume', 'lastInstance'],
  invalidContextRegistration: ['STATUS_FLT_INVALID_CONTEXT_REGISTRATION', 'STATUS_INVALID_PARAMETER'],
  renameNameCache: ['invalidate', 'stale'],
  sendMessageZeroTimeout: ['noWait', 'infinite'],
  leakedFilesHoldUnload: [false, true],
  fastIo: ['never', 'whereWindows'],
  asyncIoCallbackIrql: ['dispatch', 'completer'],
  filterOplockCreateBreak: ['writableOrNoShareRead', 'writableAndNoShareRead'],
};
