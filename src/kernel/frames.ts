/**
 * Frames partition the altitude line (§6). `frameBoundaries: ['250000']` makes frame 0 = [0, 250000)
 * and frame 1 = [250000, ∞). A minifilter lands in the frame holding its altitude, which decides
 * which legacy filters it sits above or below.
 */
import { compareAltitudes, isAltitude, normalizeAltitude } from '../wdk/altitude.js';
import { shown } from './elide.js';
import { UsageError } from './errors.js';
import type { FrameSpec } from './facts.js';

/** Frames a volume's stack may have: Windows builds a handful; the bound keeps option input small. */
export const MAX_FRAMES = 64;

export function framesFromBoundaries(boundaries: readonly string[]): FrameSpec[] {
  if (!Array.isArray(boundaries) || boundaries.length > MAX_FRAMES - 1) {
    throw new UsageError('BAD_OPTION', `frameBoundaries must be a list of at most ${MAX_FRAMES - 1} altitudes, got ${shown(boundaries)}`);
  }
  const cut = boundaries.map((b, i) => {
    if (typeof b !== 'string' || !isAltitude(b)) {
      throw new UsageError('BAD_OPTION', `frameBoundaries[${i}] = ${shown(b)} is not an altitude (digits, at most one '.')`);
    }
    return normalizeAltitude(b);
  });
  for (let i = 1; i < cut.length; i++) {
    if (compareAltitudes(cut[i - 1]!, cut[i]!) >= 0) {
      throw new UsageError('BAD_OPTION', `frameBoundaries must be strictly ascending: ${cut[i - 1]} then ${cut[i]}`);
    }
  }
  if (cut.length > 0 && compareAltitudes(cut[0]!, '0') === 0) {
    throw new UsageError('BAD_OPTION', 'frameBoundaries cannot include 0: frame 0 always starts there');
  }
  const frames: FrameSpec[] = [];
  let low = '0';
  cut.forEach((high, index) => {
    frames.push({ index, low, high });
    low = high;
  });
  frames.push({ index: cut.length, low, high: null });
  return frames;
}
