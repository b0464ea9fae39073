// Misusing communication ports (§17): what Windows answers is what the model answers — an NTSTATUS
// in the kernel, an HRESULT in user mode — and what Windows cannot answer (an argument that is not
// a port, a handle or a buffer) is a UsageError naming the routine, never a TypeError.
import { describe, expect, it } from 'vitest';
import {
  ADMINISTRATORS_SID,
  CloseHandle,
  createSimulation,
  E_HANDLE,
  E_INVALIDARG,
  ERROR_INVALID_HANDLE,
  ERROR_INVALID_PARAMETER,
  ERROR_NOACCESS,
  FilterGetMessage,
  FilterReplyMessage,
  FilterSendMessage,
  FltBuildDefaultSecurityDescriptor,
  FltCloseClientPort,
  FltCloseCommunicationPort,
  FltCreateCommunicationPort,
  FltFreeSecurityDescriptor,
  FltSendMessage,
  foldLog,
  FLT_PORT_ALL_ACCESS,
  HRESULT_FROM_WIN32,
  hresultName,
  ntStatusName,
  portVariable,
  ResetEvent,
  SetEvent,
  STATUS_PORT_DISCONNECTED,
  STATUS_SUCCESS,
  SYSTEM_SID,
  UsageError,
  WAIT_OBJECT_0,
  WAIT_TIMEOUT,
  WaitForSingleObject,
  type Blocking,
  type FilterPortHandle,
} from '../../src/index.js';
import { compactTrace, installPortFilter } from '../../src/testing/index.js';

function connected() {
  const sim = createSimulation({ onViolation: 'record' });
  sim.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:' });
  const scanner = installPortFilter(sim, { messageNotify: (_c, _i, _il, _o, _ol, returned) => ((returned.value = 0), STATUS_SUCCESS) });
  sim.run();
  let hPort: FilterPortHandle | null = null;
  sim.spawn(
    'scanUser',
    function* () {
      hPort = (yield* sim.FilterConnectCommunicationPort('\\ScannerPort', 0, null, 0)).hPort;
    },
    { token: ADMINISTRATORS_SID },
  );
  sim.run();
  expect(hPort).not.toBeNull();
  return { sim, scanner, hPort: hPort! };
}

/** The code of the UsageError `call` throws (or 'no error'); anything else thrown fails the test. */
function* usageCode(call: () => Blocking<unknown>): Blocking<string> {
  try {
    yield* call();
    return 'no error';
  } catch (error) {
    if (error instanceof UsageError) return `${error.code}: ${error.message.replace(/^\[\w+\] /, '')}`;
    throw error;
  }
}

function usageCodeOf(call: () => unknown): string {
  try {
    call();
    return 'no error';
  } catch (error) {
    if (error instanceof UsageError) return `${error.code}: ${error.message.replace(/^\[\w+\] /, '')}`;
    throw error;
  }
}

describe('a message sent on a closed port (§17.3, §19.9 inv. 17)', () => {
  it('FltSendMessage after FltCloseClientPort: the variable is NULL, the send is STATUS_PORT_DISCONNECTED; a stale copy of the port is too', () => {
    const { sim, scanner } = connected();
    const results: string[] = [];
    sim.spawn('filter worker', function* () {
      const stale = portVariable(scanner.clientPort.value);
      FltCloseClientPort(scanner.filter(), scanner.clientPort);
      results.push(`variable ${scanner.clientPort.value === null ? 'NULL' : 'set'}`);
      const body = new Uint8Array([1, 2, 3]);
      results.push(`through the variable: 0x${(yield* FltSendMessage(scanner.filter(), scanner.clientPort, body, 3, null, null, null)).toString(16)}`);
      results.push(`through a stale copy: 0x${(yield* FltSendMessage(scanner.filter(), stale, body, 3, null, null, null)).toString(16)}`);
    });
    sim.run();
    const disconnected = `0x${STATUS_PORT_DISCONNECTED.toString(16)}`;
    expect(results).toEqual(['variable NULL', `through the variable: ${disconnected}`, `through a stale copy: ${disconnected}`]);
    expect(compactTrace(sim.log, { types: ['FltCloseClientPort', 'RoutineFailed'] })).toEqual([
      'Q1(client of \\ScannerPort) FltCloseClientPort',
      'F1(scanner) RoutineFailed routine=FltSendMessage status=STATUS_PORT_DISCONNECTED (the ClientPort variable is NULL)',
      'Q1(client of \\ScannerPort) RoutineFailed routine=FltSendMessage status=STATUS_PORT_DISCONNECTED (Q1(connection to \\ScannerPort) is ClientPortClosed)',
    ]);
    expect(sim.state().violations).toEqual([]);
  });
});

describe('user-mode misuse is an HRESULT (§17.4)', () => {
  it('a closed handle: every call ERROR_INVALID_HANDLE and CloseHandle FALSE; a reply shorter than FILTER_REPLY_HEADER: E_INVALIDARG; a buffer shorter than its size: ERROR_NOACCESS', () => {
    const { sim, hPort } = connected();
    const results: Record<string, unknown> = {};
    sim.spawn('scanUser again', function* () {
      results['short reply'] = yield* FilterReplyMessage(hPort, new Uint8Array(8), 8);
      results['size past the buffer'] = yield* FilterGetMessage(hPort, new Uint8Array(16), 64, null);
      results['first close'] = yield* CloseHandle(hPort);
      results['get'] = yield* FilterGetMessage(hPort, new Uint8Array(64), 64, null);
      results['reply'] = yield* FilterReplyMessage(hPort, new Uint8Array(17), 17);
      results['send'] = (yield* FilterSendMessage(hPort, new Uint8Array(1), 1, null, 0)).hr;
      results['second close'] = yield* CloseHandle(hPort);
    });
    sim.run();
    const invalidHandle = HRESULT_FROM_WIN32(ERROR_INVALID_HANDLE);
    expect(results).toEqual({
      'short reply': E_INVALIDARG,
      'size past the buffer': HRESULT_FROM_WIN32(ERROR_NOACCESS),
      'first close': true,
      get: invalidHandle,
      reply: invalidHandle,
      send: invalidHandle,
      'second close': false,
    });
    expect(sim.state().violations).toEqual([]);
  });
});

describe('arguments that are not what the routine takes: UsageError BAD_ARGUMENT', () => {
  it('kernel side', () => {
    const { sim, scanner } = connected();
    const codes: string[] = [];
    sim.spawn('filter worker', function* () {
      const filter = scanner.filter();
      const body = new Uint8Array(4);
      codes.push(yield* usageCode(() => FltSendMessage(null as never, scanner.clientPort, body, 4, null, null, null)));
      codes.push(yield* usageCode(() => FltSendMessage(filter, null as never, body, 4, null, null, null)));
      codes.push(yield* usageCode(() => FltSendMessage(filter, { value: 'Q1' } as never, body, 4, null, null, null)));
      codes.push(yield* usageCode(() => FltSendMessage(filter, scanner.clientPort, 'text' as never, 4, null, null, null)));
      codes.push(yield* usageCode(() => FltSendMessage(filter, scanner.clientPort, body, 4, new Uint8Array(1), 1 as never, null)));
      codes.push(usageCodeOf(() => FltCloseCommunicationPort(undefined as never)));
      codes.push(usageCodeOf(() => FltCloseClientPort(filter, null as never)));
      codes.push(usageCodeOf(() => FltCreateCommunicationPort(null as never, { ObjectName: '\\P' }, null, () => STATUS_SUCCESS, () => undefined, null, 1)));
      codes.push(usageCodeOf(() => FltFreeSecurityDescriptor(null as never)));
    });
    sim.run();
    expect(codes).toEqual([
      'BAD_ARGUMENT: FltSendMessage: Filter is NULL, not a PFLT_FILTER from FltRegisterFilter',
      'BAD_ARGUMENT: FltSendMessage: ClientPort is NULL, not the address of a PFLT_PORT variable (portVariable())',
      'BAD_ARGUMENT: FltSendMessage: *ClientPort is string, not a PFLT_PORT from ConnectNotify or NULL',
      'BAD_ARGUMENT: FltSendMessage: SenderBuffer is string, not a buffer (Uint8Array)',
      'BAD_ARGUMENT: FltSendMessage: ReplyLength is not the address of a ULONG ({ value }) or NULL',
      'BAD_ARGUMENT: FltCloseCommunicationPort: ServerPort is undefined, not a PFLT_PORT from FltCreateCommunicationPort',
      'BAD_ARGUMENT: FltCloseClientPort: ClientPort is NULL, not the address of a PFLT_PORT variable (portVariable())',
      'BAD_ARGUMENT: FltCreateCommunicationPort: Filter is NULL, not a PFLT_FILTER from FltRegisterFilter',
      'BAD_ARGUMENT: FltFreeSecurityDescriptor: NULL is not a PSECURITY_DESCRIPTOR from FltBuildDefaultSecurityDescriptor',
    ]);
    // Nothing was sent or closed: the connection is as it was.
    expect(sim.state().clientPorts['Q1']!.state).toBe('Connected');
  });

  it('user side: values no C caller could pass as a handle, an event or an OVERLAPPED', () => {
    const { sim } = connected();
    const codes: string[] = [];
    sim.spawn('scanUser', function* () {
      codes.push(yield* usageCode(() => FilterReplyMessage({ id: 'H9' } as never, new Uint8Array(17), 17)));
      codes.push(yield* usageCode(() => FilterSendMessage('H1' as never, null, 0, null, 0)));
      codes.push(yield* usageCode(() => WaitForSingleObject('H3' as never, 0)));
      codes.push(usageCodeOf(() => SetEvent({} as never)));
    });
    sim.run();
    expect(codes).toEqual([
      'BAD_ARGUMENT: FilterReplyMessage: hPort is Object, not a handle from FilterConnectCommunicationPort',
      'BAD_ARGUMENT: FilterSendMessage: hPort is string, not a handle from FilterConnectCommunicationPort',
      'BAD_ARGUMENT: WaitForSingleObject: hHandle is string "H3", not an event handle from CreateEventW',
      'BAD_ARGUMENT: SetEvent: hEvent is a plain object, not an event handle from CreateEventW',
    ]);
  });
});

describe('NULL and wrong handles in fltlib calls: the HRESULT Windows returns, and a RoutineFailed fact (issue 14)', () => {
  it('NULL, a stale handle value or an event handle for hPort is E_HANDLE (ERROR_INVALID_HANDLE); CloseHandle(NULL) is FALSE; a NULL buffer is E_INVALIDARG with size 0 and ERROR_NOACCESS with a size; a NULL port name is E_INVALIDARG', () => {
    const { sim, hPort } = connected();
    const event = sim.CreateEventW(null, true, false, null);
    const results: string[] = [];
    const name = (hr: number): string => hresultName(hr);
    sim.spawn(
      'scanUser',
      function* () {
        results.push(`FilterGetMessage(NULL) ${name(yield* FilterGetMessage(null as never, new Uint8Array(64), 64, null))}`);
        results.push(`FilterSendMessage(0x1234) ${name((yield* FilterSendMessage(0x1234 as never, null, 0, null, 0)).hr)}`);
        results.push(`FilterReplyMessage(event) ${name(yield* FilterReplyMessage(event as never, new Uint8Array(17), 17))}`);
        results.push(`CloseHandle(NULL) ${String(yield* CloseHandle(null as never))}`);
        results.push(`FilterGetMessage(hPort, NULL, 0) ${name(yield* FilterGetMessage(hPort, null, 0, null))}`);
        results.push(`FilterGetMessage(hPort, NULL, 64) ${name(yield* FilterGetMessage(hPort, null, 64, null))}`);
        results.push(`FilterReplyMessage(hPort, NULL, 0) ${name(yield* FilterReplyMessage(hPort, null, 0))}`);
        results.push(`FilterConnectCommunicationPort(NULL) ${name((yield* sim.FilterConnectCommunicationPort(null, 0, null, 0)).hr)}`);
      },
      { token: ADMINISTRATORS_SID },
    );
    sim.run();
    expect(results).toEqual([
      'FilterGetMessage(NULL) E_HANDLE',
      'FilterSendMessage(0x1234) E_HANDLE',
      'FilterReplyMessage(event) E_HANDLE',
      'CloseHandle(NULL) false',
      'FilterGetMessage(hPort, NULL, 0) E_INVALIDARG',
      'FilterGetMessage(hPort, NULL, 64) HRESULT_FROM_WIN32(ERROR_NOACCESS)',
      'FilterReplyMessage(hPort, NULL, 0) E_INVALIDARG',
      'FilterConnectCommunicationPort(NULL) E_INVALIDARG',
    ]);
    expect(E_HANDLE).toBe(HRESULT_FROM_WIN32(ERROR_INVALID_HANDLE));
    expect(E_INVALIDARG).toBe(HRESULT_FROM_WIN32(ERROR_INVALID_PARAMETER));
    const failed = sim.log.filter((f) => f.type === 'RoutineFailed').map((f) => (f.type === 'RoutineFailed' ? `${f.object} ${f.routine} ${ntStatusName(f.status)}` : ''));
    expect(failed.slice(-8)).toEqual([
      'sim FilterGetMessage STATUS_INVALID_HANDLE',
      'sim FilterSendMessage STATUS_INVALID_HANDLE',
      'sim FilterReplyMessage STATUS_INVALID_HANDLE',
      'sim CloseHandle STATUS_INVALID_HANDLE',
      `${hPort.port.id} FilterGetMessage STATUS_INVALID_PARAMETER`,
      `${hPort.port.id} FilterGetMessage STATUS_ACCESS_VIOLATION`,
      `${hPort.port.id} FilterReplyMessage STATUS_INVALID_PARAMETER`,
      'sim FilterConnectCommunicationPort STATUS_INVALID_PARAMETER',
    ]);
  });
});

describe('the pieces around a port', () => {
  it('FltBuildDefaultSecurityDescriptor grants LocalSystem and Administrators only, in paged pool; FltFreeSecurityDescriptor frees the block, and a second free is a use after free (§17.2, §20.7)', () => {
    const sim = createSimulation({ onViolation: 'record' });
    const seen: unknown[] = [];
    sim.spawn('DriverEntry', function* () {
      const built = yield* FltBuildDefaultSecurityDescriptor(FLT_PORT_ALL_ACCESS);
      const sd = built.SecurityDescriptor!;
      seen.push(ntStatusName(built.status), sd.grants, sd.access === FLT_PORT_ALL_ACCESS, sd.freed);
      yield* FltFreeSecurityDescriptor(sd);
      seen.push(sd.freed);
      yield* FltFreeSecurityDescriptor(sd);
    });
    sim.run();
    expect(seen).toEqual(['STATUS_SUCCESS', [SYSTEM_SID, ADMINISTRATORS_SID], true, false, true]);
    // The descriptor's block is the pool block's machine: PoolAllocate when built, PoolFree when freed, a second free refused.
    expect(compactTrace(sim.log, { types: ['PoolAllocate', 'PoolFree', 'VerifierViolation'] })).toMatchInlineSnapshot(`
      [
        "S1 PoolAllocate FltBuildDefaultSecurityDescriptor tag='FMsd' bytes=72",
        "S1 PoolFree FltFreeSecurityDescriptor",
        "S1 VerifierViolation rule=BUFFER_USED_AFTER_FREE FltFreeSecurityDescriptor on S1(pool 'FMsd', 72 bytes), which was already freed",
      ]
    `);
    expect(foldLog(sim.log)).toEqual(sim.state());
  });

  it('SetEvent / ResetEvent / WaitForSingleObject on a manual-reset event: set stays set until reset; a wait on a reset event times out at its deadline', () => {
    const sim = createSimulation();
    const event = sim.CreateEventW(null, true, false, 'done');
    const seen: string[] = [];
    sim.spawn('application', function* () {
      SetEvent(event);
      seen.push(`after SetEvent: ${(yield* WaitForSingleObject(event, 0)) === WAIT_OBJECT_0 ? 'WAIT_OBJECT_0' : 'WAIT_TIMEOUT'}`);
      seen.push(`again: ${(yield* WaitForSingleObject(event, 0)) === WAIT_OBJECT_0 ? 'WAIT_OBJECT_0' : 'WAIT_TIMEOUT'}`);
      ResetEvent(event);
      const outcome = yield* WaitForSingleObject(event, 25);
      seen.push(`after ResetEvent: ${outcome === WAIT_TIMEOUT ? 'WAIT_TIMEOUT' : 'WAIT_OBJECT_0'} at t=${sim.state().time}`);
    });
    sim.run();
    expect(seen).toEqual(['after SetEvent: WAIT_OBJECT_0', 'again: WAIT_OBJECT_0', 'after ResetEvent: WAIT_TIMEOUT at t=25']);
  });
});
