// A small seeded PRNG (mulberry32) for fuzzing and generated data: the same seed gives the
// same sequence on every run and machine, so a failure can be replayed.

/** Returns a function yielding floats in [0, 1), determined by `seed`. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let x = state;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

/** Helpers over a seeded source: integers, picks, strings. */
export function fuzzTools(random: () => number) {
  const int = (below: number) => Math.floor(random() * below);
  return {
    int,
    pick: <T>(items: readonly T[]): T => items[int(items.length)]!,
    chance: (p: number) => random() < p,
    /** A string of `length` characters drawn from `alphabet`. */
    string: (length: number, alphabet: string) => {
      let out = '';
      for (let i = 0; i < length; i++) out += alphabet[int(alphabet.length)]!;
      return out;
    },
  };
}
