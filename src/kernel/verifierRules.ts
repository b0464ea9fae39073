/**
 * The one table of verifier rules. Every `kernel.violation(...)` / `reportViolation(...)` names a
 * key of this table (the parameter type is `VerifierRule`, so a rule that is not here does not
 * compile); docs/verifier.md is generated from it (`npm run docs`, kept in sync by
 * test/docs/generatedDocs.test.ts); test/verifier/rules.test.ts triggers every entry (its trigger
 * table is typed by `VerifierRule`, so a rule without a trigger does not compile either).
 *
 * The entries live in two files by what they guard: coreVerifierRules.ts (the walk and FltMgr's
 * objects, §2–§14, §18, §19) and facilityVerifierRules.ts (the facilities, §15–§24); the table is
 * their union, in that order. Adding a rule: an entry in one of them, under the facility it belongs
 * to; a trigger in test/verifier/; then `npm run docs`.
 */
import { CORE_VERIFIER_RULES } from './coreVerifierRules.js';
import { FACILITY_VERIFIER_RULES } from './facilityVerifierRules.js';
import type { VerifierRuleSpec } from './verifierRuleSpec.js';

export type { VerifierRuleSpec } from './verifierRuleSpec.js';

export const VERIFIER_RULES = { ...CORE_VERIFIER_RULES, ...FACILITY_VERIFIER_RULES } as const satisfies Record<string, VerifierRuleSpec>;

// A rule id in both parts would silently keep one entry: this does not compile when they share one.
const ONE_ENTRY_PER_RULE: [keyof typeof CORE_VERIFIER_RULES & keyof typeof FACILITY_VERIFIER_RULES] extends [never] ? true : never = true;
void ONE_ENTRY_PER_RULE;

/** A rule id: a key of `VERIFIER_RULES`. */
export type VerifierRule = keyof typeof VERIFIER_RULES;

export const VERIFIER_RULE_IDS = Object.keys(VERIFIER_RULES) as readonly VerifierRule[];

/** Whether `id` names a rule of the table (a command line's `--disable-rule`, a shard file's plan). */
export function isVerifierRule(id: string): id is VerifierRule {
  return Object.hasOwn(VERIFIER_RULES, id);
}
