// Communication ports (§17): the scanner-style round trip, timeouts, disconnects, MaxConnections,
// and what FltUnregisterFilter does with ports (§17.2). Traces pin what a person checks against
// the DDI pages; every run's fold equals its live state.
import { describe, expect, it } from 'vitest';
import {
  ADMINISTRATORS_SID,
  CloseHandle,
  createSimulation,
  E_ACCESSDENIED,
  ERROR_CONNECTION_COUNT_LIMIT,
  ERROR_FILE_NOT_FOUND,
  ERROR_FLT_NO_WAITER_FOR_REPLY,
  ERROR_INVALID_HANDLE,
  FILE_CREATE,
  FILE_GENERIC_WRITE,
  FILE_SYNCHRONOUS_IO_NONALERT,
  FilterGetMessage,
  FilterReplyMessage,
  foldLog,
  HRESULT_FROM_WIN32,
  S_OK,
  sleep,
  STATUS_PORT_DISCONNECTED,
  STATUS_SUCCESS,
  STATUS_TIMEOUT,
  E_INVALIDARG,
  ERROR_INSUFFICIENT_BUFFER,
  ERROR_IO_INCOMPLETE,
  ERROR_IO_PENDING,
  FilterSendMessage,
  FltCreateCommunicationPort,
  GetOverlappedResult,
  INFINITE,
  OBJ_KERNEL_HANDLE,
  STATUS_BUFFER_OVERFLOW,
  STATUS_INVALID_PARAMETER,
  STATUS_OBJECT_NAME_COLLISION,
  ntStatusName,
  WAIT_OBJECT_0,
  WaitForSingleObject,
  type Blocking,
  type FilterPortHandle,
  type OVERLAPPED,
  type Simulation,
} from '../../src/index.js';
import { checkPortInvariants, compactTrace, installPortFilter, type PortFilterSpec } from '../../src/testing/index.js';

const PORT_FACTS = [
  'FltCreateCommunicationPort',
  'FltCloseCommunicationPort',
  'ConnectNotify',
  'ConnectNotifyReturned',
  'DisconnectNotify',
  'DisconnectNotifyReturned',
  'FltCloseClientPort',
  'PortHandleClosed',
  'FilterGetMessage',
  'FilterGetMessageAborted',
  'FltSendMessage',
  'FilterMessageDelivered',
  'FilterReplyMessage',
  'FilterMessageWithdrawn',
  'FltSendMessageReturned',
  'PreOperation',
  'PreOperationReturned',
  'RoutineFailed',
  'VerifierViolation',
  'FltUnregisterFilter',
  'FltUnregisterFilterReturned',
  'InstanceTeardownStart',
] as const;

function system(spec: PortFilterSpec = {}, options: Parameters<typeof createSimulation>[0] = {}) {
  const sim = createSimulation(options);
  sim.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:' });
  const scanner = installPortFilter(sim, spec);
  sim.run();
  return { sim, scanner };
}

/** An application writing `text` to a new file: the pre-write is where the filter sends. */
function writer(sim: Simulation, path: string, text: string) {
  return sim.spawn(`write ${path}`, function* () {
    const c = yield* sim.io.NtCreateFile(path, { DesiredAccess: FILE_GENERIC_WRITE, CreateDisposition: FILE_CREATE, CreateOptions: FILE_SYNCHRONOUS_IO_NONALERT });
    const w = yield* sim.io.NtWriteFile(c.handle!, text);
    yield* sim.io.NtClose(c.handle!);
    return w.status;
  });
}

function messageIdOf(buffer: Uint8Array): bigint {
  return new DataView(buffer.buffer).getBigUint64(8, true);
}

function replyLengthOf(buffer: Uint8Array): number {
  return new DataView(buffer.buffer).getUint32(0, true);
}

/** FILTER_REPLY_HEADER { Status, MessageId } followed by the reply bytes. */
function reply(messageId: bigint, ...payload: number[]): Uint8Array {
  const buffer = new Uint8Array(16 + payload.length);
  new DataView(buffer.buffer).setBigUint64(8, messageId, true);
  buffer.set(payload, 16);
  return buffer;
}

/** scanUser's part, as an administrator's thread: connect, then run `body` on the handle. */
function user(sim: Simulation, name: string, body: (hPort: FilterPortHandle) => Blocking<unknown>) {
  return sim.spawn(
    name,
    function* () {
      const c = yield* sim.FilterConnectCommunicationPort('\\ScannerPort', 0, null, 0);
      if (c.hPort === null) return c.hr;
      return yield* body(c.hPort);
    },
    { token: ADMINISTRATORS_SID },
  );
}

function trace(sim: Simulation, from = 0): string[] {
  return compactTrace(sim.log, { from, types: [...PORT_FACTS] });
}

describe('the scanner round trip (§17.3)', () => {
  it('pre-write → FltSendMessage → FilterGetMessage → FilterReplyMessage → FltSendMessage returns → pre-write returns', () => {
    const { sim, scanner } = system();
    const seen: unknown[] = [];
    user(sim, 'scanUser', function* (hPort) {
      const message = new Uint8Array(64);
      seen.push(yield* FilterGetMessage(hPort, message, message.length, null));
      seen.push(replyLengthOf(message), new TextDecoder().decode(message.subarray(16, 16 + 6)));
      seen.push(yield* FilterReplyMessage(hPort, reply(messageIdOf(message), 1), 17));
    });
    writer(sim, 'C:\\a.txt', 'x');
    expect(sim.run().reason).toBe('idle');
    expect(seen).toEqual([S_OK, 17, '\\a.txt', S_OK]);
    expect(scanner.sends).toEqual([{ status: STATUS_SUCCESS, reply: [1] }]);
    expect(trace(sim).filter((l) => !l.includes('IRP_MJ_CREATE') && !/^D\d+\(CREATE|CLEANUP|CLOSE/.test(l))).toEqual([
      'R1(\\ScannerPort) FltCreateCommunicationPort filter=F1:scanner name=\\ScannerPort MaxConnections=1 no MessageNotify',
      'Q1(client of \\ScannerPort) ConnectNotify port=R1:\\ScannerPort thread=T2:scanUser context=0',
      'Q1(client of \\ScannerPort) ConnectNotifyReturned status=STATUS_SUCCESS handle=H1',
      'Q1(client of \\ScannerPort) FilterGetMessage get=U1 size=64',
      'D2(WRITE \\a.txt) PreOperation instance=I1:scanner@265000 on C: params=as-issued',
      'M1 FltSendMessage port=Q1:client of \\ScannerPort thread=T3:write C:\\a.txt length=6 reply=1 until=forever',
      'M1 FilterMessageDelivered get=U1',
      'M1 FilterReplyMessage length=1 status=STATUS_SUCCESS',
      'M1 FltSendMessageReturned status=STATUS_SUCCESS replyLength=1',
      'D2(WRITE \\a.txt) PreOperationReturned instance=I1:scanner@265000 on C: FLT_PREOP_SUCCESS_NO_CALLBACK',
    ]);
    expect(foldLog(sim.log)).toEqual(sim.state());
  });

  it('a message sent before any get waits in the queue, then goes to the first get (FIFO)', () => {
    const { sim, scanner } = system();
    user(sim, 'scanUser', function* (hPort) {
      yield* sleep(5);
      const message = new Uint8Array(64);
      yield* FilterGetMessage(hPort, message, 64, null);
      return yield* FilterReplyMessage(hPort, reply(messageIdOf(message), 0), 17);
    });
    writer(sim, 'C:\\b.txt', 'x');
    sim.runUntil(3);
    expect(sim.state().clientPorts.Q1!.queued).toEqual(['M1']);
    expect(sim.state().messages.M1).toMatchObject({ state: 'Queued', replyExpected: true });
    sim.run();
    expect(scanner.sends).toEqual([{ status: STATUS_SUCCESS, reply: [0] }]);
    expect(sim.state().messages).toEqual({});
  });
});

describe('Timeout (§17.3)', () => {
  it('a relative timeout of 1 s (1000 ticks) with no get: STATUS_TIMEOUT at t=1000, the message leaves the queue', () => {
    const { sim, scanner } = system({ timeout: -10_000_000 });
    user(sim, 'idle client', function* () {
      yield* sleep(5000);
    });
    writer(sim, 'C:\\c.txt', 'x');
    sim.run();
    expect(scanner.sends).toEqual([{ status: STATUS_TIMEOUT, reply: [] }]);
    const tail = trace(sim).filter((l) => l.startsWith('M1'));
    expect(tail).toEqual([
      'M1 FltSendMessage port=Q1:client of \\ScannerPort thread=T3:write C:\\c.txt length=6 reply=1 until=1000',
      'M1 FilterMessageWithdrawn reason=timeout',
      'M1 FltSendMessageReturned status=STATUS_TIMEOUT replyLength=0',
    ]);
    expect(sim.log.find((f) => f.type === 'FilterMessageWithdrawn')!.time).toBe(1000);
  });

  it('a late reply, a second reply and an unknown MessageId get ERROR_FLT_NO_WAITER_FOR_REPLY (§19.9.15)', () => {
    const { sim, scanner } = system({ timeout: -10_000_000 });
    const results: number[] = [];
    user(sim, 'slow scanner', function* (hPort) {
      const message = new Uint8Array(64);
      yield* FilterGetMessage(hPort, message, 64, null);
      yield* sleep(2000);
      results.push(yield* FilterReplyMessage(hPort, reply(messageIdOf(message), 0), 17));
      results.push(yield* FilterReplyMessage(hPort, reply(999n, 0), 17));
    });
    writer(sim, 'C:\\d.txt', 'x');
    sim.run();
    expect(scanner.sends).toEqual([{ status: STATUS_TIMEOUT, reply: [] }]);
    expect(results).toEqual([ERROR_FLT_NO_WAITER_FOR_REPLY, ERROR_FLT_NO_WAITER_FOR_REPLY]);
    expect(trace(sim).filter((l) => l.includes('FilterReplyMessage'))).toEqual([
      'Q1(client of \\ScannerPort) RoutineFailed routine=FilterReplyMessage status=STATUS_FLT_NO_WAITER_FOR_REPLY (no sender waits for a reply to MessageId 1)',
      'Q1(client of \\ScannerPort) RoutineFailed routine=FilterReplyMessage status=STATUS_FLT_NO_WAITER_FOR_REPLY (no sender waits for a reply to MessageId 999)',
    ]);
  });

  it('a Timeout of 0 does not wait (default); semantics.sendMessageZeroTimeout "infinite" waits', () => {
    const polled = system({ timeout: 0 });
    user(polled.sim, 'late client', function* (hPort) {
      yield* sleep(10);
      const message = new Uint8Array(64);
      yield* FilterGetMessage(hPort, message, 64, null);
      return yield* FilterReplyMessage(hPort, reply(messageIdOf(message), 7), 17);
    });
    writer(polled.sim, 'C:\\e.txt', 'x');
    polled.sim.run({ maxSteps: 10_000 });
    expect(polled.scanner.sends).toEqual([{ status: STATUS_TIMEOUT, reply: [] }]);

    const forever = system({ timeout: 0 }, { semantics: { sendMessageZeroTimeout: 'infinite' } });
    user(forever.sim, 'late client', function* (hPort) {
      yield* sleep(10);
      const message = new Uint8Array(64);
      yield* FilterGetMessage(hPort, message, 64, null);
      return yield* FilterReplyMessage(hPort, reply(messageIdOf(message), 7), 17);
    });
    writer(forever.sim, 'C:\\e.txt', 'x');
    forever.sim.run();
    expect(forever.scanner.sends).toEqual([{ status: STATUS_SUCCESS, reply: [7] }]);
  });
});

describe('disconnects (§17.2, §17.4)', () => {
  it('CloseHandle while a sender waits for its reply: DisconnectNotify in the closing thread, the sender gets STATUS_PORT_DISCONNECTED, the variable is NULL (§19.9.17)', () => {
    const { sim, scanner } = system();
    user(sim, 'quitter', function* (hPort) {
      const message = new Uint8Array(64);
      yield* FilterGetMessage(hPort, message, 64, null);
      return yield* CloseHandle(hPort);
    });
    writer(sim, 'C:\\f.txt', 'x');
    sim.run();
    expect(scanner.sends).toEqual([{ status: STATUS_PORT_DISCONNECTED, reply: [] }]);
    expect(scanner.clientPort.value).toBeNull();
    expect(trace(sim).filter((l) => /Q1|M1/.test(l.slice(0, 3)))).toEqual([
      'Q1(client of \\ScannerPort) ConnectNotify port=R1:\\ScannerPort thread=T2:quitter context=0',
      'Q1(client of \\ScannerPort) ConnectNotifyReturned status=STATUS_SUCCESS handle=H1',
      'Q1(client of \\ScannerPort) FilterGetMessage get=U1 size=64',
      'M1 FltSendMessage port=Q1:client of \\ScannerPort thread=T3:write C:\\f.txt length=6 reply=1 until=forever',
      'M1 FilterMessageDelivered get=U1',
      'Q1(client of \\ScannerPort) PortHandleClosed handle=H1',
      'M1 FilterMessageWithdrawn reason=disconnected',
      'Q1(client of \\ScannerPort) DisconnectNotify reason=CloseHandle',
      'Q1(client of \\ScannerPort) FltCloseClientPort',
      'Q1(client of \\ScannerPort) DisconnectNotifyReturned',
      'M1 FltSendMessageReturned status=STATUS_PORT_DISCONNECTED replyLength=0',
    ]);
    expect(sim.state().clientPorts.Q1).toMatchObject({ state: 'Closed', handle: null });
    expect(foldLog(sim.log)).toEqual(sim.state());
  });

  it('until its sender returns, a message withdrawn by the disconnect is Withdrawn for Disconnected (the machine part its STATUS_PORT_DISCONNECTED follows); fold = live (§17.3)', () => {
    const { sim } = system();
    user(sim, 'quitter', function* (hPort) {
      const message = new Uint8Array(64);
      yield* FilterGetMessage(hPort, message, 64, null);
      return yield* CloseHandle(hPort);
    });
    writer(sim, 'C:\\f.txt', 'x');
    for (let steps = 0; steps < 1000 && !sim.log.some((f) => f.type === 'FilterMessageWithdrawn'); steps++) sim.step();
    expect(sim.state().messages.M1).toMatchObject({ state: 'Withdrawn', withdrawn: 'Disconnected' });
    expect(foldLog(sim.log)).toEqual(sim.state());
    sim.run();
    expect(sim.state().messages).toEqual({});
  });

  it('MaxConnections 1: a second client gets ERROR_CONNECTION_COUNT_LIMIT until the first has disconnected; a standard user is denied; a wrong name is not found', () => {
    const { sim } = system();
    const results: Record<string, number> = {};
    user(sim, 'first', function* (hPort) {
      yield* sleep(10);
      return yield* CloseHandle(hPort);
    });
    sim.spawn('second', function* () {
      yield* sleep(1);
      results.second = (yield* sim.FilterConnectCommunicationPort('\\ScannerPort', 0, null, 0)).hr;
      yield* sleep(20);
      results.third = (yield* sim.FilterConnectCommunicationPort('\\scannerport', 0, null, 0)).hr;
      results.wrongName = (yield* sim.FilterConnectCommunicationPort('\\NoSuchPort', 0, null, 0)).hr;
    }, { token: ADMINISTRATORS_SID });
    sim.spawn('standard user', function* () {
      results.user = (yield* sim.FilterConnectCommunicationPort('\\ScannerPort', 0, null, 0)).hr;
    });
    sim.run();
    expect(results).toEqual({
      user: E_ACCESSDENIED,
      second: HRESULT_FROM_WIN32(ERROR_CONNECTION_COUNT_LIMIT),
      third: S_OK,
      wrongName: HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND),
    });
    expect(sim.state().serverPorts.R1!.connections).toEqual(['Q2']);
  });
});

describe('ports at FltUnregisterFilter (§17.2)', () => {
  it('an open server port holds the unload: FltUnregisterFilter waits on its gate, the wait names the port, and the verifier reports it', () => {
    const { sim } = system({ closeServerPortOnUnload: false }, { onViolation: 'record' });
    sim.spawn('fltmc unload', () => sim.FilterUnload('scanner'));
    const result = sim.run();
    expect(result.reason).toBe('deadlock');
    expect(result.reason === 'deadlock' && result.blocked.map((b) => `${b.name}: ${b.reason}, held by ${b.heldBy?.join('; ')}`)).toEqual(['fltmc unload: unload gate of F1, held by server port R1 \\ScannerPort']);
    expect(sim.state().filters.F1!.waitingFor).toEqual(['server port R1 \\ScannerPort']);
    expect(sim.state().violations.map((v) => `${v.rule} ${v.object}`)).toEqual(['SERVER_PORT_OPEN_AT_UNLOAD R1']);
    expect(sim.state().filters.F1!.state).toBe('Unregistering');
  });

  it('unload disconnects client ports before teardown: DisconnectNotify(reason=FltUnregisterFilter), a waiting sender gets STATUS_PORT_DISCONNECTED, a waiting get ERROR_INVALID_HANDLE', () => {
    const { sim, scanner } = system();
    const gets: number[] = [];
    user(sim, 'scanUser', function* (hPort) {
      const message = new Uint8Array(64);
      gets.push(yield* FilterGetMessage(hPort, message, 64, null)); // takes the write's message, never replies
      gets.push(yield* FilterGetMessage(hPort, message, 64, null)); // waits until the unload
      return yield* CloseHandle(hPort);
    });
    writer(sim, 'C:\\g.txt', 'x');
    sim.spawn('fltmc unload', function* () {
      yield* sleep(50);
      return yield* sim.FilterUnload('scanner');
    });
    expect(sim.run().reason).toBe('idle');
    expect(gets).toEqual([S_OK, HRESULT_FROM_WIN32(ERROR_INVALID_HANDLE)]);
    expect(scanner.sends).toEqual([{ status: STATUS_PORT_DISCONNECTED, reply: [] }]);
    const from = sim.log.findIndex((f) => f.type === 'FilterUnloadCallback');
    expect(trace(sim, from).slice(0, 11)).toEqual([
      'R1(\\ScannerPort) FltCloseCommunicationPort',
      'F1(scanner) FltUnregisterFilter',
      'M1 FilterMessageWithdrawn reason=disconnected',
      'Q1(client of \\ScannerPort) FilterGetMessageAborted get=U2 status=STATUS_PORT_DISCONNECTED',
      'Q1(client of \\ScannerPort) DisconnectNotify reason=FltUnregisterFilter',
      'Q1(client of \\ScannerPort) FltCloseClientPort',
      'Q1(client of \\ScannerPort) DisconnectNotifyReturned',
      // Disconnected before teardown starts; the teardown then waits for the pre-write to return.
      'I1(scanner@265000 on C:) InstanceTeardownStart reason=FILTER_UNLOAD',
      'Q1(client of \\ScannerPort) PortHandleClosed handle=H1',
      'M1 FltSendMessageReturned status=STATUS_PORT_DISCONNECTED replyLength=0',
      'D2(WRITE \\g.txt) PreOperationReturned instance=I1:scanner@265000 on C: FLT_PREOP_SUCCESS_NO_CALLBACK',
    ]);
    expect(sim.state().filters.F1!.state).toBe('Unloaded');
    expect(foldLog(sim.log)).toEqual(sim.state());
  });
});

describe('§19.9 port invariants over the log', () => {
  it('hold on the runs above, and the open-server-port unload breaks 16', () => {
    const { sim } = system();
    user(sim, 'scanUser', function* (hPort) {
      const message = new Uint8Array(64);
      yield* FilterGetMessage(hPort, message, 64, null);
      yield* FilterReplyMessage(hPort, reply(messageIdOf(message), 1), 17);
      return yield* CloseHandle(hPort);
    });
    writer(sim, 'C:\\h.txt', 'x');
    sim.run();
    sim.spawn('fltmc unload', () => sim.FilterUnload('scanner'));
    sim.run();
    expect(checkPortInvariants(sim.log)).toEqual([]);

    const hung = system({ closeServerPortOnUnload: false }, { onViolation: 'record' });
    hung.sim.spawn('fltmc unload', () => hung.sim.FilterUnload('scanner'));
    hung.sim.run();
    expect(checkPortInvariants(hung.sim.log).map((v) => `§${v.invariant} ${v.message}`)).toEqual(['§19.9.16 F1 entered FltUnregisterFilter with server port R1 open']);
  });
});

describe('the rest of the user-mode side (§17.4)', () => {
  it('overlapped FilterGetMessage: ERROR_IO_PENDING at once, the event set on delivery, GetOverlappedResult reads the bytes', () => {
    const { sim, scanner } = system();
    const seen: unknown[] = [];
    user(sim, 'scanUser', function* (hPort) {
      const event = sim.CreateEventW(null, true, false, null);
      const message = new Uint8Array(64);
      const overlapped: OVERLAPPED = { hEvent: event, Internal: 0, InternalHigh: 0 };
      seen.push(yield* FilterGetMessage(hPort, message, 64, overlapped));
      seen.push((yield* GetOverlappedResult(hPort, overlapped, false)).LastError);
      seen.push(yield* WaitForSingleObject(event, INFINITE));
      seen.push(yield* GetOverlappedResult(hPort, overlapped, true));
      return yield* FilterReplyMessage(hPort, reply(messageIdOf(message), 9), 17);
    });
    writer(sim, 'C:\\o.txt', 'x');
    sim.run();
    expect(seen).toEqual([HRESULT_FROM_WIN32(ERROR_IO_PENDING), ERROR_IO_INCOMPLETE, WAIT_OBJECT_0, { result: true, NumberOfBytesTransferred: 22, LastError: 0 }]);
    expect(scanner.sends).toEqual([{ status: STATUS_SUCCESS, reply: [9] }]);
  });

  it('FilterSendMessage runs MessageNotify in the calling thread; without MessageNotify it is E_INVALIDARG', () => {
    const threads: (string | null)[] = [];
    const echo = system({
      messageNotify: (_cookie, input, inputLength, output, outputLength, returned) => {
        threads.push(echo.sim.currentThread());
        output!.set(input!.subarray(0, Math.min(inputLength, outputLength)));
        returned.value = Math.min(inputLength, outputLength);
        return STATUS_SUCCESS;
      },
    });
    const out = new Uint8Array(2);
    const client = user(echo.sim, 'mspyLog', function* (hPort) {
      return yield* FilterSendMessage(hPort, new Uint8Array([5, 6, 7]), 3, out, 2);
    });
    echo.sim.run();
    expect(client.result).toEqual({ hr: S_OK, BytesReturned: 2 });
    expect([...out]).toEqual([5, 6]);
    expect(threads).toEqual([client.id]);

    const plain = system();
    const refused = user(plain.sim, 'mspyLog', function* (hPort) {
      return yield* FilterSendMessage(hPort, new Uint8Array(3), 3, null, 0);
    });
    plain.sim.run();
    expect(refused.result).toEqual({ hr: E_INVALIDARG, BytesReturned: 0 });
  });

  it('a reply longer than *ReplyLength: STATUS_BUFFER_OVERFLOW with the first bytes copied; a get too small: ERROR_INSUFFICIENT_BUFFER and the message waits', () => {
    const { sim, scanner } = system({ replyLength: 2 });
    const hrs: number[] = [];
    user(sim, 'scanUser', function* (hPort) {
      const small = new Uint8Array(16);
      hrs.push(yield* FilterGetMessage(hPort, small, 16, null));
      const message = new Uint8Array(64);
      hrs.push(yield* FilterGetMessage(hPort, message, 64, null));
      hrs.push(yield* FilterReplyMessage(hPort, reply(messageIdOf(message), 1, 2, 3, 4), 20));
    });
    writer(sim, 'C:\\p.txt', 'x');
    sim.run();
    expect(hrs).toEqual([HRESULT_FROM_WIN32(ERROR_INSUFFICIENT_BUFFER), S_OK, S_OK]);
    expect(scanner.sends).toEqual([{ status: STATUS_BUFFER_OVERFLOW, reply: [1, 2] }]);
  });

  it("one global ClientPort variable with MaxConnections 2 (scanner's pattern past its MaxConnections 1): the first connection's DisconnectNotify closes the second's port, and the first leaks", () => {
    const { sim, scanner } = system({ maxConnections: 2 }, { onViolation: 'record' });
    const first = user(sim, 'first', function* (hPort) {
      yield* sleep(10);
      return yield* CloseHandle(hPort);
    });
    user(sim, 'second', function* () {
      yield* sleep(20);
    });
    sim.spawn('fltmc unload', function* () {
      yield* sleep(30);
      return yield* sim.FilterUnload('scanner');
    });
    sim.run();
    expect(first.result).toBe(true);
    expect(scanner.clientPort.value).toBeNull();
    expect(compactTrace(sim.log, { types: ['DisconnectNotify', 'FltCloseClientPort', 'VerifierViolation'] })).toEqual([
      'Q1(client of \\ScannerPort) DisconnectNotify reason=CloseHandle',
      'Q2(client of \\ScannerPort) FltCloseClientPort',
      'Q2(client of \\ScannerPort) DisconnectNotify reason=FltUnregisterFilter',
      'Q1(client of \\ScannerPort) VerifierViolation rule=CLIENT_PORT_LEAKED scanner unregistered without FltCloseClientPort on Q1(connection to \\ScannerPort) after its DisconnectNotify',
    ]);
  });
});

describe('FltCreateCommunicationPort refusals (§17.2)', () => {
  it('OBJ_KERNEL_HANDLE missing: STATUS_INVALID_PARAMETER; a name in use: STATUS_OBJECT_NAME_COLLISION; MaxConnections 0: STATUS_INVALID_PARAMETER', () => {
    const { sim, scanner } = system();
    const statuses: number[] = [];
    sim.spawn('DriverEntry tail', function* () {
      const f = scanner.filter();
      const create = (ObjectName: string, Attributes: number, max: number) =>
        FltCreateCommunicationPort(f, { ObjectName, Attributes }, null, () => STATUS_SUCCESS, () => undefined, null, max).status;
      statuses.push(create('\\Other', 0, 1), create('\\SCANNERPORT', OBJ_KERNEL_HANDLE, 1), create('\\Other', OBJ_KERNEL_HANDLE, 0));
      yield* sleep(0);
    });
    sim.run();
    expect(statuses).toEqual([STATUS_INVALID_PARAMETER, STATUS_OBJECT_NAME_COLLISION, STATUS_INVALID_PARAMETER]);
    expect(Object.keys(sim.state().serverPorts)).toEqual(['R1']);
  });
});

describe('a timeout racing a reply at the same virtual time (§17.3, §18.2)', () => {
  it('the scheduler orders the timer and the reply: some schedules return STATUS_SUCCESS, others STATUS_TIMEOUT and the reply finds no waiter', () => {
    const outcomes = new Set<string>();
    for (let seed = 1; seed <= 40; seed++) {
      const { sim, scanner } = system({ timeout: -50_000 }, { seed, strategy: 'random' });
      const replies: number[] = [];
      user(sim, 'scanUser', function* (hPort) {
        const message = new Uint8Array(64);
        yield* FilterGetMessage(hPort, message, 64, null);
        yield* sleep(5 - sim.now);
        replies.push(yield* FilterReplyMessage(hPort, reply(messageIdOf(message), 1), 17));
      });
      sim.runUntil(() => scanner.clientPort.value !== null);
      writer(sim, 'C:\\r.txt', 'x');
      sim.run();
      const sent = scanner.sends[0]!;
      outcomes.add(`${ntStatusName(sent.status)} reply=${replies[0] === S_OK ? 'S_OK' : 'ERROR_FLT_NO_WAITER_FOR_REPLY'}`);
      expect(checkPortInvariants(sim.log), `seed ${seed}`).toEqual([]);
    }
    expect([...outcomes].sort()).toEqual(['STATUS_SUCCESS reply=S_OK', 'STATUS_TIMEOUT reply=ERROR_FLT_NO_WAITER_FOR_REPLY']);
  });
});

describe('a MessageNotify still running when the unload disconnects its connection (§17.2, §17.4)', () => {
  it('the unload waits for it; it returns on the closed connection and FilterSendMessage gets its status (minispy: SpyGetLog spinning on its lock)', () => {
    const { sim } = system({
      messageNotify: function* (_cookie, _in, _inLength, out, _outLength, returned) {
        yield* sleep(10); // still copying records when the unload starts
        out![0] = 7;
        returned.value = 1;
        return STATUS_SUCCESS;
      },
    });
    const results: unknown[] = [];
    user(sim, 'minispy log', function* (hPort) {
      const r = yield* FilterSendMessage(hPort, new Uint8Array(8), 8, new Uint8Array(4), 4);
      results.push(r.hr, r.BytesReturned);
      results.push((yield* FilterSendMessage(hPort, new Uint8Array(8), 8, new Uint8Array(4), 4)).hr);
      return yield* CloseHandle(hPort);
    });
    sim.spawn('fltmc unload scanner', function* () {
      yield* sleep(2);
      return yield* sim.FilterUnload('scanner');
    });
    expect(sim.run().reason).toBe('idle');
    expect(results).toEqual([S_OK, 1, HRESULT_FROM_WIN32(ERROR_INVALID_HANDLE)]);
    expect(compactTrace(sim.log, { types: ['MessageNotify', 'MessageNotifyReturned', 'DisconnectNotify', 'DisconnectNotifyReturned', 'FltUnregisterFilterReturned'] })).toEqual([
      'Q1(client of \\ScannerPort) MessageNotify in=8 out=4',
      'Q1(client of \\ScannerPort) DisconnectNotify reason=FltUnregisterFilter',
      'Q1(client of \\ScannerPort) DisconnectNotifyReturned',
      'Q1(client of \\ScannerPort) MessageNotifyReturned status=STATUS_SUCCESS returned=1',
      'F1(scanner) FltUnregisterFilterReturned',
    ]);
    expect(checkPortInvariants(sim.log)).toEqual([]);
    expect(foldLog(sim.log)).toEqual(sim.state());
  });
});
