import type { Parameters } from 'fast-check';

/**
 * fast-check settings for the property tests. `npm test` runs each property with its own
 * default count; `npm run fuzz` sets SLIPGUARD_FUZZ_RUNS for long runs. A failure prints its
 * seed and path; SLIPGUARD_FUZZ_SEED (and SLIPGUARD_FUZZ_PATH) replay it exactly.
 */
export interface FuzzSettings {
  /** Cases for this property. */
  readonly runs: number;
  /** A vitest timeout that fits them. */
  readonly timeout: number;
  readonly parameters: Pick<Parameters<unknown>, 'numRuns' | 'seed' | 'path' | 'verbose'>;
}

/** The run count from the environment, or null when none was given. */
export function fuzzRunsFromEnv(): number | null {
  const text = process.env.SLIPGUARD_FUZZ_RUNS;
  if (text === undefined || text === '') return null;
  if (!/^[1-9][0-9]*$/u.test(text)) throw new Error(`SLIPGUARD_FUZZ_RUNS must be a positive integer, not ${JSON.stringify(text)}`);
  return Number(text);
}

/**
 * `defaultRuns` in `npm test`; under SLIPGUARD_FUZZ_RUNS, that count divided by `costly` (a
 * property that extracts archives costs far more per case than one that only vets names).
 * `msPerCase` is a generous estimate, for the timeout.
 */
export function fuzzSettings(defaultRuns: number, options: { costly?: number; msPerCase: number }): FuzzSettings {
  const fromEnv = fuzzRunsFromEnv();
  const runs = fromEnv === null ? defaultRuns : Math.max(1, Math.floor(fromEnv / (options.costly ?? 1)));
  const seedText = process.env.SLIPGUARD_FUZZ_SEED;
  const path = process.env.SLIPGUARD_FUZZ_PATH;
  const parameters: FuzzSettings['parameters'] = {
    numRuns: runs,
    ...(seedText === undefined || seedText === '' ? {} : { seed: Number(seedText) }),
    ...(path === undefined || path === '' ? {} : { path }),
    // A failure report names the seed and path to pass back in.
    verbose: 1,
  };
  return { runs, timeout: 30_000 + runs * options.msPerCase, parameters };
}
