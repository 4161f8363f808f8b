// What the code under test writes to stdout and stderr, captured afresh for each test of the file
// that calls this (vitest hooks); nothing reaches the terminal.
import { afterEach, beforeEach, vi } from 'vitest';

export interface Captured {
  stdout: string;
  stderr: string;
}

export function captureStdio(): Captured {
  const seen = { stdout: '', stderr: '' };
  beforeEach(() => {
    seen.stdout = '';
    seen.stderr = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((b) => ((seen.stdout += String(b)), true));
    vi.spyOn(process.stderr, 'write').mockImplementation((b) => ((seen.stderr += String(b)), true));
  });
  afterEach(() => vi.restoreAllMocks());
  return seen;
}
