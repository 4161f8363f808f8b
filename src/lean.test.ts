import { describe, expect, it } from 'vitest';
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
