// Shared by the rule tests: decide a docker argv (as typed after `docker`) under a test policy.
import { UsageError } from '../docker/model.js';
import { DEFAULT_POLICY, type Policy } from '../policy/policy.js';
import { decide } from './index.js';

export const TRUSTED = 'registry.example.internal';
export const IMAGE = `${TRUSTED}/team/app:1.0`;

export const TEST_POLICY: Policy = {
  ...DEFAULT_POLICY,
  trustedRegistries: [TRUSTED],
};

/** 'usage' when docker itself would reject the argv; otherwise the ids of the rules that refuse it. */
export function verdict(argv: readonly string[], policy: Policy = TEST_POLICY): 'usage' | string[] {
  try {
    return [...new Set(decide(argv, policy).violations.map((v) => v.rule))];
  } catch (e) {
    if (e instanceof UsageError) return 'usage';
    throw e;
  }
}
