// §22.3 FLT_CREATEFILE_TARGET_ECP_CONTEXT: a targeted FltCreateFileEx2 that a mount point sends to
// another volume. Without the ECP it ends with STATUS_MOUNT_POINT_NOT_RESOLVED (§21.11); with it,
// FltMgr continues below the caller's instance there (FLTTCFL_AUTO_REPARSE) or writes the target
// into the acknowledged ECP, whose instance, volume and name the caller releases.
// `crossVolumeCreate` follows the WDK documentation's CrossVolumeCreate example step by step.
import { describe, expect, it } from 'vitest';
import {
  createSimulation,
  FILE_NON_DIRECTORY_FILE,
  FILE_OPEN_IF,
  FILE_READ_DATA,
  FILE_SHARE_DELETE,
  FILE_SHARE_READ,
  FILE_SHARE_WRITE,
  FILE_SYNCHRONOUS_IO_NONALERT,
  FILE_WRITE_DATA,
  FLT_CREATEFILE_TARGET_ECP_CONTEXT_SIZE,
  FLT_PREOP_SUCCESS_NO_CALLBACK,
  FLTTCFL_AUTO_REPARSE,
  FltAllocateExtraCreateParameter,
  FltAllocateExtraCreateParameterList,
  FltClose,
  FltCreateFileEx2,
  FltFreeExtraCreateParameter,
  FltFreeExtraCreateParameterList,
  FltInsertExtraCreateParameter,
  FltIsEcpAcknowledged,
  FltObjectDereference,
  FltPrepareToReuseEcp,
  FltReleaseFileNameInformation,
  FltRemoveExtraCreateParameter,
  foldLog,
  GUID_ECP_FLT_CREATEFILE_TARGET,
  IO_IGNORE_SHARE_ACCESS_CHECK,
  IO_REPARSE_TAG_MOUNT_POINT,
  IRP_MJ_CREATE,
  mountPointReparseData,
  NT_SUCCESS,
  ntStatusName,
  ObDereferenceObject,
  STATUS_FLT_DO_NOT_ATTACH,
  STATUS_INVALID_DEVICE_OBJECT_PARAMETER,
  STATUS_MOUNT_POINT_NOT_RESOLVED,
  STATUS_SUCCESS,
  UsageError,
  type FLT_CREATEFILE_TARGET_ECP_CONTEXT,
  type FltCreateFileExResult,
  type FLT_RELATED_OBJECTS,
  type PECP_CONTEXT,
  type PECP_LIST,
  type PFLT_FILTER,
  type PFLT_INSTANCE,
  type Simulation,
} from '../../src/index.js';
import { compactTrace, installFilter, operations } from '../../src/testing/index.js';

const ACCESS = FILE_READ_DATA | FILE_WRITE_DATA;
const SHARE = FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE;
const OPTIONS = FILE_NON_DIRECTORY_FILE | FILE_SYNCHRONOUS_IO_NONALERT;

/**
 * C: with a junction \mnt to D:\, and three filters: `above` (450000) on both volumes, `xvol`
 * (370000) that issues the creates — on C: only, or on both — and `below` (300000) on both. The
 * watchers log every create they see, with its volume.
 */
function system(xvolOnD: boolean) {
  const sim = createSimulation({ onViolation: 'record' });
  sim.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:' });
  sim.mountVolume({ name: '\\Device\\HarddiskVolume2', dosName: 'D:' });
  const c = sim.fileSystem('C:');
  c.mkdir('\\mnt');
  c.setReparsePoint('\\mnt', IO_REPARSE_TAG_MOUNT_POINT, null, mountPointReparseData('\\??\\D:\\', 'D:\\'));
  sim.fileSystem('D:').writeFile('\\f.txt', 'on D');
  const seen: string[] = [];
  const watcher = (name: string) => ({
    OperationRegistration: operations([IRP_MJ_CREATE], {
      PreOperation: (data, o) => (seen.push(`${name} ${o.Volume.dosName}${data.Iopb.TargetFileObject!.FileName}`), FLT_PREOP_SUCCESS_NO_CALLBACK),
    }),
  });
  installFilter(sim, { name: 'above', altitude: '450000', registration: watcher('above') });
  installFilter(sim, { name: 'below', altitude: '300000', registration: watcher('below') });
  const instances = new Map<string, PFLT_INSTANCE>();
  const xvol = installFilter(sim, {
    name: 'xvol',
    altitude: '370000',
    registration: {
      InstanceSetupCallback: (o: FLT_RELATED_OBJECTS) => {
        if (o.Volume.dosName === 'D:' && !xvolOnD) return STATUS_FLT_DO_NOT_ATTACH;
        instances.set(o.Volume.dosName!, o.Instance);
        return STATUS_SUCCESS;
      },
    },
  });
  sim.run();
  return { sim, seen, filter: xvol.filter(), instances };
}

type Opened = FltCreateFileExResult;

/** CrossVolumeCreate of the FLT_CREATEFILE_TARGET_ECP_CONTEXT page: a targeted create that handles a cross-volume reparse. */
function* crossVolumeCreate(FileName: string, Filter: PFLT_FILTER, Instance: PFLT_INSTANCE, Flags: number, log: string[], release = true) {
  let ecpContext: PECP_CONTEXT<FLT_CREATEFILE_TARGET_ECP_CONTEXT> | null = null;
  let ecpList: PECP_LIST | null = null;
  let fileNameInformation = null;
  const open = (instance: PFLT_INSTANCE | null, name: string, list: PECP_LIST | null) =>
    FltCreateFileEx2(Filter, instance, ACCESS, { ObjectName: name }, 0, 0, SHARE, FILE_OPEN_IF, OPTIONS, null, 0, IO_IGNORE_SHARE_ACCESS_CHECK, list === null ? null : { ExtraCreateParameter: list });
  const crossed = (status: number) => status === STATUS_INVALID_DEVICE_OBJECT_PARAMETER || status === STATUS_MOUNT_POINT_NOT_RESOLVED;
  let result: Opened;
  exit: {
    // First, optimistically, a targeted create not set up for a cross-volume reparse.
    result = yield* open(Instance, FileName, null);
    log.push(`targeted create: ${ntStatusName(result.status)}`);
    if (NT_SUCCESS(result.status) || !crossed(result.status)) break exit;
    // It failed crossing to another volume: again, with a targeting ECP.
    const allocated = FltAllocateExtraCreateParameterList(Filter, 0);
    if (!NT_SUCCESS(allocated.status)) break exit;
    ecpList = allocated.EcpList;
    const ecp = FltAllocateExtraCreateParameter<FLT_CREATEFILE_TARGET_ECP_CONTEXT>(Filter, GUID_ECP_FLT_CREATEFILE_TARGET, FLT_CREATEFILE_TARGET_ECP_CONTEXT_SIZE, 0, null, 0);
    if (!NT_SUCCESS(ecp.status)) break exit;
    ecpContext = ecp.EcpContext!;
    ecpContext.Data.Flags = Flags;
    ecpContext.Data.Instance = null;
    ecpContext.Data.Volume = null;
    ecpContext.Data.FileNameInformation = null;
    if (!NT_SUCCESS(FltInsertExtraCreateParameter(Filter, ecpList, ecpContext))) break exit;
    result = yield* open(Instance, FileName, ecpList);
    log.push(`with the target ECP: ${ntStatusName(result.status)}${describeEcp(Filter, ecpContext)}`);
    if (NT_SUCCESS(result.status) || !crossed(result.status)) break exit;
    // FltMgr acknowledged the ECP if it holds a target; else there is nothing to go on.
    if (!FltIsEcpAcknowledged(Filter, ecpContext)) break exit;
    // Drop the references the ECP holds before reusing it; keep the name to open.
    const retarget = ecpContext.Data.Instance;
    if (ecpContext.Data.Volume !== null) {
      FltObjectDereference(ecpContext.Data.Volume);
      ecpContext.Data.Volume = null;
    }
    fileNameInformation = ecpContext.Data.FileNameInformation;
    ecpContext.Data.FileNameInformation = null;
    ecpContext.Data.Flags = 0;
    FltPrepareToReuseEcp(Filter, ecpContext);
    // The documentation's example sends it to the top of the other volume; a caller whose instance
    // the ECP named (flag clear) targets that instance.
    result = yield* open(retarget, fileNameInformation!.Name, ecpList);
    if (retarget !== null) {
      FltObjectDereference(retarget);
      ecpContext.Data.Instance = null;
    }
    log.push(`${retarget === null ? 'from the top of' : 'targeted at the instance on'} ${fileNameInformation!.Name}: ${ntStatusName(result.status)}`);
  }
  // CrossVolumeCreateExit
  if (release && ecpContext !== null && FltIsEcpAcknowledged(Filter, ecpContext)) {
    FltRemoveExtraCreateParameter(Filter, ecpList!, GUID_ECP_FLT_CREATEFILE_TARGET);
    if (ecpContext.Data.Instance !== null) FltObjectDereference(ecpContext.Data.Instance);
    if (ecpContext.Data.Volume !== null) FltObjectDereference(ecpContext.Data.Volume);
    if (ecpContext.Data.FileNameInformation !== null) FltReleaseFileNameInformation(ecpContext.Data.FileNameInformation);
    FltFreeExtraCreateParameter(Filter, ecpContext);
  }
  if (ecpList !== null) FltFreeExtraCreateParameterList(Filter, ecpList);
  if (release && fileNameInformation !== null) FltReleaseFileNameInformation(fileNameInformation);
  return result;
}

function describeEcp(Filter: PFLT_FILTER, ecp: PECP_CONTEXT<FLT_CREATEFILE_TARGET_ECP_CONTEXT>): string {
  if (!FltIsEcpAcknowledged(Filter, ecp)) return ', ECP not acknowledged';
  const { Instance, Volume, FileNameInformation } = ecp.Data;
  return `, ECP acknowledged: Instance ${Instance?.id ?? 'NULL'}, Volume ${Volume?.dosName ?? 'NULL'}, Name ${FileNameInformation?.Name ?? 'NULL'}`;
}

/** Run crossVolumeCreate on a worker, read the file, close it, unload xvol; the log lines and what the watchers saw. */
function run(sim: Simulation, filter: PFLT_FILTER, instance: PFLT_INSTANCE, flags: number, seen: string[], release = true) {
  const log: string[] = [];
  const from = sim.log.length;
  sim.spawn('worker', function* () {
    seen.length = 0;
    const r = yield* crossVolumeCreate('C:\\mnt\\f.txt', filter, instance, flags, log, release);
    log.push(...seen.map((s) => `  seen: ${s}`));
    if (r.FileObject !== null) log.push(`opened ${r.FileObject.volume.dosName}${r.FileObject.FileName}`);
    if (r.FileHandle !== null) yield* FltClose(r.FileHandle);
    if (r.FileObject !== null) yield* ObDereferenceObject(r.FileObject);
    return 0;
  });
  const result = sim.run();
  return { log, from, reason: result.reason };
}

describe('FLT_CREATEFILE_TARGET_ECP_CONTEXT (§22.3): a targeted create across a mount point', () => {
  it('FLTTCFL_AUTO_REPARSE with an instance on the other volume: FltMgr sends the create on below it and fills the acknowledged ECP', () => {
    const { sim, seen, filter, instances } = system(true);
    const { log, from, reason } = run(sim, filter, instances.get('C:')!, FLTTCFL_AUTO_REPARSE, seen);
    expect(reason).toBe('idle');
    const onD = instances.get('D:')!.id;
    expect(log).toEqual([
      'targeted create: STATUS_MOUNT_POINT_NOT_RESOLVED',
      `with the target ECP: STATUS_SUCCESS, ECP acknowledged: Instance ${onD}, Volume D:, Name \\Device\\HarddiskVolume2\\f.txt`,
      // Only `below` saw them: both creates start below xvol's instances (C:'s, then D:'s).
      '  seen: below C:\\mnt\\f.txt',
      '  seen: below C:\\mnt\\f.txt',
      '  seen: below D:\\f.txt',
      'opened D:\\f.txt',
    ]);
    expect(compactTrace(sim.log, { from, types: ['EcpTargetAdjusted', 'FileObjectCreate', 'FltObjectReference', 'FltObjectDereference', 'FileNameInformationCreate', 'FltReleaseFileNameInformation'] })).toMatchInlineSnapshot(`
      [
        "O1(\\mnt\\f.txt) FileObjectCreate volume=V1:C: name=\\mnt\\f.txt below=I5:xvol@370000 on C:",
        "O2(\\mnt\\f.txt) FileObjectCreate volume=V1:C: name=\\mnt\\f.txt below=I5:xvol@370000 on C:",
        "I6(xvol@370000 on D:) FltObjectReference count=1",
        "V2(D:) FltObjectReference count=1",
        "N1(\\Device\\HarddiskVolume2\\f.txt) FileNameInformationCreate OPENED name=\\Device\\HarddiskVolume2\\f.txt file=O2:\\mnt\\f.txt filter=F3:xvol",
        "X1 EcpTargetAdjusted instance=I6:xvol@370000 on D: volume=V2:D: name=N1 retried there",
        "O3(\\f.txt) FileObjectCreate volume=V2:D: name=\\f.txt below=I6:xvol@370000 on D:",
        "I6(xvol@370000 on D:) FltObjectDereference count=0",
        "V2(D:) FltObjectDereference count=0",
        "N1(\\Device\\HarddiskVolume2\\f.txt) FltReleaseFileNameInformation filter=F3:xvol count=0",
      ]
    `);
    // Every reference the ECP held was released: the unload goes through.
    sim.spawn('fltmc unload xvol', () => sim.FilterUnload('xvol'));
    expect(sim.run().reason).toBe('idle');
    expect(sim.state().filters[filter.id]?.state ?? 'gone').not.toBe('Registered');
    expect(sim.state().violations).toEqual([]);
    expect(foldLog(sim.log)).toEqual(sim.state());
  });

  it('FLTTCFL_AUTO_REPARSE, no instance of the caller there: STATUS_MOUNT_POINT_NOT_RESOLVED, the ECP names the volume and the name; the example then opens from the top of D:', () => {
    const { sim, seen, filter, instances } = system(false);
    const { log, reason } = run(sim, filter, instances.get('C:')!, FLTTCFL_AUTO_REPARSE, seen);
    expect(reason).toBe('idle');
    expect(log).toEqual([
      'targeted create: STATUS_MOUNT_POINT_NOT_RESOLVED',
      'with the target ECP: STATUS_MOUNT_POINT_NOT_RESOLVED, ECP acknowledged: Instance NULL, Volume D:, Name \\Device\\HarddiskVolume2\\f.txt',
      'from the top of \\Device\\HarddiskVolume2\\f.txt: STATUS_SUCCESS',
      '  seen: below C:\\mnt\\f.txt',
      '  seen: below C:\\mnt\\f.txt',
      // From the top: `above` sees it too.
      '  seen: above D:\\f.txt',
      '  seen: below D:\\f.txt',
      'opened D:\\f.txt',
    ]);
    sim.spawn('fltmc unload xvol', () => sim.FilterUnload('xvol'));
    expect(sim.run().reason).toBe('idle');
    expect(sim.state().violations).toEqual([]);
    expect(foldLog(sim.log)).toEqual(sim.state());
  });

  it('flag clear (the caller handles the reparse): the create ends at once with the caller\'s instance there in the ECP; targeting it opens the file', () => {
    const { sim, seen, filter, instances } = system(true);
    const { log, reason } = run(sim, filter, instances.get('C:')!, 0, seen);
    expect(reason).toBe('idle');
    const onD = instances.get('D:')!.id;
    expect(log.slice(0, 3)).toEqual([
      'targeted create: STATUS_MOUNT_POINT_NOT_RESOLVED',
      `with the target ECP: STATUS_MOUNT_POINT_NOT_RESOLVED, ECP acknowledged: Instance ${onD}, Volume D:, Name \\Device\\HarddiskVolume2\\f.txt`,
      'targeted at the instance on \\Device\\HarddiskVolume2\\f.txt: STATUS_SUCCESS',
    ]);
    expect(log.at(-1)).toBe('opened D:\\f.txt');
    sim.spawn('fltmc unload xvol', () => sim.FilterUnload('xvol'));
    expect(sim.run().reason).toBe('idle');
    expect(sim.state().violations).toEqual([]);
  });

  it('a caller that never releases what the acknowledged ECP holds leaks them: the unload waits on the instance reference, the name is reported', () => {
    const { sim, seen, filter, instances } = system(true);
    run(sim, filter, instances.get('C:')!, FLTTCFL_AUTO_REPARSE, seen, false);
    sim.spawn('fltmc unload xvol', () => sim.FilterUnload('xvol'));
    const end = sim.run();
    expect(end.reason).toBe('deadlock');
    // What the unload waits on names the instance reference the ECP handed out.
    const waits = end.reason === 'deadlock' ? end.blocked.map((b) => `${b.name}: ${b.reason} ${(b.heldBy ?? []).join(', ')}`) : [];
    expect(waits).toHaveLength(1);
    expect(waits[0]).toMatch(new RegExp(`^fltmc unload xvol: unload gate of ${filter.id} reference on ${instances.get('D:')!.id} taken by T\\d+ \\(worker\\) at #\\d+$`));
  });

  it('Flags that are not a ULONG are a typed error naming the ECP', () => {
    const { sim, filter, instances } = system(true);
    let error: unknown = null;
    sim.spawn('worker', function* () {
      const { EcpList } = FltAllocateExtraCreateParameterList(filter, 0);
      const { EcpContext } = FltAllocateExtraCreateParameter<FLT_CREATEFILE_TARGET_ECP_CONTEXT>(filter, GUID_ECP_FLT_CREATEFILE_TARGET, FLT_CREATEFILE_TARGET_ECP_CONTEXT_SIZE);
      (EcpContext!.Data as { Flags: unknown }).Flags = 'auto';
      FltInsertExtraCreateParameter(filter, EcpList, EcpContext!);
      try {
        yield* FltCreateFileEx2(filter, instances.get('C:')!, ACCESS, { ObjectName: 'C:\\mnt\\f.txt' }, 0, 0, SHARE, FILE_OPEN_IF, OPTIONS, null, 0, 0, { ExtraCreateParameter: EcpList });
      } catch (e) {
        error = e;
      }
      FltFreeExtraCreateParameterList(filter, EcpList);
      return 0;
    });
    expect(sim.run().reason).toBe('idle');
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toMatch(/FltCreateFileEx2: .*X\d+.*Flags is auto, not 0 or FLTTCFL_AUTO_REPARSE/);
  });
});
