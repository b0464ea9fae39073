// §3, §13 A7: automatic attachment to a newly mounted volume happens before the first operation
// delivered to it (default), or at mount with `instanceSetupOnMount: 'mount'`.
import { describe, expect, it } from 'vitest';
import { createSimulation, FILE_GENERIC_READ, FILE_OPEN, FLT_POSTOP_FINISHED_PROCESSING, FLT_PREOP_SUCCESS_WITH_CALLBACK, IRP_MJ_CREATE, STATUS_SUCCESS } from '../../src/index.js';
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
});
