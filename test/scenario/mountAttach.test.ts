// §3, §13 A7: automatic attachment to a newly mounted volume happens before the first operation
// delivered to it (default), or at mount with `instanceSetupOnMount: 'mount'`.
import { describe, expect, it } from 'vitest';
import { createSimulation, foldLog, FILE_GENERIC_READ, FILE_OPEN, FLT_POSTOP_FINISHED_PROCESSING, FLT_PREOP_SUCCESS_WITH_CALLBACK, IRP_MJ_CREATE, STATUS_SUCCESS } from '../../src/index.js';
import { compactTrace, installFilter, operations } from '../../src/testing/index.js';

function filterThenMount(mode?: 'mount') {
  const sim = createSimulation(mode === undefined ? {} : { instanceSetupOnMount: mode });
  const setupThreads: (string | null)[] = [];
  installFilter(sim, {
    name: 'mon',
    altitude: '385100',
    registration: { InstanceSetupCallback: () => (setupThreads.push(sim.currentThread()), STATUS_SUCCESS), OperationRegistration: operations([IRP_MJ_CREATE], { PreOperation: () => FLT_PREOP_SUCCESS_WITH_CALLBACK, PostOperation: () => FLT_POSTOP_FINISHED_PROCESSING }) },
  });
  sim.run();
  sim.mountVolume({ name: '\\Device\\HarddiskVolume9', dosName: 'Z:' });
  sim.fileSystem('Z:').writeFile('\\f', 'x');
  return { sim, setupThreads };
}

describe('attaching to a newly mounted volume (§13 A7)', () => {
  it('by default nothing attaches at mount; the first operation runs InstanceSetup (AUTOMATIC | NEWLY_MOUNTED_VOLUME) on its own thread first, then reaches the new instance', () => {
    const { sim, setupThreads } = filterThenMount();
    sim.run();
    expect(compactTrace(sim.log, { types: ['InstanceSetup'] })).toEqual([]);
    sim.spawn('app', () => sim.io.NtCreateFile('Z:\\f', { DesiredAccess: FILE_GENERIC_READ, CreateDisposition: FILE_OPEN }));
    sim.run();
    expect(compactTrace(sim.log, { types: ['InstanceSetup', 'InstanceSetupReturned', 'IoStart', 'PreOperation'] }).map((l) => l.replace(/ params=\S+/, ''))).toEqual([
      'I1(mon@385100 on Z:) InstanceSetup filter=F1:mon volume=V1:Z: name="mon Instance" altitude=385100 frame=0 flags=AUTOMATIC_ATTACHMENT|NEWLY_MOUNTED_VOLUME',
      'I1(mon@385100 on Z:) InstanceSetupReturned status=STATUS_SUCCESS',
      'D1(CREATE \\f) IoStart IRP_MJ_CREATE file=O1:\\f flags=IRP_OPERATION UserMode {Desired Access: Generic Read, Disposition: Open, Options: n/a, Attributes: n/a, ShareMode: None}',
      'D1(CREATE \\f) PreOperation instance=I1:mon@385100 on Z:',
    ]);
    const app = sim.log.find((f) => f.type === 'ThreadCreate' && f.name === 'app')!.object;
    expect(setupThreads).toEqual([app]);
  });

  it('with instanceSetupOnMount: \'mount\' the volume is offered on a mount thread right away', () => {
    const { sim } = filterThenMount('mount');
    sim.run();
    expect(compactTrace(sim.log, { types: ['ThreadCreate', 'InstanceSetup'] })).toEqual([
      'T1(DriverEntry(mon)) ThreadCreate name="DriverEntry(mon)"',
      'T2(mount Z:) ThreadCreate name="mount Z:"',
      'I1(mon@385100 on Z:) InstanceSetup filter=F1:mon volume=V1:Z: name="mon Instance" altitude=385100 frame=0 flags=AUTOMATIC_ATTACHMENT|NEWLY_MOUNTED_VOLUME',
    ]);
  });

  it('the first operation is a fact of the volume, logged before the offer it starts, and its machine state (Mounted.FirstOperationSeen) is in sim.state() and the fold', () => {
    const { sim } = filterThenMount();
    sim.run();
    expect(sim.state().volumes['V1']).toMatchObject({ state: 'Mounted' });
    expect(sim.state().volumes['V1']!.firstOperationSeen).toBeUndefined();
    for (let i = 0; i < 2; i++) sim.spawn(`app${i}`, () => sim.io.NtCreateFile('Z:\\f', { DesiredAccess: FILE_GENERIC_READ, CreateDisposition: FILE_OPEN }));
    sim.run();
    // Two applications open the file: only the first operation is the volume's first, and the offer follows it once.
    expect(compactTrace(sim.log, { types: ['VolumeFirstOperation', 'InstanceSetup', 'IoStart'] }).map((l) => l.replace(/ IRP_MJ_CREATE.*/, ''))).toEqual([
      'V1(Z:) VolumeFirstOperation',
      'I1(mon@385100 on Z:) InstanceSetup filter=F1:mon volume=V1:Z: name="mon Instance" altitude=385100 frame=0 flags=AUTOMATIC_ATTACHMENT|NEWLY_MOUNTED_VOLUME',
      'D1(CREATE \\f) IoStart',
      'D2(CREATE \\f) IoStart',
    ]);
    expect(sim.state().volumes['V1']).toMatchObject({ state: 'Mounted', firstOperationSeen: true });
    expect(foldLog(sim.log).volumes).toEqual(sim.state().volumes);
  });

  it('with instanceSetupOnMount: \'mount\' the first operation decides nothing and logs nothing', () => {
    const { sim } = filterThenMount('mount');
    sim.spawn('app', () => sim.io.NtCreateFile('Z:\\f', { DesiredAccess: FILE_GENERIC_READ, CreateDisposition: FILE_OPEN }));
    sim.run();
    expect(sim.log.filter((f) => f.type === 'VolumeFirstOperation')).toEqual([]);
    expect(sim.state().volumes['V1']!.firstOperationSeen).toBeUndefined();
    expect(foldLog(sim.log).volumes).toEqual(sim.state().volumes);
  });

  it('an operation on a volume dismounted before its first operation offers it to nobody (only a Mounted volume awaits its first operation)', () => {
    const { sim } = filterThenMount();
    sim.run();
    sim.dismountVolume(sim.volume('Z:')!);
    sim.run();
    sim.spawn('app', () => sim.io.NtCreateFile('Z:\\f', { DesiredAccess: FILE_GENERIC_READ, CreateDisposition: FILE_OPEN }));
    sim.run();
    expect(sim.state().volumes['V1']).toMatchObject({ state: 'Dismounted' });
    expect(compactTrace(sim.log, { types: ['VolumeFirstOperation', 'InstanceSetup'] })).toEqual([]);
    expect(foldLog(sim.log).volumes).toEqual(sim.state().volumes);
  });
});
