// §3: altitudes are decimal strings compared numerically with unlimited precision.
import { describe, expect, it } from 'vitest';
import { compareAltitudes, isAltitude, normalizeAltitude, parseAltitude } from '../../src/wdk/altitude.js';

describe('altitude strings (§3)', () => {
  it('compares numerically, not as text: "03333" is above "100.123456"', () => {
    expect(compareAltitudes('03333', '100.123456')).toBeGreaterThan(0);
    expect(compareAltitudes('100.123456', '03333')).toBeLessThan(0);
  });

  it('ignores leading zeros and trailing fractional zeros', () => {
    expect(compareAltitudes('000385100', '385100.000')).toBe(0);
    expect(normalizeAltitude('000385100.500')).toBe('385100.5');
    expect(normalizeAltitude('0')).toBe('0');
    expect(normalizeAltitude('.5')).toBe('0.5');
  });

  it('orders fractions digit by digit', () => {
    expect(compareAltitudes('1.05', '1.5')).toBeLessThan(0);
    expect(compareAltitudes('1.55', '1.5')).toBeGreaterThan(0);
    expect(compareAltitudes('1.6', '1.55')).toBeGreaterThan(0);
  });

  it('keeps precision beyond a double: 20-digit altitudes that differ in the last digit', () => {
    expect(compareAltitudes('12345678901234567890', '12345678901234567891')).toBeLessThan(0);
    expect(compareAltitudes('1.000000000000000000001', '1')).toBeGreaterThan(0);
  });

  it('rejects what is not digits with at most one dot', () => {
    for (const bad of ['', '.', 'abc', '1.2.3', '-5', '1e5', ' 1', '1 ']) {
      expect(isAltitude(bad), bad).toBe(false);
      expect(parseAltitude(bad)).toBeNull();
    }
    expect(() => compareAltitudes('x', '1')).toThrow('[BAD_ARGUMENT] compareAltitudes: "x" is not an altitude (digits, optionally with one \'.\')');
  });
});
