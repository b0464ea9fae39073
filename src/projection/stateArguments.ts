/**
 * A SimState passed back by a caller (formatStacks, formatObjects, diffStates, waitForGraph): checked
 * for its shape, each record an object and each list an array, so a helper given something else
 * stops with a UsageError naming it (issue 14) instead of a TypeError in the middle of a record.
 * The views inside are not checked one by one: a SimState comes from `sim.state()`, `foldLog` or
 * a Timeline, which build them.
 */
import { shapeArgument, type Shape } from '../kernel/dataArguments.js';
import type { SimState } from './simState.js';

const RECORDS = [
  'processes', 'threads', 'filters', 'volumes', 'instances', 'legacyFilters', 'fileObjects', 'operations', 'events', 'locks', 'irps', 'cbdqs', 'contexts', 'sections',
  'ecpLists', 'ecps', 'poolBlocks', 'mdls', 'fileNames', 'nameCache', 'serverPorts', 'clientPorts', 'messages', 'byteRangeLocks', 'directoryNotifications', 'oplocks',
] as const satisfies readonly (keyof SimState)[];

const SIM_STATE_SHAPE: Shape = {
  seq: 'integer',
  time: 'number',
  seed: 'number',
  frames: 'array',
  violations: 'array',
  waitCycles: 'array',
  ...Object.fromEntries(RECORDS.map((r) => [r, 'object'])),
};

export function simStateArgument(routine: string, name: string, value: unknown): SimState {
  return shapeArgument<SimState>(routine, name, value, SIM_STATE_SHAPE, 'a SimState (sim.state(), foldLog, a Timeline)');
}
