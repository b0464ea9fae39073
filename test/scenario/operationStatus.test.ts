// FltRequestOperationStatusCallback (the passThrough sample's oplock/notify pattern, wdk-samples §2
// check 2; §7, §8): the status IoCallDriver returned when the request went below the Filter
// Manager, reported on the sending thread — STATUS_PENDING before the post-op when the file system
// pends, the file system's own status after the completion when it completes inside the send.
import { describe, expect, it } from 'vitest';
import {
  createSimulation,
  FILE_GENERIC_READ,
  FILE_OPEN,
  FLT_PREOP_COMPLETE,
  FLT_POSTOP_FINISHED_PROCESSING,
  FLT_PREOP_SUCCESS_NO_CALLBACK,
  FLT_PREOP_SUCCESS_WITH_CALLBACK,
  FltRequestOperationStatusCallback,
  FSCTL_REQUEST_OPLOCK_LEVEL_1,
  IRP_MJ_CLOSE,
  IRP_MJ_FILE_SYSTEM_CONTROL,
  STATUS_INVALID_PARAMETER,
  STATUS_NOT_SUPPORTED,
  STATUS_SUCCESS,
  UsageError,
  type FLT_CALLBACK_DATA,
  type PFLT_GET_OPERATION_STATUS_CALLBACK,
  type SimulationOptions,
} from '../../src/index.js';
import { compactTrace, installFilter, operations } from '../../src/testing/index.js';

interface Seen {
  statuses: string[];
  requests: number[];
}

/** 'pt' at 370030 asks for the status of every FSCTL it sees; an application requests a level 1 oplock. */
function oplockRequest(options: SimulationOptions, lower: 'pass' | 'complete' = 'pass'): { sim: ReturnType<typeof createSimulation>; seen: Seen } {
  const sim = createSimulation({ onViolation: 'record', ...options });
  sim.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:' });
  sim.fileSystem('C:').writeFile('\\doc.txt', 'x');
  const seen: Seen = { statuses: [], requests: [] };
  const onStatus: PFLT_GET_OPERATION_STATUS_CALLBACK = (objects, snapshot, status, context) => {
    const code = (snapshot.Parameters as { FileSystemControl?: { FsControlCode?: number } }).FileSystemControl?.FsControlCode;
    seen.statuses.push(`${objects.Instance.id} ctx=${String(context)} fsctl=0x${(code ?? 0).toString(16)} status=0x${status.toString(16)}`);
  };
  installFilter(sim, {
    name: 'pt',
    altitude: '370030',
    registration: {
      OperationRegistration: operations([IRP_MJ_FILE_SYSTEM_CONTROL], {
        PreOperation: (Data) => {
          seen.requests.push(FltRequestOperationStatusCallback(Data, onStatus, 2));
          return FLT_PREOP_SUCCESS_WITH_CALLBACK;
        },
        PostOperation: () => FLT_POSTOP_FINISHED_PROCESSING,
      }),
    },
  });
  installFilter(sim, {
    name: 'lower',
    altitude: '100000',
    registration: {
      OperationRegistration: operations([IRP_MJ_FILE_SYSTEM_CONTROL], {
        PreOperation: (Data: FLT_CALLBACK_DATA) => {
          if (lower === 'pass') return FLT_PREOP_SUCCESS_NO_CALLBACK;
          Data.IoStatus = { Status: STATUS_NOT_SUPPORTED, Information: 0 };
          return FLT_PREOP_COMPLETE;
        },
      }),
    },
  });
  sim.whenSettled(() => {
    sim.spawn('app', function* () {
      const open = yield* sim.io.NtCreateFile('C:\\doc.txt', { DesiredAccess: FILE_GENERIC_READ, CreateDisposition: FILE_OPEN });
      const r = yield* sim.io.NtFsControlFile(open.handle!, FSCTL_REQUEST_OPLOCK_LEVEL_1, null, 0, 0);
      yield* sim.io.NtClose(open.handle!);
      return r.status;
    });
  });
  expect(sim.run().reason).toBe('idle');
  return { sim, seen };
}

const TYPES = ['PreOperation', 'FltRequestOperationStatusCallback', 'FsDispatch', 'FsPending', 'FsComplete', 'PostOperation', 'OperationStatusCallback', 'OperationStatusCallbackReturned', 'IoComplete'] as const;

describe('FltRequestOperationStatusCallback', () => {
  it('the file system pends the oplock request: the callback gets STATUS_PENDING on the sending thread, before the post-op', () => {
    const { sim, seen } = oplockRequest({ fileSystemCompletion: 'deferred', fileSystemLatency: 2 });
    expect(seen.requests).toEqual([STATUS_SUCCESS]);
    expect(seen.statuses).toEqual(['I1 ctx=2 fsctl=0x90000 status=0x103']);
    const fsctl = compactTrace(sim.log, { types: [...TYPES] }).filter((l) => l.includes('FILE_SYSTEM_CONTROL') || l.startsWith('D2('));
    expect(fsctl.map((l) => l.replace(/ params=.*| \{.*/, ''))).toEqual([
      'D2(FILE_SYSTEM_CONTROL \\doc.txt) PreOperation instance=I1:pt@370030 on C:',
      'D2(FILE_SYSTEM_CONTROL \\doc.txt) FltRequestOperationStatusCallback instance=I1:pt@370030 on C:',
      'D2(FILE_SYSTEM_CONTROL \\doc.txt) PreOperation instance=I2:lower@100000 on C:',
      'D2(FILE_SYSTEM_CONTROL \\doc.txt) FsDispatch',
      'D2(FILE_SYSTEM_CONTROL \\doc.txt) FsPending completesAt=4',
      'D2(FILE_SYSTEM_CONTROL \\doc.txt) OperationStatusCallback instance=I1:pt@370030 on C: status=STATUS_PENDING',
      'D2(FILE_SYSTEM_CONTROL \\doc.txt) OperationStatusCallbackReturned instance=I1:pt@370030 on C:',
      'D2(FILE_SYSTEM_CONTROL \\doc.txt) FsComplete status=STATUS_OPLOCK_NOT_GRANTED information=0',
      'D2(FILE_SYSTEM_CONTROL \\doc.txt) PostOperation instance=I1:pt@370030 on C:',
      'D2(FILE_SYSTEM_CONTROL \\doc.txt) IoComplete status=STATUS_OPLOCK_NOT_GRANTED information=0',
    ]);
  });

  it('the file system completes inside the send: the post-op runs first, then the callback with the file system\'s status', () => {
    const { sim, seen } = oplockRequest({});
    expect(seen.statuses).toEqual(['I1 ctx=2 fsctl=0x90000 status=0xc00000e2']);
    const order = compactTrace(sim.log, { types: ['PostOperation', 'IoComplete', 'OperationStatusCallback'] }).filter((l) => l.startsWith('D2('));
    expect(order.map((l) => l.split(' ')[2])).toEqual(['PostOperation', 'IoComplete', 'OperationStatusCallback']);
  });

  it('an operation a lower filter completes is never sent below: no callback, and the hold on the instance is released', () => {
    const { sim, seen } = oplockRequest({ fileSystemCompletion: 'deferred' }, 'complete');
    expect(seen.requests).toEqual([STATUS_SUCCESS]);
    expect(seen.statuses).toEqual([]);
    expect(compactTrace(sim.log, { types: ['OperationStatusCallback'] })).toEqual([]);
    expect(sim.filter('pt')!.instances[0]!.rundown.value.callbacksInProgress).toBe(0);
  });

  it('outside a pre-operation, or for IRP_MJ_CLOSE: STATUS_INVALID_PARAMETER; no routine: a UsageError', () => {
    const sim = createSimulation({ onViolation: 'record' });
    sim.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:' });
    sim.fileSystem('C:').writeFile('\\doc.txt', 'x');
    const results: unknown[] = [];
    const noop = (): void => undefined;
    installFilter(sim, {
      name: 'pt',
      altitude: '370030',
      registration: {
        OperationRegistration: operations([IRP_MJ_FILE_SYSTEM_CONTROL, IRP_MJ_CLOSE], {
          PreOperation: (Data) => {
            if (Data.Iopb.MajorFunction === IRP_MJ_CLOSE) results.push(['close', FltRequestOperationStatusCallback(Data, noop, null)]);
            else {
              try {
                FltRequestOperationStatusCallback(Data, null as never, null);
              } catch (e) {
                results.push(['null routine', e instanceof UsageError ? e.code : e]);
              }
            }
            return FLT_PREOP_SUCCESS_WITH_CALLBACK;
          },
          PostOperation: (Data) => {
            if (Data.Iopb.MajorFunction !== IRP_MJ_CLOSE) results.push(['post', FltRequestOperationStatusCallback(Data, noop, null)]);
            return FLT_POSTOP_FINISHED_PROCESSING;
          },
        }),
      },
    });
    sim.whenSettled(() => {
      sim.spawn('app', function* () {
        const open = yield* sim.io.NtCreateFile('C:\\doc.txt', { DesiredAccess: FILE_GENERIC_READ, CreateDisposition: FILE_OPEN });
        yield* sim.io.NtFsControlFile(open.handle!, FSCTL_REQUEST_OPLOCK_LEVEL_1, null, 0, 0);
        yield* sim.io.NtClose(open.handle!);
      });
    });
    expect(sim.run().reason).toBe('idle');
    expect(results).toEqual([['null routine', 'BAD_ARGUMENT'], ['post', STATUS_INVALID_PARAMETER], ['close', STATUS_INVALID_PARAMETER]]);
    expect(compactTrace(sim.log, { types: ['RoutineFailed'] }).map((l) => l.replace(/^.*\) /, ''))).toEqual([
      'RoutineFailed routine=FltRequestOperationStatusCallback status=STATUS_INVALID_PARAMETER (D2 is not in a pre-operation callback)',
      'RoutineFailed routine=FltRequestOperationStatusCallback status=STATUS_INVALID_PARAMETER (D4 is IRP_MJ_CLOSE)',
    ]);
  });
});
