// One run of a random filter that uses contexts and a communication port together, as avscan and
// scanner do, while its instances tear down and an unload races it (§15, §17, §19.9); and what must
// hold after it (contextPorts.test.ts checks it, with the short or the deep budget).
//
// The filter: instance contexts set in InstanceSetup and read in TeardownStart; stream and
// stream-handle contexts set in post-create (KEEP or REPLACE, with or without OldContext); pre-write
// takes the stream context, holds it across FltSendMessage to the connected scanner (random Timeout,
// with or without a reply), then replaces it with a "verdict" context or deletes it; pre-read takes
// all its contexts with FltGetContexts, perhaps across a wait. ConnectNotify keeps the port in the
// connection's cookie and a global variable; DisconnectNotify closes it; FilterUnloadCallback closes
// the server port before FltUnregisterFilter. The filter is correct, so a correct simulator ends
// every run idle with no finding, the filter unloaded and everything it had freed.
import {
  ADMINISTRATORS_SID,
  CloseHandle,
  createSimulation,
  FILE_GENERIC_READ,
  FILE_GENERIC_WRITE,
  FILE_OPEN_IF,
  FILE_SHARE_READ,
  FILE_SHARE_WRITE,
  FILE_SYNCHRONOUS_IO_NONALERT,
  FilterGetMessage,
  FilterReplyMessage,
  FLT_ALL_CONTEXTS,
  FLT_INSTANCE_CONTEXT,
  FLT_PORT_ALL_ACCESS,
  FLT_POSTOP_FINISHED_PROCESSING,
  FLT_PREOP_SUCCESS_NO_CALLBACK,
  FLT_PREOP_SUCCESS_WITH_CALLBACK,
  FLT_SET_CONTEXT_KEEP_IF_EXISTS,
  FLT_SET_CONTEXT_REPLACE_IF_EXISTS,
  FLT_STREAM_CONTEXT,
  FLT_STREAMHANDLE_CONTEXT,
  FltAllocateContext,
  FltBuildDefaultSecurityDescriptor,
  FltCloseClientPort,
  FltCloseCommunicationPort,
  FltCreateCommunicationPort,
  FltDeleteStreamContext,
  FltFreeSecurityDescriptor,
  FltGetContexts,
  FltGetInstanceContext,
  FltGetStreamContext,
  FltRegisterFilter,
  FltReleaseContext,
  FltReleaseContexts,
  FltSendMessage,
  FltSetInstanceContext,
  FltSetStreamContext,
  FltSetStreamHandleContext,
  FltStartFiltering,
  FltUnregisterFilter,
  IRP_MJ_CREATE,
  IRP_MJ_READ,
  IRP_MJ_WRITE,
  NonPagedPool,
  NT_SUCCESS,
  OBJ_CASE_INSENSITIVE,
  OBJ_KERNEL_HANDLE,
  PagedPool,
  portVariable,
  Random,
  relativeTicks,
  sleep,
  STATUS_SUCCESS,
  SYSTEM_SID,
  type Blocking,
  type FLT_REGISTRATION,
  type FLT_RELATED_OBJECTS,
  type FilterPortHandle,
  type NTSTATUS,
  type PFLT_FILTER,
  type PFLT_SERVER_PORT,
  type PortVariable,
  type Simulation,
  type ThreadHandle,
} from '../../src/index.js';

const FILES = ['\\a.txt', '\\b.txt', '\\c.txt'];
const PORT = '\\CtxScanPort';
const TIMEOUTS = [null, 0, relativeTicks(5), relativeTicks(40)] as const;

export interface ContextPortRun {
  readonly sim: Simulation;
  /** How run() ended, or what it threw. */
  readonly outcome: string;
  /** Every FltSendMessage status the pre-writes saw, in the order they returned. */
  readonly sends: readonly NTSTATUS[];
  /** Stream contexts a pre-write replaced with a verdict context after a reply (REPLACE_IF_EXISTS succeeded). */
  readonly verdicts: number;
}

export function contextPortRun(seed: number): ContextPortRun {
  const sim = createSimulation({ seed, strategy: 'random', onViolation: 'record' });
  const seen = { sends: [] as NTSTATUS[], verdicts: 0 };
  build(sim, seed, seen);
  let outcome: string;
  try {
    const end = sim.run({ maxSteps: 300_000 });
    outcome = end.reason === 'deadlock' ? `deadlock: ${end.blocked.map((b) => `${b.name}: ${b.reason}`).join('; ')}` : end.reason;
  } catch (error) {
    outcome = `threw: ${error instanceof Error ? error.message : String(error)}`;
  }
  return { sim, outcome, sends: seen.sends, verdicts: seen.verdicts };
}

function build(sim: Simulation, seed: number, seen: { sends: NTSTATUS[]; verdicts: number }): void {
  const r = Random.fromSeed(seed).split('contexts-and-ports');
  const between = (lo: number, hi: number, from: Random = r): number => lo + from.nextInt(hi - lo + 1);
  sim.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:' });
  sim.mountVolume({ name: '\\Device\\HarddiskVolume2', dosName: 'D:' });
  for (const dos of ['C:', 'D:']) for (const file of FILES) sim.fileSystem(dos).writeFile(file, 'contents');

  const entry = installContextScanner(sim, r.split('filter'), seen);

  for (let a = 0, apps = between(1, 3); a < apps; a++) {
    const ar = r.split(`app${a}`);
    const opens = between(1, 4, ar);
    sim.spawn(`app${a}`, function* () {
      for (let i = 0; i < opens; i++) {
        yield* sleep(ar.nextInt(15));
        const path = `${ar.nextInt(2) === 0 ? 'C:' : 'D:'}${FILES[ar.nextInt(FILES.length)]}`;
        const open = yield* sim.io.NtCreateFile(path, {
          DesiredAccess: FILE_GENERIC_READ | FILE_GENERIC_WRITE,
          ShareAccess: FILE_SHARE_READ | FILE_SHARE_WRITE,
          CreateDisposition: FILE_OPEN_IF,
          CreateOptions: FILE_SYNCHRONOUS_IO_NONALERT,
        });
        if (open.handle === null || open.handle === undefined) continue;
        if (ar.nextInt(2) === 0) yield* sim.io.NtWriteFile(open.handle, 'w', 0);
        else yield* sim.io.NtReadFile(open.handle, 4, 0);
        yield* sim.io.NtClose(open.handle);
      }
    });
  }

  for (let c = 0, clients = between(1, 2); c < clients; c++) {
    const cr = r.split(`client${c}`);
    sim.spawn(`scanUser ${c}`, () => scanUser(sim, cr), { token: ADMINISTRATORS_SID });
  }

  if (r.nextInt(2) === 0) {
    const at = r.nextInt(40);
    const volume = r.nextInt(2) === 0 ? 'C:' : 'D:';
    sim.spawn('fltmc detach', function* () {
      yield* sim.join(entry);
      yield* sleep(at);
      return yield* sim.FilterDetach('ctxscan', volume);
    }, { token: SYSTEM_SID });
  }
  const unloadAt = r.nextInt(60);
  // After DriverEntry: an unload before FltStartFiltering is refused (STATUS_FLT_FILTER_NOT_READY) and would leave the filter loaded.
  sim.spawn('fltmc unload', function* () {
    yield* sim.join(entry);
    yield* sleep(unloadAt);
    return yield* sim.FilterUnload('ctxscan');
  }, { token: SYSTEM_SID });
}

/** scanUser's loop, bounded: connect, get, reply (or not), now and then close and reconnect. */
function* scanUser(sim: Simulation, r: Random): Blocking<void> {
  let hPort: FilterPortHandle | null = null;
  for (let step = 0, steps = 3 + r.nextInt(8); step < steps; step++) {
    if (hPort === null) {
      hPort = (yield* sim.FilterConnectCommunicationPort(PORT, 0, null, 0)).hPort;
      if (hPort === null) {
        yield* sleep(1 + r.nextInt(10));
        continue;
      }
    }
    const choice = r.nextInt(6);
    if (choice === 0) {
      yield* CloseHandle(hPort);
      hPort = null;
      continue;
    }
    if (choice === 1) {
      yield* sleep(r.nextInt(20));
      continue;
    }
    const message = new Uint8Array(64);
    const got = yield* FilterGetMessage(hPort, message, message.length, null);
    if (got !== 0) {
      // The filter is going (ERROR_INVALID_HANDLE) or the port was closed under the get.
      yield* CloseHandle(hPort);
      hPort = null;
      continue;
    }
    const view = new DataView(message.buffer);
    if (view.getUint32(0, true) === 0 || choice === 2) continue; // no reply expected, or a scanner too slow to answer
    yield* sleep(r.nextInt(10));
    const reply = new Uint8Array(17);
    new DataView(reply.buffer).setBigUint64(8, view.getBigUint64(8, true), true);
    reply[16] = r.nextInt(2);
    yield* FilterReplyMessage(hPort, reply, reply.length);
  }
  if (hPort !== null) yield* CloseHandle(hPort);
}

interface Verdict {
  verdict: number;
}

function installContextScanner(sim: Simulation, r: Random, seen: { sends: NTSTATUS[]; verdicts: number }): ThreadHandle {
  let filter: PFLT_FILTER | null = null;
  let server: PFLT_SERVER_PORT | null = null;
  const clientPort = portVariable();
  const timeout = TIMEOUTS[r.nextInt(TIMEOUTS.length)]!;
  const expectsReply = r.nextInt(3) !== 0;
  const pool = (): number => (r.nextInt(2) === 0 ? PagedPool : NonPagedPool);
  const operation = (): number => (r.nextInt(2) === 0 ? FLT_SET_CONTEXT_KEEP_IF_EXISTS : FLT_SET_CONTEXT_REPLACE_IF_EXISTS);

  /** Allocate, set (KEEP or REPLACE, with or without OldContext), and drop every reference it took. */
  const setNew = function* (objects: FLT_RELATED_OBJECTS, type: number, set: (c: never, op: number, old: { value: unknown } | null) => Blocking<NTSTATUS>, verdict = 0): Blocking<NTSTATUS> {
    const { status, context } = FltAllocateContext<Verdict>(objects.Filter, type, 8, pool());
    if (context === null) return status;
    context.Data.verdict = verdict;
    const old: { value: unknown } | null = r.nextInt(2) === 0 ? { value: null } : null;
    const set_ = yield* set(context as never, operation(), old);
    FltReleaseContext(context);
    if (old?.value != null) FltReleaseContext(old.value as never);
    return set_;
  };

  const registration: FLT_REGISTRATION = {
    ContextRegistration: [FLT_INSTANCE_CONTEXT, FLT_STREAM_CONTEXT, FLT_STREAMHANDLE_CONTEXT].map((ContextType) => ({
      ContextType,
      Size: 8,
      PoolTag: 0x6e616373,
      ContextCleanupCallback: (c: { Data: Partial<Verdict> }) => {
        delete c.Data.verdict;
      },
    })),
    InstanceSetupCallback: function* (objects) {
      yield* setNew(objects, FLT_INSTANCE_CONTEXT, (c, op, old) => FltSetInstanceContext(objects.Instance, op, c, old as never));
      return STATUS_SUCCESS;
    },
    InstanceQueryTeardownCallback: () => STATUS_SUCCESS,
    InstanceTeardownStartCallback: function* (objects) {
      const got = yield* FltGetInstanceContext(objects.Instance);
      if (got.context !== null) FltReleaseContext(got.context);
    },
    FilterUnloadCallback: function* (): Blocking<NTSTATUS> {
      // scanner.c's ScannerUnload: the server port first, or FltUnregisterFilter hangs (§17.2).
      FltCloseCommunicationPort(server!);
      yield* FltUnregisterFilter(filter!);
      return STATUS_SUCCESS;
    },
    OperationRegistration: [
      {
        MajorFunction: IRP_MJ_CREATE,
        PreOperation: () => FLT_PREOP_SUCCESS_WITH_CALLBACK,
        PostOperation: function* (Data, objects) {
          if (!NT_SUCCESS(Data.IoStatus.Status) || objects.FileObject === null) return FLT_POSTOP_FINISHED_PROCESSING;
          const fo = objects.FileObject;
          yield* setNew(objects, FLT_STREAM_CONTEXT, (c, op, old) => FltSetStreamContext(objects.Instance, fo, op, c, old as never));
          if (r.nextInt(2) === 0) yield* setNew(objects, FLT_STREAMHANDLE_CONTEXT, (c, op, old) => FltSetStreamHandleContext(objects.Instance, fo, op, c, old as never));
          return FLT_POSTOP_FINISHED_PROCESSING;
        },
      },
      {
        MajorFunction: IRP_MJ_WRITE,
        PreOperation: function* (Data, objects) {
          const fo = objects.FileObject;
          if (fo === null) return FLT_PREOP_SUCCESS_NO_CALLBACK;
          // Held across the round trip: a reference that must not keep the unload waiting forever.
          const held = (yield* FltGetStreamContext(objects.Instance, fo)).context;
          if (clientPort.value !== null) {
            const body = new TextEncoder().encode(Data.Iopb.TargetFileObject?.FileName ?? '');
            const reply = expectsReply ? new Uint8Array(1) : null;
            const length = expectsReply ? { value: 1 } : null;
            const status = yield* FltSendMessage(filter!, clientPort, body, body.length, reply, length, timeout);
            seen.sends.push(status);
            if (status === STATUS_SUCCESS && reply !== null && length!.value === 1) {
              const replaced = yield* setNew(objects, FLT_STREAM_CONTEXT, (c, _op, old) => FltSetStreamContext(objects.Instance, fo, FLT_SET_CONTEXT_REPLACE_IF_EXISTS, c, old as never), reply[0]!);
              if (replaced === STATUS_SUCCESS) seen.verdicts++;
            }
          }
          if (r.nextInt(4) === 0) {
            const old = { value: null as unknown };
            if ((yield* FltDeleteStreamContext(objects.Instance, fo, r.nextInt(2) === 0 ? (old as never) : null)) === STATUS_SUCCESS && old.value !== null) FltReleaseContext(old.value as never);
          }
          if (held !== null) FltReleaseContext(held);
          return FLT_PREOP_SUCCESS_NO_CALLBACK;
        },
      },
      {
        MajorFunction: IRP_MJ_READ,
        PreOperation: function* (_Data, objects) {
          const all = FltGetContexts(objects, FLT_ALL_CONTEXTS);
          if (r.nextInt(2) === 0) yield* sleep(r.nextInt(3));
          FltReleaseContexts(all);
          return FLT_PREOP_SUCCESS_NO_CALLBACK;
        },
      },
    ],
  };

  const instances = { DefaultInstance: 'ctxscan Instance', Instances: { 'ctxscan Instance': { Altitude: '265100' } } };
  return sim.loadDriver({ name: 'ctxscan', instances }, function* (driver) {
    const registered = FltRegisterFilter(driver, registration);
    if (registered.filter === null) return registered.status;
    filter = registered.filter;
    const sd = yield* FltBuildDefaultSecurityDescriptor(FLT_PORT_ALL_ACCESS);
    const created = FltCreateCommunicationPort(
      filter,
      { ObjectName: PORT, Attributes: OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE, SecurityDescriptor: sd.SecurityDescriptor },
      null,
      (ClientPort, _ServerPortCookie, _Context, _Size, ConnectionPortCookie) => {
        clientPort.value = ClientPort;
        ConnectionPortCookie.value = portVariable(ClientPort);
        return STATUS_SUCCESS;
      },
      (ConnectionCookie) => {
        // Close this connection's own port; clear the global variable only if it still names it.
        const own = ConnectionCookie as PortVariable;
        if (clientPort.value === own.value) {
          FltCloseClientPort(filter!, clientPort);
          own.value = null;
        } else FltCloseClientPort(filter!, own);
      },
      null,
      1 + r.nextInt(2),
    );
    yield* FltFreeSecurityDescriptor(sd.SecurityDescriptor!);
    if (created.ServerPort === null) {
      yield* FltUnregisterFilter(filter);
      return created.status;
    }
    server = created.ServerPort;
    return yield* FltStartFiltering(filter);
  });
}
