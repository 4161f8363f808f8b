import { describe, expect, test } from 'vitest';
import { findings, lines } from '../test-helpers.js';

const R = 'root-user';
const B = 'FROM registry.example.internal/base/debian:12';

describe('root-user', () => {
  test('a non-root final USER passes; a temporary USER root that returns is fine', () => {
    expect(lines(R, [B, 'USER app'])).toEqual([]);
    expect(lines(R, [B, 'USER 10001:10001'])).toEqual([]);
    expect(lines(R, [B, 'USER 10001', 'USER root', 'RUN apt-get update', 'USER 10001'])).toEqual([]);
  });
  test('root in every spelling', () => {
    for (const u of ['0', 'root', '0:0', 'root:root', '00', 'root:10001'])
      expect(lines(R, [B, 'USER app', `USER ${u}`]), u).toEqual([3]);
  });
  test('a non-root user in group 0 is root: gid 0 (the same decision as run and the broker)', () => {
    expect(lines(R, [B, 'USER 10001:0'])).toEqual([2]);
    expect(lines(R, [B, 'USER app:root'])).toEqual([2]);
    expect(findings(R, [B, 'USER 10001:0'])[0].message).toMatch(/gid 0 \(group root\)/);
    expect(lines(R, [B, 'USER :10001'])).toEqual([2]);
  });
  test('no USER at all', () => {
    const f = findings(R, [B, 'RUN true']);
    expect(f.map((x) => x.line)).toEqual([1]);
    expect(f[0].message).toContain('sets no USER');
  });
  test('case-insensitive instructions and a continuation inside the keyword', () => {
    expect(lines(R, [B, 'user app', 'US\\', 'ER 0'])).toEqual([3]);
    expect(lines(R, [B, 'US\\', 'ER 0', 'uSeR app'])).toEqual([]);
    expect(lines(R, [B, 'USER \\', '  # a comment inside the continuation', '  0'])).toEqual([2]);
  });
  test('the escape directive changes the continuation character', () => {
    expect(lines(R, ['# escape=`', B, 'US`', 'ER 0'])).toEqual([3]);
  });
  test('a stage inherits its parent stage USER through FROM <stage> chains', () => {
    expect(lines(R, [B + ' AS base', 'USER 10001', 'FROM base AS mid', 'RUN true', 'FROM mid'])).toEqual([]);
    expect(lines(R, [B + ' AS base', 'USER 0', 'FROM base AS mid', 'FROM mid'])).toEqual([2]);
    expect(lines(R, [B + ' AS base', 'USER 10001', 'FROM base', 'USER root'])).toEqual([4]);
  });
  test('a USER in another (non-parent) stage does not count', () => {
    expect(lines(R, [B + ' AS build', 'USER 10001', B])).toEqual([3]);
  });
  test('USER from ARG and ENV', () => {
    expect(lines(R, [B, 'ARG UID=10001', 'USER ${UID}'])).toEqual([]);
    expect(lines(R, [B, 'ENV APP_USER=app', 'USER $APP_USER'])).toEqual([]);
    expect(lines(R, [B, 'ARG UID=0', 'USER ${UID}'])).toEqual([3]);
    expect(lines(R, [B, 'ARG UID', 'USER ${UID:-10001}'])).toEqual([]);
    const f = findings(R, [B, 'ARG UID', 'USER $UID']);
    expect(f.map((x) => x.line)).toEqual([3]);
    expect(f[0].message).toContain('$UID has no default');
  });
});
