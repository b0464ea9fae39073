// A simulation keeps a copy of its scenario's arguments for saves and trace headers: the copy JSON
// would make, taken without the round trip when the arguments are flat (one per explored schedule).
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { copyScenarioArgs, type ScenarioArgs } from '../../src/kernel/jsonValue.js';

const viaJson = (args: ScenarioArgs): string => JSON.stringify(JSON.parse(JSON.stringify(args)));

describe('copying scenario arguments', () => {
  it('is a new object with the same keys, in the same order, as JSON would give', () => {
    const args = { variant: 'fixed', rounds: 3, 2: true, 1: null, flush: 0.5 };
    const copy = copyScenarioArgs(args);
    expect(copy).not.toBe(args);
    expect(JSON.stringify(copy)).toBe(viaJson(args));
    expect(Object.keys(copy)).toEqual(['1', '2', 'variant', 'rounds', 'flush']);
  });

  it('takes what a flat copy would get wrong from JSON: nested values, -0, a __proto__ key', () => {
    const nested = { list: [1, { a: 'b' }], deep: { x: -0 } };
    const copy = copyScenarioArgs(nested);
    expect(copy['list']).not.toBe(nested.list);
    expect(JSON.stringify(copy)).toBe(viaJson(nested));
    expect(Object.is(copyScenarioArgs({ zero: -0 })['zero'], 0)).toBe(true);
    const proto = JSON.parse('{"__proto__": "x", "y": 1}') as ScenarioArgs;
    const protoCopy = copyScenarioArgs(proto);
    expect(Object.keys(protoCopy)).toEqual(['__proto__', 'y']);
    expect(Object.getPrototypeOf(protoCopy)).toBe(Object.prototype);
  });

  it('gives the JSON text of a JSON round trip for any JSON-valued arguments', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (args) => {
        expect(JSON.stringify(copyScenarioArgs(args as ScenarioArgs))).toBe(viaJson(args as ScenarioArgs));
      }),
      { numRuns: 200 },
    );
  });
});
