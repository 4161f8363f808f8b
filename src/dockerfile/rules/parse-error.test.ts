import { describe, expect, test } from 'vitest';
import { findings, lines } from '../test-helpers.js';

const R = 'parse-error';
const B = 'FROM registry.example.internal/base/a:1';

describe('parse-error', () => {
  test('no FROM, empty file', () => {
    expect(lines(R, [''])).toEqual([1]);
    expect(findings(R, ['ARG X=1'])[0].message).toContain('no FROM');
  });
  test('unknown instructions, instructions before FROM, bad FROM', () => {
    expect(lines(R, [B, 'FOO bar'])).toEqual([2]);
    expect(lines(R, ['RUN true', B])).toEqual([1]);
    expect(lines(R, ['FROM a b'])).toEqual([1]);
  });
  test('unterminated heredoc, bad escape directive', () => {
    expect(lines(R, [B, 'RUN <<EOF', 'echo'])).toEqual([2]);
    expect(lines(R, ['# escape=x', B])).toEqual([1]);
  });
  test('a good file has none', () => {
    expect(
      lines(R, ['# syntax=registry.example.internal/fe:1', 'ARG V=1', B, 'RUN <<EOF', 'true', 'EOF', 'USER 1']),
    ).toEqual([]);
  });
});
