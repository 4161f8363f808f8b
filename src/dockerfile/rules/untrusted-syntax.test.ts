import { describe, expect, test } from 'vitest';
import { detectSyntax } from '../model.js';
import { lines } from '../test-helpers.js';

const R = 'untrusted-syntax';
const B = 'FROM registry.example.internal/base/a:1';

describe('untrusted-syntax', () => {
  test('Docker Hub frontends fail, trusted ones pass, no directive passes', () => {
    expect(lines(R, ['# syntax=docker/dockerfile:1', B])).toEqual([1]);
    expect(lines(R, ['# syntax = registry.example.internal/docker/dockerfile:1.7', B])).toEqual([]);
    expect(lines(R, [B])).toEqual([]);
  });
  test('case-insensitive name, any order among directives, after a shebang', () => {
    expect(lines(R, ['# escape=\\', '#SYNTAX=evil.com/fe:1', B])).toEqual([2]);
    expect(lines(R, ['#!/usr/bin/env dockerfile', '# syntax=evil.com/fe:1', B])).toEqual([2]);
  });
  test('BuildKit also reads // syntax= and a JSON {"syntax"} file', () => {
    expect(lines(R, ['// syntax=evil.com/fe:1', B])).toEqual([1]);
    expect(detectSyntax('{"syntax": "evil.com/fe:1"}')?.value).toBe('evil.com/fe:1');
  });
  test('a directive after an instruction, a blank line or another comment is only a comment', () => {
    expect(lines(R, [B, '# syntax=docker/dockerfile:1'])).toEqual([]);
    expect(lines(R, ['', '# syntax=docker/dockerfile:1', B])).toEqual([]);
    expect(lines(R, ['# hello', '# syntax=docker/dockerfile:1', B])).toEqual([]);
  });
  test('only the first word is the image', () => {
    expect(detectSyntax('# syntax=registry.example.internal/fe:1 --opt x\nFROM a')?.value).toBe(
      'registry.example.internal/fe:1',
    );
  });
});
