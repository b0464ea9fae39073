/** A picture of every volume's device stack, for the demo and for people reading a state. */
import { simStateArgument } from '../projection/stateArguments.js';
import type { SimState } from '../projection/simState.js';

export function formatStacks(state: SimState): string[] {
  simStateArgument('formatStacks', 'state', state);
  const lines: string[] = [];
  for (const [vid, v] of Object.entries(state.volumes)) {
    lines.push(`${vid} ${v.dosName ?? v.name} (${v.fsType}, ${v.state})`);
    let frame: number | null = null;
    for (const node of v.stack) {
      const inst = state.instances[node];
      if (inst !== undefined) {
        if (frame !== inst.frame) {
          frame = inst.frame;
          const f = state.frames[inst.frame]!;
          lines.push(`  frame ${f.index} [${f.low}, ${f.high ?? '∞'})`);
        }
        const filter = state.filters[inst.filter]!;
        lines.push(`    ${node} ${filter.name} "${inst.name}" @ ${inst.altitude}`);
      } else {
        const legacy = state.legacyFilters[node]!;
        frame = null;
        lines.push(`  ${node} legacy filter ${legacy.name}`);
      }
    }
    lines.push(`  file system`);
  }
  return lines;
}
