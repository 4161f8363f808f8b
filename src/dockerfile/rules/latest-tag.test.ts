import { describe, expect, test } from 'vitest';
import { lines } from '../test-helpers.js';

const R = 'latest-tag';

describe('latest-tag', () => {
  test('untagged and :latest fail', () => {
    expect(lines(R, ['FROM registry.example.internal/base/node'])).toEqual([1]);
    expect(lines(R, ['FROM registry.example.internal/base/node:latest'])).toEqual([1]);
    expect(lines(R, ['FROM registry.example.internal:5000/base/node'])).toEqual([1]);
  });
  test('tags, digests, stages and scratch pass', () => {
    expect(lines(R, ['FROM registry.example.internal/base/node:20 AS b', 'FROM b', 'FROM scratch'])).toEqual([]);
    expect(lines(R, ['FROM registry.example.internal/base/node@sha256:' + 'c'.repeat(64)])).toEqual([]);
    expect(lines(R, ['FROM registry.example.internal:5000/base/node:20@sha256:' + 'c'.repeat(64)])).toEqual([]);
  });
  test('read after resolving ARGs', () => {
    expect(lines(R, ['ARG TAG=latest', 'FROM registry.example.internal/base/node:${TAG}'])).toEqual([2]);
    expect(lines(R, ['ARG TAG', 'FROM registry.example.internal/base/node:${TAG:-20}'])).toEqual([]);
    expect(lines(R, ['ARG IMG=registry.example.internal/base/node', 'FROM $IMG'])).toEqual([2]);
  });
  test('COPY --from=<image> too', () => {
    expect(
      lines(R, ['FROM registry.example.internal/base/a:1', 'COPY --from=registry.example.internal/tools/x /x /x']),
    ).toEqual([2]);
  });
});
