import { describe, expect, it } from 'vitest';
import {
  digestProblem,
  formatImageReference,
  isFromRegistry,
  isImageId,
  parseAnyReference,
  parseImageReference,
  ReferenceError,
} from './reference.js';

const HEX64 = '8a521bab6a4876c6ed3e09b72f5d6aeda3bfd222a612894470726f3b76f1c11c';

// Expected values from distribution/reference v0.6.0 (normalize_test.go, reference_test.go) and
// from how docker 28.2.2 reads them.
describe('parseImageReference (ParseNormalizedNamed)', () => {
  it.each([
    ['alpine', 'docker.io', 'library/alpine', undefined],
    ['alpine:3.20', 'docker.io', 'library/alpine', '3.20'],
    ['docker.io/alpine', 'docker.io', 'library/alpine', undefined],
    ['docker.io/library/alpine', 'docker.io', 'library/alpine', undefined],
    ['index.docker.io/alpine:latest', 'docker.io', 'library/alpine', 'latest'],
    ['index.docker.io/library/alpine', 'docker.io', 'library/alpine', undefined],
    ['alice/app:1.0', 'docker.io', 'alice/app', '1.0'],
    ['alice/team/app', 'docker.io', 'alice/team/app', undefined],
    ['registry.example.internal/team/app:1.0', 'registry.example.internal', 'team/app', '1.0'],
    ['registry.example.internal/geo/water/app:2.3.1', 'registry.example.internal', 'geo/water/app', '2.3.1'],
    ['registry.example.internal:443/team/app', 'registry.example.internal:443', 'team/app', undefined],
    ['registry.example.internal:5000/team/app:1', 'registry.example.internal:5000', 'team/app', '1'],
    ['REGISTRY.EXAMPLE.INTERNAL/team/app', 'REGISTRY.EXAMPLE.INTERNAL', 'team/app', undefined],
    ['Registry/team/app', 'Registry', 'team/app', undefined],
    ['localhost/app', 'localhost', 'app', undefined],
    ['localhost:5000/team/app', 'localhost:5000', 'team/app', undefined],
    ['127.0.0.1:5000/team/app', '127.0.0.1:5000', 'team/app', undefined],
    ['[::1]:5000/team/app:v1', '[::1]:5000', 'team/app', 'v1'],
    ['[fe80::1]/app', '[fe80::1]', 'app', undefined],
    ['example:5000/app', 'example:5000', 'app', undefined],
    [
      'registry.example.internal-mirror.example.com/team/app',
      'registry.example.internal-mirror.example.com',
      'team/app',
      undefined,
    ],
    ['registry.example.internal.evil.com/x', 'registry.example.internal.evil.com', 'x', undefined],
    // No slash: a Docker Hub name, whatever it looks like.
    ['registry.example.internal', 'docker.io', 'library/registry.example.internal', undefined],
    ['registry.example.internal:1.0', 'docker.io', 'library/registry.example.internal', '1.0'],
    ['localhost', 'docker.io', 'library/localhost', undefined],
    ['localhost:5000', 'docker.io', 'library/localhost', '5000'],
    ['3f57d9401f8d', 'docker.io', 'library/3f57d9401f8d', undefined],
    [`sha256:${HEX64}`, 'docker.io', 'library/sha256', HEX64],
    // Separators: '.', '_', '__', runs of '-'.
    ['a/b.c_d__e---f', 'docker.io', 'a/b.c_d__e---f', undefined],
    ['registry.example.internal/team/app:UPPER_tag.1-x', 'registry.example.internal', 'team/app', 'UPPER_tag.1-x'],
    // A first component with '.' that is not a valid host: docker's grammar reads it all as a path.
    ['foo_bar.com/x', '', 'foo_bar.com/x', undefined],
  ])('%s → %s / %s : %s', (input, domain, path, tag) => {
    const ref = parseImageReference(input);
    expect(ref.domain).toBe(domain);
    expect(ref.path).toBe(path);
    expect(ref.tag).toBe(tag);
  });

  it('keeps a digest, with or without a tag', () => {
    const d = `sha256:${HEX64}`;
    expect(parseImageReference(`registry.example.internal/team/app@${d}`)).toEqual({
      domain: 'registry.example.internal',
      path: 'team/app',
      digest: d,
    });
    expect(parseImageReference(`alpine:3@${d}`)).toEqual({
      domain: 'docker.io',
      path: 'library/alpine',
      tag: '3',
      digest: d,
    });
    const s512 = `sha512:${'ab'.repeat(64)}`;
    expect(parseImageReference(`registry.example.internal/x@${s512}`).digest).toBe(s512);
  });

  it.each([
    ['', /at least one component|invalid reference/],
    [HEX64, /64-byte hexadecimal/],
    ['Alpine', /must be lowercase/],
    ['registry.example.internal/Team/app', /must be lowercase/],
    ['docker.io/Alpine', /must be lowercase/],
    ['registry.example.іnternal/team/app:1.0', /invalid reference format/], // Cyrillic і
    ['registry.еxample.internal/team/app', /invalid reference format/], // Cyrillic е
    ['ｒegistry.example.internal/team/app', /invalid reference format/], // fullwidth r
    ['registry.example.internal/team/аpp', /invalid reference format/], // Cyrillic а in the path
    ['registry.example.internal//app', /invalid reference format/],
    ['registry.example.internal/app/', /invalid reference format/],
    ['registry.example.internal/-app', /invalid reference format/],
    ['registry.example.internal/a--', /invalid reference format/],
    ['registry.example.internal/a___b', /invalid reference format/],
    ['a:b/c', /invalid reference format/],
    ['-registry.example.internal/x', /invalid reference format/],
    ['registry.example.internal:/x', /invalid reference format/],
    ['registry.example.internal:99x/x', /invalid reference format/],
    ['registry.example.internal/x:', /invalid reference format/],
    ['registry.example.internal/x:.tag', /invalid reference format/],
    [`registry.example.internal/x:${'a'.repeat(129)}`, /invalid reference format/],
    ['registry.example.internal/x@sha256:abc', /invalid reference format/],
    [`registry.example.internal/x@sha256:${HEX64.toUpperCase()}`, /invalid checksum digest format/],
    [`registry.example.internal/x@md5:${'a'.repeat(32)}`, /unsupported digest algorithm/],
    [`registry.example.internal/x@sha256:${HEX64}0`, /invalid checksum digest length/],
    ['registry.example.internal/x@', /invalid reference format/],
    ['registry.example.internal/x@@sha256:' + HEX64, /invalid reference format/],
    ['registry.example.internal/x y', /invalid reference format/],
    [' registry.example.internal/x', /invalid reference format/],
    ['registry.example.internal/x\n', /invalid reference format/],
    ['--privileged', /invalid reference format/],
    ['‐‐privileged', /invalid reference format/], // U+2010 hyphens
    ['[::1/app', /invalid reference format/],
    ['https://registry.example.internal/x', /invalid reference format/],
  ])('rejects %j', (input, reason) => {
    expect(() => parseImageReference(input)).toThrow(ReferenceError);
    expect(() => parseImageReference(input)).toThrow(reason);
  });

  it('limits the path (not domain + path) to 255 characters, as v0.6.0 does', () => {
    const path255 = `team/${'a'.repeat(250)}`;
    expect(parseImageReference(`registry.example.internal/${path255}`).path).toBe(path255);
    expect(() => parseImageReference(`registry.example.internal/${path255}a`)).toThrow(/not be more than 255/);
    // A Hub name counts its library/ prefix.
    expect(() => parseImageReference('a'.repeat(248))).toThrow(/not be more than 255/);
    expect(parseImageReference('a'.repeat(247)).path).toHaveLength(255);
  });
});

describe('parseAnyReference', () => {
  it('reads 64 hex characters and bare digests as image ids', () => {
    expect(parseAnyReference(HEX64)).toEqual({ id: `sha256:${HEX64}` });
    expect(parseAnyReference(`sha256:${HEX64}`)).toEqual({ id: `sha256:${HEX64}` });
    expect(isImageId(parseAnyReference(`sha256:${HEX64}`))).toBe(true);
  });
  it('reads everything else as a name', () => {
    const ref = parseAnyReference('3f57d9401f8d');
    expect(isImageId(ref)).toBe(false);
    expect(ref).toEqual({ domain: 'docker.io', path: 'library/3f57d9401f8d' });
    // An upper-case "digest" is not a valid digest, so it is read as a name (Hub image sha256).
    expect(parseAnyReference(`sha256:${HEX64.toUpperCase()}`)).toEqual({
      domain: 'docker.io',
      path: 'library/sha256',
      tag: HEX64.toUpperCase(),
    });
  });
});

describe('digestProblem (go-digest Validate)', () => {
  it.each([
    [`sha256:${HEX64}`, null],
    [`sha384:${'a'.repeat(96)}`, null],
    [`sha512:${'a'.repeat(128)}`, null],
    ['sha256:', 'invalid checksum digest format'],
    [':abc', 'invalid checksum digest format'],
    ['sha256', 'invalid checksum digest format'],
    [`sha256:${'a'.repeat(63)}`, 'invalid checksum digest length'],
    [`sha256:${HEX64.toUpperCase()}`, 'invalid checksum digest format'],
    [`sha256:${'g'.repeat(64)}`, 'invalid checksum digest format'],
    [`foo:${'a'.repeat(32)}`, 'unsupported digest algorithm'],
    ['foo:xyz', 'invalid checksum digest format'],
    [`constructor:${'a'.repeat(64)}`, 'unsupported digest algorithm'],
  ])('%s → %s', (d, problem) => {
    expect(digestProblem(d)).toBe(problem);
  });
});

describe('isFromRegistry and formatImageReference', () => {
  const trusted = ['registry.example.internal'];
  it.each([
    ['registry.example.internal/team/app:1.0', true],
    ['registry.example.internal/x', true],
    ['registry.example.internal:443/x', false],
    ['registry.example.internal:5000/x', false],
    ['REGISTRY.EXAMPLE.INTERNAL/x', false],
    ['Registry.example.internal/x', false],
    ['registry.example.internal.evil.com/x', false],
    ['registry.example.internal', false],
    ['registry.example.internal:1.0', false],
    ['alpine', false],
    ['foo_bar.com/x', false],
  ])('%s trusted: %s', (input, trusted_) => {
    expect(isFromRegistry(parseImageReference(input), trusted)).toBe(trusted_);
  });
  it('trusts nothing when no registry is trusted', () => {
    expect(isFromRegistry(parseImageReference('registry.example.internal/x'), [])).toBe(false);
  });
  it('formats the fully qualified name', () => {
    expect(formatImageReference(parseImageReference('alpine'))).toBe('docker.io/library/alpine');
    expect(formatImageReference(parseImageReference(`registry.example.internal/a:1@sha256:${HEX64}`))).toBe(
      `registry.example.internal/a:1@sha256:${HEX64}`,
    );
    expect(formatImageReference(parseImageReference('foo_bar.com/x'))).toBe('foo_bar.com/x');
  });
});
