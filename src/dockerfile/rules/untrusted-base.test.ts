import { describe, expect, test } from 'vitest';
import { DEFAULT_POLICY } from '../../policy/policy.js';
import { findings, lines } from '../test-helpers.js';

const R = 'untrusted-base';
const ok = (...l: string[]) => expect(lines(R, l)).toEqual([]);

describe('untrusted-base', () => {
  test('a trusted registry, an earlier stage and scratch pass', () => {
    ok('FROM registry.example.internal/base/node:20 AS build', 'FROM build', 'FROM scratch');
    ok('FROM registry.example.internal/base/node@sha256:' + 'a'.repeat(64));
    ok('FROM --platform=$BUILDPLATFORM registry.example.internal/base/go:1.22 AS b');
  });
  test('Docker Hub names, bare and qualified', () => {
    expect(lines(R, ['FROM node:20'])).toEqual([1]);
    expect(lines(R, ['FROM docker.io/library/node:20'])).toEqual([1]);
    expect(findings(R, ['FROM node:20'])[0].message).toContain('docker.io/library/node:20');
  });
  test('look-alike hosts and ports are other registries', () => {
    expect(lines(R, ['FROM registry.example.internal.evil.com/base/node:20'])).toEqual([1]);
    expect(lines(R, ['FROM registry.example.internal:5000/base/node:20'])).toEqual([1]);
    expect(lines(R, ['FROM evil.com/registry.example.internal/node:20'])).toEqual([1]);
  });
  test('registry.example.internal@sha256:… has no "/": a Docker Hub name', () => {
    const f = findings(R, ['FROM registry.example.internal@sha256:' + 'b'.repeat(64)]);
    expect(f).toHaveLength(1);
    expect(f[0].message).toContain('docker.io/library/registry.example.internal');
  });
  test('myorg/my.image is on Docker Hub (not registry "myorg")', () => {
    expect(findings(R, ['FROM myorg/my.image:1'])[0].message).toContain('docker.io/myorg/my.image');
  });
  test('ARG defaults are resolved, ${X:-default} included', () => {
    ok('ARG BASE=registry.example.internal/base/node', 'ARG TAG=20', 'FROM ${BASE}:${TAG}');
    ok('ARG REG', 'FROM ${REG:-registry.example.internal}/base/node:20');
    expect(lines(R, ['ARG BASE=node', 'FROM ${BASE}:20'])).toEqual([2]);
    expect(lines(R, ['ARG REG=registry.example.internal', 'FROM ${REG:+evil.com}/base/node:20'])).toEqual([2]);
    ok('ARG A=registry.example.internal', 'ARG B=${A}/base', 'FROM $B/node:20');
  });
  test('an unresolvable variable is untrusted', () => {
    const f = findings(R, ['ARG BASE', 'FROM ${BASE}']);
    expect(f.map((x) => x.line)).toEqual([2]);
    expect(f[0].message).toContain('$BASE has no default');
    expect(lines(R, ['FROM $UNDECLARED/node:20'])).toEqual([1]);
    expect(lines(R, ['ARG T', 'FROM registry.example.internal/base/node:${T:?}'])).toEqual([2]);
  });
  test('ARGs declared inside a stage do not reach FROM', () => {
    expect(
      lines(R, ['FROM registry.example.internal/base/a:1', 'ARG B=registry.example.internal/base/b:1', 'FROM ${B}']),
    ).toEqual([3]);
  });
  test('build args replace defaults when the build passes them', async () => {
    const { lintDockerfile } = await import('../index.js');
    const { TEST_POLICY } = await import('../test-helpers.js');
    const r = lintDockerfile(
      'ARG B=registry.example.internal/base/b:1\nFROM $B\nUSER 1\nHEALTHCHECK NONE',
      TEST_POLICY,
      { buildArgs: { B: 'alpine:3' } },
    );
    expect(r.findings.map((f) => f.rule)).toContain(R);
  });
  test('COPY --from=<image> and RUN --mount from=<image>', () => {
    ok(
      'FROM registry.example.internal/base/a:1 AS build',
      'FROM scratch',
      'COPY --from=build /x /x',
      'COPY --from=0 /y /y',
    );
    expect(lines(R, ['FROM registry.example.internal/base/a:1', 'COPY --from=busybox:1.36 /bin/sh /sh'])).toEqual([2]);
    expect(
      lines(R, ['FROM registry.example.internal/base/a:1', 'RUN --mount=type=bind,from=alpine:3,target=/m ls /m']),
    ).toEqual([2]);
    ok(
      'FROM registry.example.internal/base/a:1 AS tools',
      'FROM registry.example.internal/base/a:1',
      'RUN --mount=type=cache,target=/c --mount=from=tools,target=/t ls',
    );
    expect(lines(R, ['FROM registry.example.internal/base/a:1', 'ARG IMG', 'COPY --from=$IMG /x /x'])).toEqual([3]);
  });
  test('a stage named later is not an earlier stage', () => {
    expect(lines(R, ['FROM later', 'FROM registry.example.internal/base/a:1 AS later'])).toEqual([1]);
  });
  test('stage names match case-insensitively', () => {
    ok('FROM registry.example.internal/base/a:1 AS Build', 'FROM BUILD');
  });
  test('invalid references are untrusted', () => {
    expect(findings(R, ['FROM Registry.example.internal/Base:1'])[0].message).toMatch(/not a valid image reference/);
  });
  test('no trusted registry in the policy: everything but stages and scratch fails', () => {
    expect(lines(R, ['FROM registry.example.internal/base/a:1'], DEFAULT_POLICY)).toEqual([1]);
  });
  test('points at the image name', () => {
    const [f] = findings(R, ['FROM --platform=linux/amd64 node:20 AS x']);
    expect([f.line, f.column]).toEqual([1, 29]);
  });
});
