// §6: frames and legacy filters in the device stack.
import { describe, expect, it } from 'vitest';
import { createSimulation, formatStacks, UsageError } from '../../src/index.js';
import { installFilter } from '../../src/testing/index.js';

describe('frames and legacy filters (§6)', () => {
  it('a legacy filter between two frames sits below every instance of the upper frame and above the lower frame', () => {
    const sim = createSimulation({ frameBoundaries: ['250000'] });
    sim.loadLegacyFilter({ name: 'top.sys', aboveFrame: 1 });
    sim.loadLegacyFilter({ name: 'between.sys', aboveFrame: 0 });
    sim.loadLegacyFilter({ name: 'bottom.sys', aboveFrame: -1 });
    sim.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:' });
    installFilter(sim, { name: 'enc', altitude: '141000' });
    installFilter(sim, { name: 'av', altitude: '328000' });
    installFilter(sim, { name: 'mon', altitude: '385100' });
    sim.run();
    expect(formatStacks(sim.state())).toEqual([
      'V1 C: (NTFS, Mounted)',
      '  L1 legacy filter top.sys',
      '  frame 1 [250000, ∞)',
      '    I3 mon "mon Instance" @ 385100',
      '    I2 av "av Instance" @ 328000',
      '  L2 legacy filter between.sys',
      '  frame 0 [0, 250000)',
      '    I1 enc "enc Instance" @ 141000',
      '  L3 legacy filter bottom.sys',
      '  file system',
    ]);
  });

  it('legacy filters at one position stack in load order, the later one on top', () => {
    const sim = createSimulation();
    sim.loadLegacyFilter({ name: 'first.sys', aboveFrame: 0 });
    sim.loadLegacyFilter({ name: 'second.sys', aboveFrame: 0 });
    sim.mountVolume({ name: '\\Device\\HarddiskVolume1', dosName: 'C:' });
    expect(sim.state().volumes.V1!.stack.map((id) => sim.state().legacyFilters[id]!.name)).toEqual(['second.sys', 'first.sys']);
  });

  it('frame boundaries must be ascending altitudes; a legacy position must name a frame', () => {
    expect(() => createSimulation({ frameBoundaries: ['300000', '200000'] })).toThrow(UsageError);
    expect(() => createSimulation({ frameBoundaries: ['abc'] })).toThrow(/frameBoundaries\[0\] = "abc" is not an altitude/);
    const sim = createSimulation();
    expect(() => sim.loadLegacyFilter({ name: 'x', aboveFrame: 3 })).toThrow(/aboveFrame must be an integer from -1 to 0/);
    expect(sim.log.length).toBe(1);
  });
});
