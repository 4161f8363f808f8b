import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../docker/flag-table.js';
import { VERBS } from '../docker/verbs.js';
import { SUPPORTED_COMMANDS } from '../guards/flag-classes.js';
import { verbHelp } from './verb-help.js';

describe('cida-docker VERB --help', () => {
  it("lists docker's run flags with what the policy does with each, and the rule id", () => {
    const text = verbHelp('run') ?? '';
    const line = (flag: string): string => text.split('\n').find((l) => l.includes(flag)) ?? '';
    expect(text).toMatch(/^USAGE\n {2}\$ cida-docker run \[OPTIONS\] IMAGE \[COMMAND\] \[ARG\.\.\.\]$/m);
    expect(line('--volume ')).toMatch(/-v, --volume list\s+refused \(host-mount\)\s+Bind mount a volume/);
    expect(line('--privileged')).toMatch(/refused \(privileged\)/);
    expect(line('--detach ')).toMatch(
      /-d, --detach\s+checked \(detached-service\), forced\s+Run container in background/,
    );
    expect(line('--publish-all')).toMatch(/-P, --publish-all\s+checked \(detached-service\), forced/);
    expect(line('--cgroupns')).toMatch(/forced/);
    expect(line('--memory ')).toMatch(/checked \(resource-limits\), forced/);
    expect(line('--env ')).toMatch(/-e, --env list\s+allowed/);
    expect(line('--label ')).toMatch(/checked \(reserved-label\)\s/);
    expect(text).not.toMatch(/--net\b(?!work)/); // hidden aliases are not listed
    expect(text).toMatch(/EXAMPLES\n {2}\$ cida-docker run -d -p 8080/);
  });
  it("container inspect and image inspect list their own docker flags, not inspect's", () => {
    const c = verbHelp('container inspect') ?? '';
    expect(c).toMatch(/^ {2}\$ cida-docker container inspect \[OPTIONS\] CONTAINER \[CONTAINER\.\.\.\]$/m);
    expect(c).toMatch(/-s, --size\s+allowed\s+Display total file sizes$/m);
    expect(c).toMatch(/-f, --format string\s+allowed/);
    expect(c).not.toMatch(/--type|--platform/);
    const i = verbHelp('image inspect') ?? '';
    expect(i).toMatch(/^ {2}\$ cida-docker image inspect \[OPTIONS\] IMAGE \[IMAGE\.\.\.\]$/m);
    expect(i).toMatch(/--platform string\s+allowed\s+Inspect a specific platform/);
    expect(i).not.toMatch(/--type|--size/);
    // docker's multi-line usage continues under its first line, not at column 0.
    expect(i.split('\n').filter((l) => l.startsWith("'json'"))).toEqual([]);
  });
  it('every supported verb has help; anything else has none', () => {
    for (const v of VERBS) expect(verbHelp(v.name), v.name).toMatch(/DOCKER'S FLAGS/);
    expect(verbHelp('cp')).toBeNull();
    expect(verbHelp('nosuch')).toBeNull();
  });
});

describe('one verb table', () => {
  it('the verb table and the allowlist name the same verbs, each one docker has', () => {
    const names = VERBS.map((v) => v.name).sort();
    expect([...SUPPORTED_COMMANDS].sort()).toEqual(names);
    for (const n of names) expect(COMMANDS[n], n).toBeDefined();
  });
  it('every verb is an oclif command made from its row, and README lists it', async () => {
    const { COMMANDS: OCLIF } = await import('../commands/index.js');
    for (const v of VERBS) expect(OCLIF[v.name.replaceAll(' ', ':')]?.summary, v.name).toBe(v.summary);
    const readme = fs.readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const row = readme.split('\n').find((l) => l.startsWith('| `run`')) ?? '';
    for (const v of VERBS) expect(row, v.name).toContain(`\`${v.name}\``);
  });
});
