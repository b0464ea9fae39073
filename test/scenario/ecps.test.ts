// §22: FltCreateFileEx2 carries an ECP list down the stack below its instance; a lower filter finds
// and acknowledges an ECP; the originator sees the acknowledgement, the list comes back unchanged
// and reusable, and the originator frees it. FltSetEcpListIntoCallbackData attaches a list to a
// create that has none.
import { describe, expect, it } from 'vitest';
import {
  createSimulation,
  FILE_GENERIC_READ,
  FILE_OPEN,
  FILE_SHARE_READ,
  FLT_PREOP_SUCCESS_NO_CALLBACK,
  FltAcknowledgeEcp,
  FltAllocateExtraCreateParameter,
  FltAllocateExtraCreateParameterList,
  FltClose,
  FltCreateFileEx2,
  FltFindExtraCreateParameter,
  FltFreeExtraCreateParameter,
  FltFreeExtraCreateParameterList,
  FltGetEcpListFromCallbackData,
  FltGetNextExtraCreateParameter,
  FltInsertExtraCreateParameter,
  FltIsEcpAcknowledged,
  FltIsEcpFromUserMode,
  FltPrepareToReuseEcp,
  FltRemoveExtraCreateParameter,
  FltSetEcpListIntoCallbackData,
  foldLog,
  IRP_MJ_CREATE,
  ObDereferenceObject,
  STATUS_INVALID_PARAMETER,
  STATUS_NOT_FOUND,
  STATUS_SUCCESS,
  type FLT_RELATED_OBJECTS,
  type PECP_LIST,
} from '../../src/index.js';
import { compactTrace, installFilter } from '../../src/testing/index.js';

const GUID_ECP_EXAMPLE = '2e7f3c2a-5a1f-4c8e-9d7b-0c1e2f3a4b5c';
const GUID_ECP_OTHER = 'a0b1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d';

/** Three filters on C:: `above` (450000), `origin` (400000) that issues the create, `receiver` (300000) that reads ECPs. */
function system() {
  const sim = createSimulation({ onViolation: 'record' });
  sim.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:' });
  sim.fileSystem('C:').writeFile('\\f.txt', 'x');
  const seen: string[] = [];
  const objects = new Map<string, FLT_RELATED_OBJECTS>();
  const watcher = (name: string) => ({
    InstanceSetupCallback: (o: FLT_RELATED_OBJECTS) => (objects.set(name, o), STATUS_SUCCESS),
    OperationRegistration: [
      {
        MajorFunction: IRP_MJ_CREATE,
        PreOperation: (Data: Parameters<typeof FltGetEcpListFromCallbackData>[1], o: FLT_RELATED_OBJECTS) => {
          const { EcpList } = FltGetEcpListFromCallbackData(o.Filter, Data);
          if (EcpList === null) {
            seen.push(`${name}: no ECP list`);
            return FLT_PREOP_SUCCESS_NO_CALLBACK;
          }
          const found = FltFindExtraCreateParameter(o.Filter, EcpList, GUID_ECP_EXAMPLE);
          seen.push(`${name}: ${EcpList.id} holds ${found.EcpContext?.id ?? 'nothing'} (${found.EcpContextSize} bytes) from user mode: ${found.EcpContext === null ? '-' : FltIsEcpFromUserMode(o.Filter, found.EcpContext)}`);
          if (found.EcpContext !== null && name === 'receiver') {
            seen.push(`receiver reads ${String(found.EcpContext.Data['purpose'])}`);
            FltAcknowledgeEcp(o.Filter, found.EcpContext);
          }
          return FLT_PREOP_SUCCESS_NO_CALLBACK;
        },
      },
    ],
  });
  installFilter(sim, { name: 'above', altitude: '450000', registration: watcher('above') });
  installFilter(sim, { name: 'origin', altitude: '400000', registration: watcher('origin') });
  installFilter(sim, { name: 'receiver', altitude: '300000', registration: watcher('receiver') });
  sim.run();
  return { sim, seen, objects };
}

describe('FltCreateFileEx2 with an ECP list (§22.1, §22.2)', () => {
  it('the list travels below the originator only; the receiver acknowledges; the list comes back unchanged and is reused after FltPrepareToReuseEcp', () => {
    const { sim, seen, objects } = system();
    const o = objects.get('origin')!;
    let list: PECP_LIST | null = null;
    sim.spawn('origin worker', function* () {
      list = FltAllocateExtraCreateParameterList(o.Filter).EcpList;
      const ecp = FltAllocateExtraCreateParameter(o.Filter, GUID_ECP_EXAMPLE, 16, 0, (e) => void seen.push(`cleanup ${e.id}`)).EcpContext!;
      ecp.Data['purpose'] = 'prefetch';
      expect(FltInsertExtraCreateParameter(o.Filter, list, ecp)).toBe(STATUS_SUCCESS);
      const twin = FltAllocateExtraCreateParameter(o.Filter, GUID_ECP_EXAMPLE, 16).EcpContext!;
      expect(FltInsertExtraCreateParameter(o.Filter, list, twin)).toBe(STATUS_INVALID_PARAMETER); // one per GUID
      FltFreeExtraCreateParameter(o.Filter, twin);
      for (let round = 0; round < 2; round++) {
        const open = yield* FltCreateFileEx2(o.Filter, o.Instance, FILE_GENERIC_READ, { ObjectName: 'C:\\f.txt' }, 0, 0, FILE_SHARE_READ, FILE_OPEN, 0, null, 0, 0, { ExtraCreateParameter: list });
        seen.push(`round ${round}: ${open.status === STATUS_SUCCESS ? 'opened' : open.status}, acknowledged ${FltIsEcpAcknowledged(o.Filter, ecp)}, list holds ${list.ecps.map((e) => e.id).join(',')}`);
        FltPrepareToReuseEcp(o.Filter, ecp);
        yield* FltClose(open.FileHandle!);
        yield* ObDereferenceObject(open.FileObject!);
      }
      const walk = FltGetNextExtraCreateParameter(o.Filter, list, null);
      expect(walk).toMatchObject({ status: STATUS_SUCCESS, NextEcpType: GUID_ECP_EXAMPLE, NextEcpContextSize: 16 });
      expect(FltGetNextExtraCreateParameter(o.Filter, list, walk.NextEcpContext).status).toBe(STATUS_NOT_FOUND);
      expect(FltRemoveExtraCreateParameter(o.Filter, list, GUID_ECP_OTHER).status).toBe(STATUS_NOT_FOUND);
      FltFreeExtraCreateParameterList(o.Filter, list);
    }, { token: 'S-1-5-18' });
    sim.spawn('app', function* () {
      const open = yield* sim.io.NtCreateFile('C:\\f.txt', { DesiredAccess: FILE_GENERIC_READ, ShareAccess: FILE_SHARE_READ, CreateDisposition: FILE_OPEN });
      yield* sim.io.NtClose(open.handle!);
    });
    expect(sim.run().reason).toBe('idle');
    expect(seen.filter((l) => !l.startsWith('above: no') && !l.startsWith('origin: no') && !l.startsWith('receiver: no'))).toEqual([
      'receiver: G1 holds X1 (16 bytes) from user mode: false',
      'receiver reads prefetch',
      'round 0: opened, acknowledged true, list holds X1',
      'receiver: G1 holds X1 (16 bytes) from user mode: false',
      'receiver reads prefetch',
      'round 1: opened, acknowledged true, list holds X1',
      'cleanup X1',
    ]);
    // Only the application's create reached `above` and `origin`, and it carried no list.
    expect(seen.filter((l) => l.startsWith('above') || l.startsWith('origin'))).toEqual(['above: no ECP list', 'origin: no ECP list']);
    expect(compactTrace(sim.log, { objects: ['X1'] })).toEqual([
      'X1 FltAllocateExtraCreateParameter filter=F2:origin {2e7f3c2a-5a1f-4c8e-9d7b-0c1e2f3a4b5c} size=16',
      'X1 FltInsertExtraCreateParameter list=G1',
      'X1 FltAcknowledgeEcp by=F3:receiver',
      'X1 FltPrepareToReuseEcp',
      'X1 FltAcknowledgeEcp by=F3:receiver',
      'X1 FltPrepareToReuseEcp',
      'X1 FltFreeExtraCreateParameter with its list',
    ]);
    expect(sim.state().ecps).toEqual({});
    expect(sim.state().ecpLists).toEqual({});
    expect(foldLog(sim.log)).toEqual(sim.state());
    void list;
  });

  it('FltSetEcpListIntoCallbackData: a filter attaches a list to an application create; lower filters find it; a second list is refused', () => {
    const { sim, seen, objects } = system();
    const o = objects.get('origin')!;
    const list = FltAllocateExtraCreateParameterList(o.Filter).EcpList;
    FltInsertExtraCreateParameter(o.Filter, list, FltAllocateExtraCreateParameter(o.Filter, GUID_ECP_EXAMPLE, 8).EcpContext!);
    const statuses: number[] = [];
    installFilter(sim, {
      name: 'attacher',
      altitude: '420000',
      registration: {
        OperationRegistration: [
          {
            MajorFunction: IRP_MJ_CREATE,
            PreOperation: (Data, fo) => {
              statuses.push(FltSetEcpListIntoCallbackData(fo.Filter, Data, list));
              statuses.push(FltSetEcpListIntoCallbackData(fo.Filter, Data, list));
              return FLT_PREOP_SUCCESS_NO_CALLBACK;
            },
          },
        ],
      },
    });
    sim.run();
    sim.spawn('app', function* () {
      const open = yield* sim.io.NtCreateFile('C:\\f.txt', { DesiredAccess: FILE_GENERIC_READ, ShareAccess: FILE_SHARE_READ, CreateDisposition: FILE_OPEN });
      yield* sim.io.NtClose(open.handle!);
    });
    expect(sim.run().reason).toBe('idle');
    expect(statuses).toEqual([STATUS_SUCCESS, STATUS_INVALID_PARAMETER]);
    expect(seen).toEqual(['above: no ECP list', 'origin: G1 holds X1 (8 bytes) from user mode: false', 'receiver: G1 holds X1 (8 bytes) from user mode: false', 'receiver reads undefined']);
    expect(sim.state().ecps['X1']).toEqual({ filter: 'F2', guid: GUID_ECP_EXAMPLE, size: 8, state: 'Acknowledged', list: 'G1' });
  });
});
