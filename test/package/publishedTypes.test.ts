// The published declarations expose no internals (issue 18 item 6): every type a user reaches from
// the main entry's exports in dist/index.d.ts (built with stripInternal, test/package/buildOnce.ts),
// walked with the TypeScript checker, has no member that hands out the simulation's kernel, its
// Filter Manager, its host driver or an object's XState actor, and no member typed by XState at all.
// That the declarations type-check as a consumer with skipLibCheck off sees them is pack.test.ts's
// check (TypeScript 7 on the installed package; TypeScript 5.9's diagnostics here cost ~3 CPU-s).
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { reachableMembers } from './publishedSurface.js';

const root = join(import.meta.dirname, '..', '..');

describe('the published types', () => {
  const reached = reachableMembers(join(root, 'dist', 'index.d.ts'));

  it('reach the public API: the simulation, its I/O manager and the objects a filter is handed', () => {
    expect(reached.members).toEqual(expect.arrayContaining(['Simulation.step', 'Simulation.save', 'Simulation.io', 'IoManager.NtCreateFile', 'InstanceObject.filter', 'VolumeObject.name']));
  });

  it('expose no kernel, Filter Manager, host driver or XState actor on any of them', () => {
    expect(reached.members.filter((m) => /\.(kernel|fltMgr|mgr|actor|host|fltMgrOf)$/.test(m))).toEqual([]);
    expect(reached.xstate).toEqual([]);
  });
});
