// For rule tests: lint a Dockerfile under a test policy that trusts registry.example.internal.
import { DEFAULT_POLICY, type Policy } from '../policy/policy.js';
import { lintDockerfile } from './index.js';
import type { LintFinding } from './rule.js';

export const TEST_POLICY: Policy = { ...DEFAULT_POLICY, trustedRegistries: ['registry.example.internal'] };

/** Findings of one rule for a Dockerfile (lines joined with '\n'). */
export function findings(rule: string, text: string | string[], policy: Policy = TEST_POLICY): LintFinding[] {
  const t = Array.isArray(text) ? text.join('\n') : text;
  return lintDockerfile(t, policy, { file: 'Dockerfile' }).findings.filter((f) => f.rule === rule);
}

/** The 1-based lines of one rule's findings. */
export function lines(rule: string, text: string | string[], policy: Policy = TEST_POLICY): number[] {
  return findings(rule, text, policy).map((f) => f.line);
}

/** A good base to build test Dockerfiles on: trusted, tagged, non-root, healthchecked. */
export const BASE = 'FROM registry.example.internal/base/debian:12';
