/**
 * The simulation's only source of randomness: xoshiro128** seeded through SplitMix32.
 *
 * Splittable so that independent consumers (the scheduler, a workload generator, a fault site)
 * draw from streams that do not perturb each other: adding a draw in one stream leaves every
 * other stream's sequence unchanged, which keeps recorded seeds meaningful as the code grows.
 * The whole state is four uint32 words, so save/restore is exact.
 */
import { integerArgument } from './arguments.js';
export type RandomState = readonly [number, number, number, number];

function splitMix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** FNV-1a over a label, so `split('scheduler')` is stable across runs and platforms. */
function hashLabel(label: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < label.length; i++) {
    h ^= label.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

export class Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  private constructor(a: number, b: number, c: number, d: number) {
    this.a = a;
    this.b = b;
    this.c = c;
    this.d = d;
    // xoshiro must never be all zero; SplitMix32 makes that practically impossible, but restore may not.
    if ((a | b | c | d) === 0) this.d = 1;
  }

  static fromSeed(seed: number): Random {
    integerArgument('Random.fromSeed', 'seed', seed, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, 'a whole number');
    const next = splitMix32(seed >>> 0);
    return new Random(next(), next(), next(), next());
  }

  static fromState(state: RandomState): Random {
    return new Random(state[0] >>> 0, state[1] >>> 0, state[2] >>> 0, state[3] >>> 0);
  }

  state(): RandomState {
    return [this.a, this.b, this.c, this.d];
  }

  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.b, 5) >>> 0, 7), 9) >>> 0;
    const t = (this.b << 9) >>> 0;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    this.a >>>= 0;
    this.b >>>= 0;
    this.c >>>= 0;
    return result;
  }

  /** Uniform integer in [0, n), without modulo bias. */
  nextInt(n: number): number {
    integerArgument('Random.nextInt', 'n', n, 1, 0x100000000, 'a whole-number bound from 1 to 2^32');
    const limit = 0x100000000 - (0x100000000 % n);
    for (;;) {
      const x = this.nextUint32();
      if (x < limit) return x % n;
    }
  }

  /** A float in [0, 1) with 32 bits of precision. */
  nextFloat(): number {
    return this.nextUint32() / 0x100000000;
  }

  /**
   * A new independent stream derived from this one's *seed material* and a label, without
   * consuming draws from this stream.
   */
  split(label: string): Random {
    const next = splitMix32((this.a ^ Math.imul(hashLabel(label), 0x27d4eb2d) ^ this.d) >>> 0);
    return new Random(next(), next() ^ this.b, next() ^ this.c, next());
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
