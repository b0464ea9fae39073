// Issue 10 item 6: each level sees its own view of the parameters (§7), and the filter that allocated
// the callback data reads its own values again after FltPerformSynchronousIo (§11.9), in its
// asynchronous callback (§11.10), and after FltReuseCallbackData, which keeps TargetInstance and
// TargetFileObject (§11.11).
import { describe, expect, it } from 'vitest';
import {
  createSimulation,
  FILE_GENERIC_READ,
  FILE_OPEN,
  FILE_SHARE_READ,
  FLT_POSTOP_FINISHED_PROCESSING,
  FLT_PREOP_SUCCESS_WITH_CALLBACK,
  FltAllocateCallbackData,
  FltClose,
  FltCreateFileEx,
  FltFreeCallbackData,
  FltPerformAsynchronousIo,
  FltPerformSynchronousIo,
  FltReuseCallbackData,
  FltSetCallbackDataDirty,
  IRP_MJ_READ,
  ObDereferenceObject,
  STATUS_SUCCESS,
  type FLT_CALLBACK_DATA,
  type FLT_RELATED_OBJECTS,
} from '../../src/index.js';
import { installFilter, operations } from '../../src/testing/index.js';

type Read = { Read: { Length: number; Key: number; ByteOffset: number } };
const view = (d: FLT_CALLBACK_DATA) => `${d.Iopb.TargetInstance?.id ?? '-'} offset=${(d.Iopb.Parameters as Read).Read.ByteOffset}`;

/** scanner@300000 issues reads on its own data; middle@200000 moves the offset (dirty); bottom@100000 watches. */
function system() {
  const sim = createSimulation({ onViolation: 'record' });
  sim.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:' });
  sim.fileSystem('C:').writeFile('\\f.bin', 'ABCDEFGHIJKLMNOP');
  const seen: string[] = [];
  let scanner: FLT_RELATED_OBJECTS | null = null;
  installFilter(sim, { name: 'scanner', altitude: '300000', registration: { InstanceSetupCallback: (o) => ((scanner = o), STATUS_SUCCESS) } });
  installFilter(sim, {
    name: 'middle',
    altitude: '200000',
    registration: {
      OperationRegistration: operations([IRP_MJ_READ], {
        PreOperation: (d) => {
          seen.push(`middle pre: ${view(d)}`);
          d.Iopb.Parameters = { Read: { ...(d.Iopb.Parameters as Read).Read, ByteOffset: 8 } };
          FltSetCallbackDataDirty(d);
          return FLT_PREOP_SUCCESS_WITH_CALLBACK;
        },
        PostOperation: (d) => (seen.push(`middle post: ${view(d)}`), FLT_POSTOP_FINISHED_PROCESSING),
      }),
    },
  });
  installFilter(sim, {
    name: 'bottom',
    altitude: '100000',
    registration: {
      OperationRegistration: operations([IRP_MJ_READ], {
        PreOperation: (d) => (seen.push(`bottom pre: ${view(d)}`), FLT_PREOP_SUCCESS_WITH_CALLBACK),
        PostOperation: (d) => (seen.push(`bottom post: ${view(d)}`), FLT_POSTOP_FINISHED_PROCESSING),
      }),
    },
  });
  sim.run();
  return { sim, seen, scanner: () => scanner! };
}

describe('the initiator\'s view of its own callback data (§7, §11.9–11.11)', () => {
  it('after FltPerformSynchronousIo the scanner reads its own TargetInstance and parameters; each lower level saw its own; reuse keeps the targets', () => {
    const { sim, seen, scanner } = system();
    sim.spawn('scan', function* () {
      const o = scanner();
      const r = yield* FltCreateFileEx(o.Filter, o.Instance, FILE_GENERIC_READ, { ObjectName: 'C:\\f.bin' }, 0, 0, FILE_SHARE_READ, FILE_OPEN);
      const data = FltAllocateCallbackData(o.Instance, r.FileObject).data!;
      data.Iopb.MajorFunction = IRP_MJ_READ;
      data.Iopb.Parameters = { Read: { Length: 4, Key: 0, ByteOffset: 0 } };
      yield* FltPerformSynchronousIo(data);
      seen.push(`scanner after perform: ${view(data)} file=${data.Iopb.TargetFileObject!.id} read=${data.IoStatus.Information}`);
      FltReuseCallbackData(data);
      seen.push(`scanner after reuse: ${data.Iopb.TargetInstance?.id} file=${data.Iopb.TargetFileObject!.id}`);
      data.Iopb.Parameters = { Read: { Length: 4, Key: 0, ByteOffset: 4 } };
      yield* FltPerformAsynchronousIo(data, (d) => void seen.push(`scanner callback: ${view(d)}`), null);
      FltFreeCallbackData(data);
      yield* FltClose(r.FileHandle!);
      yield* ObDereferenceObject(r.FileObject!);
    });
    expect(sim.run().reason).toBe('idle');
    expect(seen).toEqual([
      'middle pre: I2 offset=0',
      'bottom pre: I3 offset=8',
      'bottom post: I3 offset=8',
      'middle post: I2 offset=0',
      'scanner after perform: I1 offset=0 file=O1 read=4',
      'scanner after reuse: I1 file=O1',
      'middle pre: I2 offset=4',
      'bottom pre: I3 offset=8',
      'bottom post: I3 offset=8',
      'middle post: I2 offset=4',
      'scanner callback: I1 offset=4',
    ]);
    expect(sim.state().violations).toEqual([]);
  });
});
