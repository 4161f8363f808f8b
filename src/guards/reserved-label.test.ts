import { describe, expect, it } from 'vitest';
import { decide } from './index.js';
import { IMAGE, TEST_POLICY, verdict } from './test-helpers.js';

const ID = 'reserved-label';

describe('reserved-label: refused', () => {
  it.each([
    'cida.owner=mallory',
    'cida.owner',
    'cida.uid=0',
    'cida.=x',
    'CIDA.owner=x',
    'Cida.Owner=x',
    'cida.owner=',
    'cida.ci-job=123',
    'ｃｉｄａ.owner=x',
    // Invisible characters: the key shows as cida.owner in inspect output and audit lines.
    'cida\u200b.owner=x',
    '\u200bcida.owner=x',
    'ci\u00add\u200da.owner=x',
    '\ufeffcida.owner=x',
    'cida\u2060.uid=0',
  ])('run/build label %j in every spelling', (l) => {
    for (const flags of [['-l', l], [`-l${l}`], [`-l=${l}`], ['--label', l], [`--label=${l}`], ['-dl', l], ['-itl', l]])
      expect(verdict(['run', ...flags, IMAGE]), flags.join(' ')).toEqual([ID]);
    expect(verdict(['build', '--label', l, '.'])).toEqual([ID]);
    expect(verdict(['build', `--label=${l}`, '.'])).toEqual([ID]);
  });
  it('every label is checked', () => {
    expect(verdict(['run', '-l', 'com.example.team=geo', '--label', 'cida.owner=bob', IMAGE])).toEqual([ID]);
  });
  it('names the label', () => {
    const d = decide(['run', '--label', 'cida.owner=bob', IMAGE], TEST_POLICY);
    expect(d.violations[0]?.message).toBe(
      '--label cida.owner=bob: the key cida.owner is under the reserved cida. prefix',
    );
  });
});

describe('reserved-label: allowed', () => {
  it.each([
    'com.example.team=geo',
    'cida=1',
    'cidax.owner=1',
    'app.cida.owner=1',
    'owner=cida.owner',
    'x=cida.owner=1',
  ])('label %j', (l) => {
    expect(verdict(['run', '-l', l, IMAGE])).toEqual([]);
    expect(verdict(['build', '--label', l, '.'])).toEqual([]);
  });
  it('after the image it is the container command', () => {
    expect(verdict(['run', IMAGE, '--label', 'cida.owner=bob'])).toEqual([]);
  });
  it('the broker adds its own cida.* labels to an allowed run', () => {
    const d = decide(['run', IMAGE], TEST_POLICY, { user: 'alice', uid: 1000 });
    expect(d.allowed).toBe(true);
    expect(d.argv.join(' ')).toContain('cida.owner=alice');
  });
});
