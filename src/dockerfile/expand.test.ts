import { describe, expect, it } from 'vitest';
import { lintDockerfile } from './index.js';
import { DEFAULT_POLICY } from '../policy/policy.js';
import { expandWord, MAX_EXPANDED_LENGTH } from './expand.js';

describe('expansion is bounded (the broker lints Dockerfiles as root)', () => {
  it('a value past the bound is unknown, not a crash', () => {
    const big = 'x'.repeat(MAX_EXPANDED_LENGTH);
    const r = expandWord('$A$A', (n) => (n === 'A' ? big : undefined));
    expect(r.value).toBe('');
    expect(r.unresolved.join(' ')).toMatch(/longer than 64 KiB/);
  });
  it('pattern operators on long values are not evaluated', () => {
    const r = expandWord('${A%%*a*a*a*a*b}', (n) => (n === 'A' ? 'a'.repeat(5000) : undefined));
    expect(r).toEqual({ value: '', unresolved: ['A'] });
  });
  it("the red team's doubling ENV chain lints in bounded time with a finding, no exception", () => {
    const lines = ['FROM registry.example.internal/base/x:1', 'ENV a0=xxxxxxxxxxxxxxxx'];
    for (let i = 1; i < 40; i++) lines.push(`ENV a${i}=\${a${i - 1}}\${a${i - 1}}`);
    lines.push('USER 10001:10001');
    const t0 = Date.now();
    const r = lintDockerfile(lines.join('\n'), { ...DEFAULT_POLICY, trustedRegistries: ['registry.example.internal'] });
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(typeof r.approvable).toBe('boolean');
  });
});
