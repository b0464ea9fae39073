// §20: the data of reads, writes and directory queries in FLT_PARAMETERS, the routines that reach
// it, and buffer swapping — each a small stack and an application, checked by the facts a person
// would read in the trace and by the bytes the application and the file system end up with.
import { describe, expect, it } from 'vitest';
import {
  createSimulation,
  decodeDirectoryEntries,
  FILE_GENERIC_READ,
  FILE_GENERIC_WRITE,
  FILE_LIST_DIRECTORY,
  FILE_OPEN,
  FILE_SHARE_READ,
  FILE_SHARE_WRITE,
  FILE_SYNCHRONOUS_IO_NONALERT,
  FLT_POSTOP_FINISHED_PROCESSING,
  FLT_POSTOP_MORE_PROCESSING_REQUIRED,
  FLT_PREOP_PENDING,
  FLT_PREOP_SUCCESS_NO_CALLBACK,
  FLT_PREOP_SUCCESS_WITH_CALLBACK,
  FLT_PREOP_SYNCHRONIZE,
  FLTFL_POST_OPERATION_DRAINING,
  FltAllocateCallbackData,
  FltAllocateGenericWorkItem,
  FltAllocatePoolAlignedWithTag,
  FltCompletePendedPreOperation,
  FltCreateFileEx,
  FltClose,
  FltDecodeParameters,
  FltDoCompletionProcessingWhenSafe,
  FltFreeCallbackData,
  FltFreePoolAlignedWithTag,
  FltGetSwappedBufferMdlAddress,
  FltLockUserBuffer,
  FltPerformSynchronousIo,
  FltQueryDirectoryFile,
  FltQueueGenericWorkItem,
  FltReadFile,
  FltRetainSwappedBufferMdlAddress,
  FltSetCallbackDataDirty,
  IoAllocateMdl,
  IoFreeMdl,
  IoReadAccess,
  IoWriteAccess,
  IRP_MJ_DIRECTORY_CONTROL,
  IRP_MJ_READ,
  IRP_MJ_WRITE,
  MmBuildMdlForNonPagedPool,
  MmGetSystemAddressForMdlSafe,
  NonPagedPool,
  NormalPagePriority,
  ObDereferenceObject,
  sleep,
  STATUS_ACCESS_VIOLATION,
  STATUS_INVALID_PARAMETER,
  STATUS_INVALID_USER_BUFFER,
  STATUS_SUCCESS,
  foldLog,
  STATUS_CANCELLED,
  type Blocking,
  type FLT_CALLBACK_DATA,
  type FLT_OPERATION_REGISTRATION,
  type MDL,
  type ReadParameters,
  type Simulation,
  type WriteParameters,
} from '../../src/index.js';
import { checkCancelInvariants, compactTrace, installFilter, operations } from '../../src/testing/index.js';

const TEXT = 'the quick brown fox jumps over the lazy dog';
const read = (Data: FLT_CALLBACK_DATA) => (Data.Iopb.Parameters as { Read: ReadParameters }).Read;
const write = (Data: FLT_CALLBACK_DATA) => (Data.Iopb.Parameters as { Write: WriteParameters }).Write;
const text = (bytes: Uint8Array | null) => (bytes === null ? null : new TextDecoder().decode(bytes));

function system(filters: Record<string, readonly FLT_OPERATION_REGISTRATION[]>, options: Parameters<typeof createSimulation>[0] = {}): Simulation {
  const sim = createSimulation({ onViolation: 'record', ...options });
  sim.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:' });
  sim.fileSystem('C:').writeFile('\\f.txt', TEXT);
  for (const [key, OperationRegistration] of Object.entries(filters)) {
    const [name, altitude] = key.split('@') as [string, string];
    installFilter(sim, { name, altitude, registration: { OperationRegistration } });
  }
  sim.run();
  return sim;
}

/** Open \f.txt, then `body` with the handle, then close. */
function* withFile<T>(sim: Simulation, body: (handle: string) => Blocking<T>): Blocking<T> {
  const open = yield* sim.io.NtCreateFile('C:\\f.txt', { DesiredAccess: FILE_GENERIC_READ | FILE_GENERIC_WRITE, ShareAccess: FILE_SHARE_READ, CreateDisposition: FILE_OPEN, CreateOptions: FILE_SYNCHRONOUS_IO_NONALERT });
  try {
    return yield* body(open.handle!);
  } finally {
    yield* sim.io.NtClose(open.handle!);
  }
}

describe('the data in FLT_PARAMETERS (§20.1)', () => {
  it('a pre-write sees the application\'s data in WriteBuffer and can change it: the file system writes what the filter passed down', () => {
    const seen: string[] = [];
    const sim = system({
      'upper@300000': operations([IRP_MJ_WRITE], {
        PreOperation: (Data, FltObjects, Context) => {
          const w = write(Data);
          seen.push(text(w.WriteBuffer!)!);
          const upper = FltAllocatePoolAlignedWithTag(FltObjects.Instance, NonPagedPool, w.Length, 'Tst ')!;
          upper.set(new TextEncoder().encode(text(w.WriteBuffer!)!.toUpperCase()));
          w.WriteBuffer = upper;
          FltSetCallbackDataDirty(Data);
          Context.value = upper;
          return FLT_PREOP_SUCCESS_WITH_CALLBACK;
        },
        PostOperation: (Data, FltObjects, Context) => {
          // The post-op sees the original buffer again (§20.6); the swapped one comes through the context.
          seen.push(text(write(Data).WriteBuffer!)!);
          FltFreePoolAlignedWithTag(FltObjects.Instance, Context as Uint8Array, 'Tst ');
          return FLT_POSTOP_FINISHED_PROCESSING;
        },
      }),
    });
    const app = sim.spawn('app', () => withFile(sim, function* (h) {
      return (yield* sim.io.NtWriteFile(h, 'hello', 0)).status;
    }));
    sim.run();
    expect(app.result).toBe(STATUS_SUCCESS);
    expect(seen).toEqual(['hello', 'hello']);
    expect(text(sim.fileSystem('C:').readFile('\\f.txt')!.subarray(0, 5))).toBe('HELLO');
    expect(compactTrace(sim.log, { types: ['BuffersSwapped', 'PoolAllocate', 'PoolFree', 'FsComplete'] }).filter((l) => /WRITE|S1/.test(l))).toEqual([
      "S1 PoolAllocate FltAllocatePoolAlignedWithTag tag='Tst ' bytes=5 aligned=512 owner=F1:upper",
      'D2(WRITE \\f.txt) BuffersSwapped instance=I1:upper@300000 on C: Write.WriteBuffer',
      'D2(WRITE \\f.txt) FsComplete status=STATUS_SUCCESS information=5',
      'S1 PoolFree FltFreePoolAlignedWithTag',
    ]);
    expect(sim.state().violations).toEqual([]);
  });

  it('a post-read finds in ReadBuffer what the file system read, and what it writes there is what the application gets', () => {
    const seen: string[] = [];
    const sim = system({
      'rot@300000': operations([IRP_MJ_READ], {
        // SYNCHRONIZE: the post-op runs at PASSIVE in the requester's thread, where a user buffer may be touched (§20.2).
        PreOperation: () => FLT_PREOP_SYNCHRONIZE,
        PostOperation: (Data) => {
          const buffer = read(Data).ReadBuffer!;
          seen.push(text(buffer.subarray(0, Data.IoStatus.Information))!);
          buffer.set(new TextEncoder().encode('THE'));
          return FLT_POSTOP_FINISHED_PROCESSING;
        },
      }),
    });
    const app = sim.spawn('app', () => withFile(sim, function* (h) {
      return text((yield* sim.io.NtReadFile(h, 9, 0)).output);
    }));
    sim.run();
    expect(seen).toEqual(['the quick']);
    expect(app.result).toBe('THE quick');
  });

  it('a directory query\'s entries land in DirectoryBuffer in their byte layout; the application decodes them from there', () => {
    const names: string[] = [];
    const sim = system({
      'lister@300000': operations([IRP_MJ_DIRECTORY_CONTROL], {
        PreOperation: () => FLT_PREOP_SYNCHRONIZE,
        PostOperation: (Data) => {
          const q = (Data.Iopb.Parameters as { DirectoryControl: { QueryDirectory: { DirectoryBuffer: Uint8Array; FileInformationClass: number } } }).DirectoryControl.QueryDirectory;
          for (const e of decodeDirectoryEntries(q.FileInformationClass, q.DirectoryBuffer, Data.IoStatus.Information)) names.push(e.FileName);
          return FLT_POSTOP_FINISHED_PROCESSING;
        },
      }),
    });
    sim.fileSystem('C:').writeFile('\\g.txt', 'g');
    const app = sim.spawn('app', function* () {
      const dir = yield* sim.io.NtCreateFile('C:\\', { DesiredAccess: FILE_LIST_DIRECTORY, ShareAccess: FILE_SHARE_READ | FILE_SHARE_WRITE, CreateDisposition: FILE_OPEN });
      const r = yield* sim.io.NtQueryDirectoryFile(dir.handle!, 1, 4096);
      yield* sim.io.NtClose(dir.handle!);
      return r.output?.kind === 'directory' ? r.output.entries.map((e) => e.FileName) : null;
    });
    sim.run();
    expect(app.result).toEqual(['f.txt', 'g.txt']);
    expect(names).toEqual(['f.txt', 'g.txt']);
  });

  it('a filter that raises Length past the requester\'s buffer gets the file system\'s STATUS_INVALID_USER_BUFFER (its probe fails), not a TypeError', () => {
    const sim = system({
      'grower@300000': operations([IRP_MJ_READ], {
        PreOperation: (Data) => {
          read(Data).Length = 100;
          FltSetCallbackDataDirty(Data);
          return FLT_PREOP_SUCCESS_NO_CALLBACK;
        },
      }),
    });
    const app = sim.spawn('app', () => withFile(sim, function* (h) {
      const r = yield* sim.io.NtReadFile(h, 4, 0);
      return [r.status, r.output];
    }));
    sim.run();
    expect(app.result).toEqual([STATUS_INVALID_USER_BUFFER, null]);
    expect(sim.state().violations).toEqual([]);
  });

  it('a length no application could have a buffer for is the file system\'s STATUS_INVALID_PARAMETER, not a TypeError', () => {
    const sim = system({});
    const app = sim.spawn('app', () => withFile(sim, function* (h) {
      return [(yield* sim.io.NtReadFile(h, -1, 0)).status, (yield* sim.io.NtReadFile(h, 1.5, 0)).status];
    }));
    sim.run();
    expect(app.result).toEqual([STATUS_INVALID_PARAMETER, STATUS_INVALID_PARAMETER]);
  });
});

describe('routines that reach the data (§20.3–§20.5)', () => {
  it('FltLockUserBuffer in a pre-read: lower instances see its MDL, whose system address is the requester\'s bytes; FltMgr frees it at completion', () => {
    const lowerSaw: (string | null)[] = [];
    const sim = system({
      'locker@300000': operations([IRP_MJ_READ], {
        PreOperation: (Data) => (FltLockUserBuffer(Data) === STATUS_SUCCESS ? FLT_PREOP_SUCCESS_NO_CALLBACK : FLT_PREOP_SUCCESS_NO_CALLBACK),
      }),
      'lower@100000': operations([IRP_MJ_READ], {
        PreOperation: () => FLT_PREOP_SYNCHRONIZE,
        PostOperation: (Data) => {
          const mdl = read(Data).MdlAddress ?? null;
          lowerSaw.push(mdl === null ? null : text(MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority)!.subarray(0, Data.IoStatus.Information)));
          return FLT_POSTOP_FINISHED_PROCESSING;
        },
      }),
    });
    const app = sim.spawn('app', () => withFile(sim, function* (h) {
      return text((yield* sim.io.NtReadFile(h, 3, 4)).output);
    }));
    sim.run();
    expect(app.result).toBe('qui');
    expect(lowerSaw).toEqual(['qui']);
    expect(compactTrace(sim.log, { types: ['IoAllocateMdl', 'MdlLocked', 'IoFreeMdl', 'IoComplete'] }).filter((l) => /A1|READ/.test(l))).toEqual([
      'A1 IoAllocateMdl FltLockUserBuffer bytes=3 for=D2',
      'A1 MdlLocked FltLockUserBuffer',
      'D2(READ \\f.txt) IoComplete status=STATUS_SUCCESS information=3',
      'A1 IoFreeMdl by=FltMgr',
    ]);
    expect(foldLog(sim.log).mdls).toEqual({});
  });

  it('FltLockUserBuffer on a buffer shorter than its Length answers the probe\'s STATUS_ACCESS_VIOLATION', () => {
    const statuses: number[] = [];
    const sim = system({
      'shrinker@300000': operations([IRP_MJ_READ], {
        PreOperation: (Data) => {
          read(Data).ReadBuffer = new Uint8Array(1);
          statuses.push(FltLockUserBuffer(Data));
          return FLT_PREOP_SUCCESS_NO_CALLBACK;
        },
      }),
    });
    sim.spawn('app', () => withFile(sim, (h) => sim.io.NtReadFile(h, 4, 0)));
    sim.run();
    expect(statuses).toEqual([STATUS_ACCESS_VIOLATION]);
    expect(sim.state().violations).toEqual([]);
  });

  it('FltDecodeParameters hands out pointers into the data\'s own parameters: READ may be written, WRITE only read', () => {
    const decoded: unknown[] = [];
    const sim = system({
      'decoder@300000': operations([IRP_MJ_READ, IRP_MJ_WRITE], {
        PreOperation: (Data) => {
          const d = FltDecodeParameters(Data);
          decoded.push([Data.Iopb.MajorFunction, d.status, d.DesiredAccess, d.Length!.get(), d.Buffer!.get()?.length, d.MdlAddressPointer!.get()]);
          if (Data.Iopb.MajorFunction === IRP_MJ_READ) d.Length!.set(2); // not dirty: the edit stays with this callback
          return FLT_PREOP_SUCCESS_NO_CALLBACK;
        },
      }),
    });
    const app = sim.spawn('app', () => withFile(sim, function* (h) {
      yield* sim.io.NtWriteFile(h, 'abc', 100);
      return (yield* sim.io.NtReadFile(h, 4, 0)).information;
    }));
    sim.run();
    expect(decoded).toEqual([
      [IRP_MJ_WRITE, STATUS_SUCCESS, IoReadAccess, 3, 3, null],
      [IRP_MJ_READ, STATUS_SUCCESS, IoWriteAccess, 4, 4, null],
    ]);
    expect(app.result).toBe(4);
  });

  it('after FltPerformSynchronousIo the filter reads in its own ReadBuffer what the file system returned; FltReadFile and FltQueryDirectoryFile likewise', () => {
    const got: unknown[] = [];
    const sim = system({});
    const sim2 = sim;
    installFilter(sim2, {
      name: 'reader',
      altitude: '300000',
      registration: {
        InstanceSetupCallback: (o) => {
          sim2.spawn('reader worker', function* () {
            const open = yield* FltCreateFileEx(o.Filter, o.Instance, FILE_GENERIC_READ, { ObjectName: 'C:\\f.txt' }, 0, 0, FILE_SHARE_READ, FILE_OPEN);
            const { data } = FltAllocateCallbackData(o.Instance, open.FileObject);
            const mine = new Uint8Array(5);
            data!.Iopb.MajorFunction = IRP_MJ_READ;
            data!.Iopb.Parameters = { Read: { Length: 5, Key: 0, ByteOffset: 4, ReadBuffer: mine, MdlAddress: null } };
            yield* FltPerformSynchronousIo(data!);
            got.push(text(mine.subarray(0, data!.IoStatus.Information)), read(data!).ReadBuffer === mine);
            FltFreeCallbackData(data!);
            const b = new Uint8Array(3);
            got.push((yield* FltReadFile(o.Instance, open.FileObject!, 10, 3, b)).BytesRead, text(b));
            got.push((yield* FltReadFile(o.Instance, open.FileObject!, 0, 4, new Uint8Array(2))).status);
            yield* FltClose(open.FileHandle!);
            yield* ObDereferenceObject(open.FileObject!);
            const dir = yield* FltCreateFileEx(o.Filter, o.Instance, FILE_LIST_DIRECTORY, { ObjectName: 'C:\\' }, 0, 0, FILE_SHARE_READ | FILE_SHARE_WRITE, FILE_OPEN);
            const entries = new Uint8Array(512);
            const q = yield* FltQueryDirectoryFile(o.Instance, dir.FileObject!, entries, 512, 12, false, null, true);
            got.push(q.status, decodeDirectoryEntries(12, entries, q.LengthReturned).map((e) => e.FileName));
            got.push((yield* FltQueryDirectoryFile(o.Instance, dir.FileObject!, new Uint8Array(8), 512, 12, false, null, true)).status);
            yield* FltClose(dir.FileHandle!);
            yield* ObDereferenceObject(dir.FileObject!);
            return 0;
          });
          return STATUS_SUCCESS;
        },
      },
    });
    sim.run();
    expect(got).toEqual(['quick', true, 3, 'bro', STATUS_INVALID_PARAMETER, STATUS_SUCCESS, ['f.txt'], STATUS_INVALID_PARAMETER]);
    expect(sim.state().violations).toEqual([]);
  });
});

/** A read swapper in the sample's shape: pool + locked MDL down, copy back through the original's MDL or at a safe IRQL. */
function swapReads(log: string[]): FLT_OPERATION_REGISTRATION[] {
  return operations([IRP_MJ_READ], {
    PreOperation: function* (Data, FltObjects, Context) {
      const swapped = FltAllocatePoolAlignedWithTag(FltObjects.Instance, NonPagedPool, read(Data).Length, 'Swp ')!;
      const mdl = (yield* IoAllocateMdl(swapped, swapped.length))!;
      MmBuildMdlForNonPagedPool(mdl);
      read(Data).ReadBuffer = swapped;
      read(Data).MdlAddress = mdl;
      FltSetCallbackDataDirty(Data);
      Context.value = swapped;
      return FLT_PREOP_SUCCESS_WITH_CALLBACK;
    },
    PostOperation: function* (Data, FltObjects, Context, Flags) {
      log.push(`post flags=${Flags} swappedMdl=${(FltGetSwappedBufferMdlAddress(Data) as MDL | null)?.id ?? null}`);
      const swapped = Context as Uint8Array;
      const safe = yield* FltDoCompletionProcessingWhenSafe(Data, FltObjects, Context, Flags, (D) => {
        if (FltLockUserBuffer(D) === STATUS_SUCCESS) MmGetSystemAddressForMdlSafe(read(D).MdlAddress!, NormalPagePriority)!.set(swapped.subarray(0, D.IoStatus.Information));
        FltFreePoolAlignedWithTag(FltObjects.Instance, swapped, 'Swp ');
        log.push('copied back at a safe IRQL');
        return FLT_POSTOP_FINISHED_PROCESSING;
      });
      return safe.RetPostOperationStatus;
    },
  });
}

/** A read swapper whose post-op copies back through ReadBuffer and then does `withMdl` with the MDL it swapped in. */
function swapReadsKeepingMdl(withMdl: (Data: FLT_CALLBACK_DATA, mdl: MDL) => void): FLT_OPERATION_REGISTRATION[] {
  return operations([IRP_MJ_READ], {
    PreOperation: function* (Data, FltObjects, Context) {
      const swapped = FltAllocatePoolAlignedWithTag(FltObjects.Instance, NonPagedPool, read(Data).Length, 'Swp ')!;
      const mdl = (yield* IoAllocateMdl(swapped, swapped.length))!;
      MmBuildMdlForNonPagedPool(mdl);
      read(Data).ReadBuffer = swapped;
      read(Data).MdlAddress = mdl;
      FltSetCallbackDataDirty(Data);
      Context.value = swapped;
      return FLT_PREOP_SUCCESS_WITH_CALLBACK;
    },
    PostOperation: (Data, FltObjects, Context) => {
      const swapped = Context as Uint8Array;
      read(Data).ReadBuffer!.set(swapped.subarray(0, Data.IoStatus.Information));
      withMdl(Data, FltGetSwappedBufferMdlAddress(Data)!);
      FltFreePoolAlignedWithTag(FltObjects.Instance, swapped, 'Swp ');
      return FLT_POSTOP_FINISHED_PROCESSING;
    },
  });
}

function readThroughSwapper(withMdl: (Data: FLT_CALLBACK_DATA, mdl: MDL, sim: Simulation) => void): { sim: Simulation; result: string | null } {
  const sim: Simulation = system({ 'swapper@300000': swapReadsKeepingMdl((Data, mdl) => withMdl(Data, mdl, sim)) });
  const app = sim.spawn('app', () => withFile(sim, function* (h) {
    return text((yield* sim.io.NtReadFile(h, 9, 4)).output);
  }));
  sim.run();
  return { sim, result: app.result as string | null };
}

describe('FltRetainSwappedBufferMdlAddress (§20.6): the MDL\'s machine says who frees it', () => {
  const mdlFacts = (sim: Simulation) => compactTrace(sim.log, { types: ['IoAllocateMdl', 'MdlLocked', 'FltRetainSwappedBufferMdlAddress', 'IoFreeMdl', 'VerifierViolation'] }).filter((l) => /^A1|Violation/.test(l));

  it('retained in the post-op, the MDL is the filter\'s: Locked.Retained until the filter frees it, and FltMgr frees nothing', () => {
    let seen: unknown = null;
    const { sim, result } = readThroughSwapper((Data, mdl, running) => {
      FltRetainSwappedBufferMdlAddress(Data);
      seen = foldLog(running.log).mdls['A1']; // the state the log holds at this point, from inside the post-op
      IoFreeMdl(mdl);
    });
    expect(result).toBe('quick bro');
    expect(seen).toMatchObject({ state: 'Locked', retained: true });
    expect(mdlFacts(sim)).toEqual([
      'A1 IoAllocateMdl IoAllocateMdl bytes=9 buffer=S1',
      'A1 MdlLocked MmBuildMdlForNonPagedPool',
      'A1 FltRetainSwappedBufferMdlAddress operation=D2 instance=I1:swapper@300000 on C:',
      'A1 IoFreeMdl by=filter',
    ]);
    expect(sim.state().violations).toEqual([]);
    expect(foldLog(sim.log)).toEqual(sim.state());
  });

  it('freed by the filter before it calls the routine: the order inside the post-op does not matter, FltMgr still frees nothing', () => {
    const { sim, result } = readThroughSwapper((Data, mdl) => {
      IoFreeMdl(mdl);
      FltRetainSwappedBufferMdlAddress(Data);
    });
    expect(result).toBe('quick bro');
    expect(mdlFacts(sim).slice(2)).toEqual(['A1 IoFreeMdl by=filter', 'A1 FltRetainSwappedBufferMdlAddress operation=D2 instance=I1:swapper@300000 on C:']);
    expect(sim.state().violations).toEqual([]);
    expect(foldLog(sim.log)).toEqual(sim.state());
  });

  it('freed by the filter without the routine: FltMgr would free it a second time, BUFFER_USED_AFTER_FREE', () => {
    const { sim } = readThroughSwapper((_Data, mdl) => IoFreeMdl(mdl));
    expect(sim.state().violations.map((v) => [v.object, v.rule])).toEqual([['A1', 'BUFFER_USED_AFTER_FREE']]);
  });
});

describe('buffer swapping (§20.6)', () => {
  it('lower instances and the file system use the swapped buffer; the post-op sees the original; a DISPATCH post-op copies back through FltDoCompletionProcessingWhenSafe', () => {
    const log: string[] = [];
    const sim = system({ 'swapper@300000': swapReads(log) }, { fileSystemCompletion: 'deferred' });
    const app = sim.spawn('app', () => withFile(sim, function* (h) {
      return text((yield* sim.io.NtReadFile(h, 9, 4)).output);
    }));
    sim.run();
    expect(app.result).toBe('quick bro');
    expect(log).toEqual(['post flags=0 swappedMdl=A1', 'copied back at a safe IRQL']);
    expect(compactTrace(sim.log, { types: ['BuffersSwapped', 'PostOperationReturned', 'FltCompletePendedPostOperation', 'IoAllocateMdl', 'IoFreeMdl', 'IoComplete', 'ThreadCreate'] }).filter((l) => /READ|A\d|WhenSafe/.test(l))).toEqual([
      'A1 IoAllocateMdl IoAllocateMdl bytes=9 buffer=S1',
      'D2(READ \\f.txt) BuffersSwapped instance=I1:swapper@300000 on C: Read.ReadBuffer,Read.MdlAddress mdl=A1',
      'T5(WhenSafe(swapper, D2)) ThreadCreate name="WhenSafe(swapper, D2)" parent=T4',
      'D2(READ \\f.txt) PostOperationReturned instance=I1:swapper@300000 on C: FLT_POSTOP_MORE_PROCESSING_REQUIRED status=STATUS_SUCCESS',
      'A2 IoAllocateMdl FltLockUserBuffer bytes=9 for=D2',
      'D2(READ \\f.txt) FltCompletePendedPostOperation instance=I1:swapper@300000 on C:',
      'A1 IoFreeMdl by=FltMgr',
      'D2(READ \\f.txt) IoComplete status=STATUS_SUCCESS information=9',
      'A2 IoFreeMdl by=FltMgr',
    ]);
    expect(sim.state().violations).toEqual([]);
    expect(foldLog(sim.log)).toEqual(sim.state());
  });

  it('teardown does not drain an operation whose buffers the instance swapped: it cancels it and waits, and the real post-op runs', () => {
    const log: string[] = [];
    const sim = system({
      'swapper@300000': swapReads(log),
      'holder@100000': operations([IRP_MJ_READ], {
        // Holds the read below the swapper for a while, as a slow lower filter or device would.
        PreOperation: function* (Data, FltObjects) {
          FltQueueGenericWorkItem(yield* FltAllocateGenericWorkItem(), FltObjects.Instance, function* () {
            yield* sleep(50);
            yield* FltCompletePendedPreOperation(Data, FLT_PREOP_SUCCESS_NO_CALLBACK, null);
          }, 'DelayedWorkQueue', null);
          return FLT_PREOP_PENDING;
        },
      }),
    });
    const app = sim.spawn('app', () => withFile(sim, function* (h) {
      return text((yield* sim.io.NtReadFile(h, 5, 0)).output);
    }));
    sim.spawn('fltmc unload swapper', function* () {
      yield* sleep(10);
      return yield* sim.FilterUnload('swapper');
    });
    sim.run();
    expect(app.result).toBe('the q');
    expect(log.every((l) => !l.includes(`flags=${FLTFL_POST_OPERATION_DRAINING}`))).toBe(true);
    expect(compactTrace(sim.log, { types: ['BuffersSwapped', 'InstanceTeardownStart', 'SwappedOperationCancelled', 'DrainPostOperation', 'FltCompletePendedPreOperation', 'PostOperation', 'IoComplete', 'InstanceTeardownComplete'] }).filter((l) => /READ|I1/.test(l))).toEqual([
      'D2(READ \\f.txt) BuffersSwapped instance=I1:swapper@300000 on C: Read.ReadBuffer,Read.MdlAddress mdl=A1',
      'I1(swapper@300000 on C:) InstanceTeardownStart reason=FILTER_UNLOAD',
      'D2(READ \\f.txt) SwappedOperationCancelled instance=I1:swapper@300000 on C:',
      'D2(READ \\f.txt) FltCompletePendedPreOperation instance=I2:holder@100000 on C: FLT_PREOP_SUCCESS_NO_CALLBACK',
      expect.stringMatching(/^D2\(READ \\f\.txt\) PostOperation instance=I1:swapper@300000 on C: /),
      'D2(READ \\f.txt) IoComplete status=STATUS_SUCCESS information=5',
      'I1(swapper@300000 on C:) InstanceTeardownComplete reason=FILTER_UNLOAD',
    ]);
    expect(sim.state().violations).toEqual([]);
    expect(sim.state().poolBlocks).toEqual({});
  });

  it('the teardown\'s cancel of a swapped operation is IoCancelIrp: a read the file system holds completes with STATUS_CANCELLED, and the real post-op frees the buffer (§20.6, §19.2 (c))', () => {
    const log: string[] = [];
    const sim = system({ 'swapper@300000': swapReads(log) });
    // The file system holds the read (a cancellable wait, as an oplock break would be); nothing releases it.
    const hold = sim.fileSystem('C:').hold({ path: '\\f.txt', MajorFunction: IRP_MJ_READ });
    const app = sim.spawn('app', () => withFile(sim, function* (h) {
      return (yield* sim.io.NtReadFile(h, 5, 0)).status;
    }));
    const unload = sim.spawn('fltmc unload swapper', function* () {
      yield* sleep(10);
      return yield* sim.FilterUnload('swapper');
    });
    expect(sim.run().reason).toBe('idle');
    expect([app.result, unload.result]).toEqual([STATUS_CANCELLED, STATUS_SUCCESS]);
    expect(hold.held).toEqual([]);
    expect(log.every((l) => !l.includes(`flags=${FLTFL_POST_OPERATION_DRAINING}`))).toBe(true);
    expect(compactTrace(sim.log, { types: ['InstanceTeardownStart', 'SwappedOperationCancelled', 'IoSetCancelRoutine', 'IoCancelIrp', 'FsComplete', 'PostOperation', 'IoComplete', 'InstanceTeardownComplete'] }).filter((l) => /READ|J1|I1/.test(l))).toEqual([
      'J1 IoSetCancelRoutine op=D2 routine=FileSystem',
      'I1(swapper@300000 on C:) InstanceTeardownStart reason=FILTER_UNLOAD',
      'D2(READ \\f.txt) SwappedOperationCancelled instance=I1:swapper@300000 on C:',
      expect.stringMatching(/^J1 IoCancelIrp op=D2 by=SwappedOperationCancelled thread=T\d+ routine called$/),
      'D2(READ \\f.txt) FsComplete status=STATUS_CANCELLED information=0',
      expect.stringMatching(/^D2\(READ \\f\.txt\) PostOperation instance=I1:swapper@300000 on C: /),
      'D2(READ \\f.txt) IoComplete status=STATUS_CANCELLED information=0',
      'I1(swapper@300000 on C:) InstanceTeardownComplete reason=FILTER_UNLOAD',
    ]);
    expect(checkCancelInvariants(sim.log)).toEqual([]);
    expect(sim.state().violations).toEqual([]);
    expect(sim.state().poolBlocks).toEqual({});
    expect(foldLog(sim.log)).toEqual(sim.state());
  });
});
