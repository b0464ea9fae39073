/**
 * Docs generated from the code, so they cannot drift: docs/verifier.md from the rule table
 * (src/kernel/verifierRules.ts), docs/machines.md from the machine definitions (src/machines/). `npm run docs` writes them; test/docs/generatedDocs.test.ts fails
 * when a committed file differs from what this renders.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { VERIFIER_RULES, VERIFIER_RULE_IDS } from '../src/kernel/verifierRules.js';
import { renderMachinesDoc } from './machineStates.js';

/** "§14.7" → "§14 inv. 7", "§13.A12" → "§13 A12"; the link goes to the section's anchor in docs/semantics.md. */
export function sectionLink(section: string): string {
  const m = /^§(\d+)(?:\.([A-Z]?\d+))?$/.exec(section);
  if (m === null) throw new Error(`section ${section} is not of the form §N or §N.M`);
  const [, major, minor] = m;
  const anchor = minor === undefined ? `s${major}` : `s${major}-${minor.toLowerCase()}`;
  const text = minor === undefined ? `§${major}` : major === '14' ? `§14 inv. ${minor}` : major === '13' ? `§13 ${minor}` : `§${major}.${minor}`;
  return `[${text}](semantics.md#${anchor})`;
}

export function renderVerifierDoc(): string {
  const rows = VERIFIER_RULE_IDS.map((id) => {
    const rule = VERIFIER_RULES[id];
    const cell = (s: string) => s.replace(/\|/g, '\\|');
    return `| \`${id}\` | ${cell(rule.checks)} | ${rule.windows === null ? '—' : cell(rule.windows)} | ${rule.sections.map(sectionLink).join(', ')} |`;
  });
  return `<!-- Generated from src/kernel/verifierRules.ts by \`npm run docs\`; edit its entries (src/kernel/coreVerifierRules.ts, facilityVerifierRules.ts), not this file. -->
# Verifier rules

Misuse that Windows would bug check on or Filter Verifier flags is not a crash of fltsim: it is
logged as a \`VerifierViolation\` fact (rule, object, message) and then raised as a \`VerifierError\`
carrying the rule id, the object, the log position (\`seq\`) and the seed. The thread that misused the
API ends; the simulation and its log stay usable. With \`onViolation: 'throw'\` (default) \`run()\` and
\`step()\` rethrow the error after logging; with \`'record'\` they carry on and the violation is in
\`sim.state().violations\`.

A modelled failure (access denied, sharing violation, a vetoed unload) is an NTSTATUS, never a rule.

The rules are one table in the code (\`VERIFIER_RULES\`, exported with the type \`VerifierRule\`); a
rule id that is not in it does not compile. Every rule is triggered by a scenario in
test/verifier/rules.test.ts. The Windows column names the bug check or Filter Verifier check that
catches the same mistake on a real system, where there is one; "—" means Windows goes on and the
mistake shows later (a hang, a leak, corrupted state).

| rule | raised when | on Windows | fact |
|---|---|---|---|
${rows.join('\n')}

Usage errors of fltsim itself (a bad option, a blocking routine called outside a simulated thread, a
replay that diverges, \`Data\` that no simulation handed out: \`NOT_CALLBACK_DATA\`) are \`UsageError\` /
\`ReplayDivergenceError\` and append nothing to the log.

Nothing a filter does surfaces as an internal error of ours. With \`onViolation: 'record'\` (and in
\`explore\`), anything else thrown inside a simulated thread becomes the finding \`CRASH\` on that
thread at its log position, and the run goes on. The copy of the callback data a draining post-op
receives (§4, §14 inv. 20) stays linked to its operation: FltQueueDeferredIoWorkItem on it fails
with STATUS_FLT_DELETING_OBJECT, and the routines that cannot apply to it name their rule
(\`COMPLETE_NOT_PENDED\`, \`FREE_NOT_OWNED\`, \`REISSUE_NOT_SYNCHRONIZED\`).
`;
}

/** Every generated doc: path relative to the repository → its content. */
export function generatedDocs(): Record<string, string> {
  return { 'docs/verifier.md': renderVerifierDoc(), 'docs/machines.md': renderMachinesDoc() };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = fileURLToPath(new URL('..', import.meta.url));
  for (const [path, text] of Object.entries(generatedDocs())) {
    writeFileSync(root + path, text);
    console.log(`wrote ${path}`);
  }
}
