import { describe, expect, it, vi } from 'vitest';
import { COMMANDS, DOCKER_GROUPS } from './docker/flag-table.js';
import { VERBS } from './docker/verbs.js';
import { SUPPORTED_COMMANDS } from './guards/flag-classes.js';
import { MANAGEMENT_COMMANDS } from './lean.js';

describe('the lean entry reaches every docker spelling of a supported verb', () => {
  it("routes exactly docker's management commands that hold a supported verb", () => {
    const holding = new Set(
      SUPPORTED_COMMANDS.flatMap((name) => COMMANDS[name].aliases.filter((w) => w.length === 2).map((w) => w[0])),
    );
    expect([...MANAGEMENT_COMMANDS].sort()).toEqual([...holding].sort());
    for (const g of MANAGEMENT_COMMANDS) expect(DOCKER_GROUPS[g], g).toBeDefined();
  });
  it('a one-word spelling is a verb of the table or `remove`', () => {
    const oneWord = SUPPORTED_COMMANDS.flatMap((name) => COMMANDS[name].aliases.filter((w) => w.length === 1));
    const names = new Set(VERBS.map((v) => v.name));
    expect(oneWord.map((w) => w[0]).filter((w) => !names.has(w))).toEqual(['remove']);
  });
});

describe("help for docker's other spellings of a verb", () => {
  it("`image build --help` and `builder build --help` show build's help, as `build --help` does", async () => {
    const { runLean } = await import('./lean.js');
    let out = '';
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((b) => ((out += String(b)), true));
    try {
      for (const argv of [
        ['build', '--help'],
        ['image', 'build', '--help'],
        ['builder', 'build', '--help'],
      ]) {
        out = '';
        expect(await runLean(argv)).toBe(0);
        expect(out).toMatch(/^Build an image from an approved Dockerfile\./);
      }
    } finally {
      spy.mockRestore();
    }
  });
});
