/**
 * Where a schedule preempted a thread, for the viewer's timeline: the seqs of the Choice facts at
 * which the explorer's shrinker counts a preemption (src/explore/shrink.ts: a choice that switches
 * away from the thread that ran last while that thread could still run). The log records which
 * thread was chosen and how many were ready, not which; so the schedule is re-run with the
 * shrinker's own recording strategy, and its log must be the trace's, byte for byte, or nothing
 * is claimed.
 */
import type { Fact } from '../kernel/facts.js';
import { scheduleBase } from '../explore/explore.js';
import { preemptionsOf, replayLeniently } from '../explore/shrink.js';
import { logDigest } from '../host/snapshot.js';
import type { Scenario } from '../scenarios/scenario.js';
import type { TraceHeader } from '../tracefile/header.js';

/** The preempting Choice facts' seqs, or null when the trace cannot be re-run to the same log. */
export function schedulePreemptions(scenario: Scenario, header: TraceHeader, facts: readonly Fact[]): number[] | null {
  if (header.options.strategy !== 'replay' || scenario.id !== header.scenario.id) return null;
  const replayed = replayLeniently(scenario, { ...scheduleBase({ args: header.scenario.args }), seed: header.seed }, header.choices);
  if (replayed.sim.log.length !== facts.length || logDigest(replayed.sim.log) !== logDigest(facts)) return null;
  const choiceSeqs: number[] = [];
  for (const f of facts) if (f.type === 'Choice') choiceSeqs.push(f.seq);
  if (choiceSeqs.length !== replayed.points.length) return null;
  return preemptionsOf(replayed.points).map((i) => choiceSeqs[i]!);
}
