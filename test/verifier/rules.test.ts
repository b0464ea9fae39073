// Every rule of the verifier table is raised by a scenario that commits exactly that mistake: the
// first violation in the log is the rule, the error carries the object and log position, and the
// fold of the log agrees with the live state. The table below is typed by VerifierRule, so a rule
// added to src/kernel/verifierRules.ts without a trigger here does not compile.
import { describe, expect, it } from 'vitest';
import { foldLog, VERIFIER_RULE_IDS, VERIFIER_RULES, type VerifierRule } from '../../src/index.js';
import { callbackDataTriggers } from './callbackDataTriggers.js';
import { callbackTriggers } from './callbackTriggers.js';
import { contextTriggers } from './contextTriggers.js';
import { ecpTriggers } from './ecpTriggers.js';
import { fileTriggers } from './fileTriggers.js';
import { portTriggers } from './portTriggers.js';
import { registrationTriggers } from './registrationTriggers.js';
import { syncTriggers } from './syncTriggers.js';
import { nameTriggers } from './nameTriggers.js';
import { robustnessTriggers } from './robustnessTriggers.js';
import { cancelTriggers } from './cancelTriggers.js';
import { bufferTriggers } from './bufferTriggers.js';
import { deviceTriggers } from './deviceTriggers.js';
import { transactionTriggers } from './transactionTriggers.js';
import { fsFilterTriggers } from './fsFilterTriggers.js';
import type { Trigger } from './world.js';

const TRIGGERS: Record<VerifierRule, Trigger> = {
  ...registrationTriggers,
  ...callbackTriggers,
  ...fileTriggers,
  ...callbackDataTriggers,
  ...syncTriggers,
  ...contextTriggers,
  ...ecpTriggers,
  ...nameTriggers,
  ...portTriggers,
  ...robustnessTriggers,
  ...cancelTriggers,
  ...bufferTriggers,
  ...deviceTriggers,
  ...transactionTriggers,
  ...fsFilterTriggers,
};

const PRESUPPOSES: Partial<Record<VerifierRule, readonly VerifierRule[]>> = { HANDLE_OF_UNLOADED_FILTER: ['FILE_HANDLE_LEAKED'] };

describe('every verifier rule is triggered (docs/verifier.md)', () => {
  it('the trigger table covers exactly the rule table', () => {
    expect(Object.keys(TRIGGERS).sort()).toEqual([...VERIFIER_RULE_IDS].sort());
  });

  for (const rule of VERIFIER_RULE_IDS) {
    it(`${rule}: ${VERIFIER_RULES[rule].checks} (${VERIFIER_RULES[rule].sections.join(', ')})`, () => {
      const sim = TRIGGERS[rule]();
      const violations = sim.state().violations;
      // The rule is the first finding, except where it presupposes another (a handle reported leaked
      // at unload before it is closed too late): PRESUPPOSES lists those.
      expect(violations.map((v) => v.rule).filter((r) => r !== rule)).toEqual(PRESUPPOSES[rule] ?? []);
      const found = violations.find((v) => v.rule === rule);
      const fact = sim.log.find((f) => f.type === 'VerifierViolation' && f.rule === rule)!;
      expect(fact).toMatchObject({ type: 'VerifierViolation', rule, object: found!.object, seq: found!.seq });
      expect(foldLog(sim.log).violations).toEqual(violations);
    });
  }
});
