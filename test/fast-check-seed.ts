// fast-check's seed for every property test (vitest setupFiles): CI runs are repeatable (a fixed
// seed, as the differential test has), a developer's runs explore a new one each time; FC_SEED
// replays either. The seed is printed so that a failure can be replayed.
import fc from 'fast-check';

export const FC_SEED =
  process.env.FC_SEED !== undefined && process.env.FC_SEED !== ''
    ? Number(process.env.FC_SEED)
    : process.env.CI
      ? 20261202
      : Date.now() % 2 ** 31;
fc.configureGlobal({ seed: FC_SEED });
