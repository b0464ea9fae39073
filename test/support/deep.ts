// How long the property and sweep tests run. `npm test` runs a short version of each so the whole
// suite stays under 90 s on two quiet cores; `npm run test:deep` (FLTSIM_DEEP=1) runs the same tests
// longer: each *.deep.test.ts that imports a normal test file re-registers its tests with the deep
// budget. One definition of each property, two budgets.
export const DEEP = process.env.FLTSIM_DEEP === '1';

/** fast-check runs (or schedules, or steps between checks): `normal` in npm test, `deep` in test:deep. */
export function budget(normal: number, deep: number): number {
  return DEEP ? deep : normal;
}
