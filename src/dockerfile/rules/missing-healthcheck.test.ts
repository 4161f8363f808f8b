import { describe, expect, test } from 'vitest';
import { lines } from '../test-helpers.js';

const R = 'missing-healthcheck';
const B = 'FROM registry.example.internal/base/a:1';

describe('missing-healthcheck', () => {
  test('reported on the final FROM', () => {
    expect(lines(R, [B, 'USER 1'])).toEqual([1]);
    expect(lines(R, [B + ' AS build', 'HEALTHCHECK CMD true', B])).toEqual([3]);
  });
  test('present, NONE, or inherited from a parent stage', () => {
    expect(lines(R, [B, 'HEALTHCHECK --interval=30s CMD curl -f http://localhost:8080/ || exit 1'])).toEqual([]);
    expect(lines(R, [B, 'HEALTHCHECK NONE'])).toEqual([]);
    expect(lines(R, [B + ' AS base', 'HEALTHCHECK CMD true', 'FROM base'])).toEqual([]);
  });
});
