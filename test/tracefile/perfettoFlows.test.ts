// Issue 5: the Perfetto export draws a flow arrow from an operation to the I/O generated inside a
// callback of it (here a scanner reading each opened file in its post-create).
import { describe, expect, it } from 'vitest';
import {
  createSimulation,
  FILE_GENERIC_READ,
  FILE_OPEN,
  FILE_SHARE_READ,
  FLT_POSTOP_FINISHED_PROCESSING,
  FLT_PREOP_SUCCESS_WITH_CALLBACK,
  FltClose,
  FltCreateFileEx,
  FltReadFile,
  IO_IGNORE_SHARE_ACCESS_CHECK,
  IRP_MJ_CREATE,
  NT_SUCCESS,
  ObDereferenceObject,
  toChromeTrace,
} from '../../src/index.js';
import { installFilter } from '../../src/testing/index.js';

describe('Perfetto export of generated I/O', () => {
  it('a flow arrow runs from the application\'s create to each operation the scanner generated in its post-create', () => {
    const sim = createSimulation();
    sim.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:' });
    sim.fileSystem('C:').writeFile('\\doc.txt', 'content');
    installFilter(sim, {
      name: 'scanner',
      altitude: '328000',
      registration: {
        OperationRegistration: [
          {
            MajorFunction: IRP_MJ_CREATE,
            PreOperation: () => FLT_PREOP_SUCCESS_WITH_CALLBACK,
            PostOperation: function* (data, objects) {
              if (!NT_SUCCESS(data.IoStatus.Status)) return FLT_POSTOP_FINISHED_PROCESSING;
              const open = yield* FltCreateFileEx(objects.Filter, objects.Instance, FILE_GENERIC_READ, { ObjectName: 'C:\\doc.txt' }, 0, 0, FILE_SHARE_READ, FILE_OPEN, 0, null, 0, IO_IGNORE_SHARE_ACCESS_CHECK);
              yield* FltReadFile(objects.Instance, open.FileObject!, 0, 4, new Uint8Array(4));
              yield* FltClose(open.FileHandle!);
              yield* ObDereferenceObject(open.FileObject!);
              return FLT_POSTOP_FINISHED_PROCESSING;
            },
          },
        ],
      },
    });
    sim.run();
    sim.spawn('app', () => sim.io.NtCreateFile('C:\\doc.txt', { DesiredAccess: FILE_GENERIC_READ, CreateDisposition: FILE_OPEN }));
    sim.run();
    const events = toChromeTrace(sim.log).traceEvents;
    const trackOf = (tid: number) => String(events.find((e) => e.ph === 'M' && e.name === 'thread_name' && e.tid === tid)?.args?.['name'] ?? '?');
    const starts = events.filter((e) => e.ph === 's');
    const ends = events.filter((e) => e.ph === 'f');
    expect(starts.length).toBeGreaterThan(0);
    // Each arrow starts on the application's create and ends on one generated operation; the read is among them.
    expect(new Set(starts.map((e) => trackOf(e.tid)))).toEqual(new Set(['D1(CREATE \\doc.txt)']));
    expect(ends.map((e) => trackOf(e.tid))).toContain('D3(READ \\doc.txt)');
    expect(ends.map((e) => e.id).sort()).toEqual(starts.map((e) => e.id).sort());
  });
});
