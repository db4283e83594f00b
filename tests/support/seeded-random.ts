/** A small seeded generator (mulberry32) for fault tests: the same seed makes the same choices. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** TASKHUB_TEST_SEED when set (to replay a run), else a fresh seed; tests print it. */
export function testSeed(): number {
  return Number(process.env.TASKHUB_TEST_SEED ?? Math.floor(Math.random() * 2 ** 31));
}
