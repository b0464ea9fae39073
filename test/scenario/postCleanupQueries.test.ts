// Issue 10 items 2 and 3: what a filter gets when it asks about a file object in post-cleanup —
// the delete sample's DfPostCleanupCallback (§21.1, §21.2, §21.3). NTFS serves queries and FSCTLs on
// a cleaned-up file object while the file exists, and answers STATUS_FILE_DELETED once that cleanup
// removed it; I/O through the handle is STATUS_FILE_CLOSED.
import { describe, expect, it } from 'vitest';
import {
  createSimulation,
  DELETE,
  FILE_GENERIC_READ,
  FILE_INFORMATION_CLASS,
  FILE_OPEN,
  FILE_SHARE_DELETE,
  FILE_SHARE_READ,
  FLT_POSTOP_FINISHED_PROCESSING,
  FLT_PREOP_SYNCHRONIZE,
  FltFsControlFile,
  FltQueryInformationFile,
  FltReadFile,
  FSCTL_GET_OBJECT_ID,
  IRP_MJ_CLEANUP,
  ntStatusName,
  STATUS_SUCCESS,
  type Blocking,
  type Simulation,
} from '../../src/index.js';
import { installFilter, operations } from '../../src/testing/index.js';

/** DfPostCleanupCallback, shortened: is the stream still there, delete-pending, or gone? */
function deleteSampleSystem() {
  const sim = createSimulation({ onViolation: 'record' });
  sim.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:' });
  sim.fileSystem('C:').writeFile('\\doomed.txt', 'bye');
  const seen: string[] = [];
  installFilter(sim, {
    name: 'delete',
    altitude: '385100',
    registration: {
      OperationRegistration: operations([IRP_MJ_CLEANUP], {
        // The sample synchronizes cleanup so its post-cleanup may call blocking routines.
        PreOperation: () => FLT_PREOP_SYNCHRONIZE,
        PostOperation: function* (_data, objects) {
          const fo = objects.FileObject!;
          const standard = yield* FltQueryInformationFile(objects.Instance, fo, 24, FILE_INFORMATION_CLASS.FileStandardInformation);
          const info = standard.output?.kind === 'fileInformation' ? (standard.output.info as { DeletePending: boolean }) : null;
          const objectId = yield* FltFsControlFile(objects.Instance, fo, FSCTL_GET_OBJECT_ID, null, 0, 64);
          const read = yield* FltReadFile(objects.Instance, fo, 0, 512, new Uint8Array(512));
          seen.push(
            `${fo.id}: FileStandardInformation ${ntStatusName(standard.status)}${info === null ? '' : ` DeletePending=${info.DeletePending}`}, ` +
              `FSCTL_GET_OBJECT_ID ${ntStatusName(objectId.status)}, read ${ntStatusName(read.status)}`,
          );
          return FLT_POSTOP_FINISHED_PROCESSING;
        },
      }),
    },
  });
  sim.run();
  return { sim, seen };
}

function* openForDelete(sim: Simulation): Blocking<string> {
  const r = yield* sim.io.NtCreateFile('C:\\doomed.txt', { DesiredAccess: FILE_GENERIC_READ | DELETE, ShareAccess: FILE_SHARE_READ | FILE_SHARE_DELETE, CreateDisposition: FILE_OPEN });
  expect(r.status).toBe(STATUS_SUCCESS);
  return r.handle!;
}

describe('the delete sample in post-cleanup (§21.2, §21.3)', () => {
  it('a plain close: the file is still there, it has no object id, reads through the cleaned-up file object are refused', () => {
    const { sim, seen } = deleteSampleSystem();
    sim.spawn('app', function* () {
      yield* sim.io.NtClose(yield* openForDelete(sim));
    });
    expect(sim.run().reason).toBe('idle');
    expect(seen).toEqual(['O1: FileStandardInformation STATUS_SUCCESS DeletePending=false, FSCTL_GET_OBJECT_ID STATUS_OBJECTID_NOT_FOUND, read STATUS_FILE_CLOSED']);
    expect(sim.state().violations).toEqual([]);
  });

  it('delete disposition with a second handle open: delete pending at the first cleanup, STATUS_FILE_DELETED at the last', () => {
    const { sim, seen } = deleteSampleSystem();
    sim.spawn('app', function* () {
      const deleter = yield* openForDelete(sim);
      const keeper = yield* openForDelete(sim);
      const set = yield* sim.io.NtSetInformationFile(deleter, FILE_INFORMATION_CLASS.FileDispositionInformation, { DeleteFile: true }, 1);
      expect(set.status).toBe(STATUS_SUCCESS);
      yield* sim.io.NtClose(deleter);
      expect(sim.fileSystem('C:').exists('\\doomed.txt')).toBe(true);
      yield* sim.io.NtClose(keeper);
      expect(sim.fileSystem('C:').exists('\\doomed.txt')).toBe(false);
    });
    expect(sim.run().reason).toBe('idle');
    expect(seen).toEqual([
      'O1: FileStandardInformation STATUS_SUCCESS DeletePending=true, FSCTL_GET_OBJECT_ID STATUS_OBJECTID_NOT_FOUND, read STATUS_FILE_CLOSED',
      'O2: FileStandardInformation STATUS_FILE_DELETED, FSCTL_GET_OBJECT_ID STATUS_FILE_DELETED, read STATUS_FILE_CLOSED',
    ]);
    expect(sim.state().violations).toEqual([]);
    expect(sim.state().fileObjects).toEqual({});
  });
});
