/** One entry of the verifier rule table (src/kernel/verifierRules.ts). */
export interface VerifierRuleSpec {
  /** What the filter did, in one sentence: the condition the rule raises on. */
  readonly checks: string;
  /**
   * The Windows counterpart where one exists: the bug check a checked kernel or Driver Verifier
   * raises, or the Filter Verifier check. null when Windows misbehaves later instead (a hang, a
   * leak, a use after free found by chance).
   */
  readonly windows: string | null;
  /** Sections of docs/semantics.md that state the fact the rule enforces ("§14.7" = §14 invariant 7). */
  readonly sections: readonly string[];
}
