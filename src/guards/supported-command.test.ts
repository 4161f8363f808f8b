import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../docker/flag-table.js';
import { SUPPORTED_COMMANDS } from './flag-classes.js';
import { decide } from './index.js';
import { supportedCommandList } from './supported-command.js';
import { IMAGE, TEST_POLICY, TRUSTED, verdict } from './test-helpers.js';

const ID = 'supported-command';

/** Minimal positionals each supported command needs to parse. */
const MIN_ARGS: Record<string, string[]> = {
  build: ['.'],
  run: [IMAGE],
  push: [IMAGE],
  pull: [IMAGE],
  ps: [],
  logs: ['web'],
  stop: ['web'],
  start: ['web'],
  restart: ['web'],
  rm: ['web'],
  exec: ['web', 'sh'],
  inspect: ['web'],
  'container inspect': ['web'],
  'image inspect': [IMAGE],
  port: ['web'],
  images: [],
  tag: [IMAGE, `${TRUSTED}/team/app:2.0`],
  login: [TRUSTED],
  logout: [TRUSTED],
  version: [],
  rmi: [IMAGE],
  info: [],
  top: ['web'],
  wait: ['web'],
  kill: ['web'],
  stats: [],
};

describe('supported-command: refused', () => {
  it.each([
    [['create', IMAGE]],
    [['create', '-v', '/:/host', IMAGE]],
    [['container', 'create', IMAGE]],
    [['cp', 'web:/etc/passwd', '/tmp/x']],
    [['container', 'cp', '/etc/shadow', 'web:/x']],
    [['save', '-o', '/tmp/x.tar', IMAGE]],
    [['image', 'save', IMAGE]],
    [['load', '-i', '/tmp/x.tar']],
    [['image', 'load']],
    [['export', 'web']],
    [['commit', 'web', IMAGE]],
    [['attach', 'web']],
    [['update', 'web']],
    [['rename', 'web', 'api']],
    [['image', 'prune']],
    [['-D', 'cp', 'a', 'b']],
    [['--', 'cp', 'a', 'b']],
  ])('%j is refused after parsing as docker does', (argv) => {
    expect(verdict(argv)).toEqual([ID]);
  });

  // Commands our flag table does not describe: the parser may call them usage errors (docker
  // says "'x' is not a docker command") or leave them to this rule; never allowed.
  it.each([
    [['import', '/tmp/rootfs.tar', IMAGE]],
    [['volume', 'ls']],
    [['volume', 'create', 'data']],
    [['context', 'use', 'evil']],
    [['context', 'create', 'evil', '--docker', 'host=tcp://evil.example.com:2375']],
    [['plugin', 'install', '--grant-all-permissions', 'vieux/sshfs']],
    [['compose', 'up', '-d']],
    [['buildx', 'build', '--allow', 'security.insecure', '.']],
    [['service', 'create', '--mount', 'type=bind,src=/,dst=/host', IMAGE]],
    [['network', 'create', 'mynet']],
    [['system', 'prune', '-af']],
    [['system', 'df']],
    [['swarm', 'init']],
    [['secret', 'create', 's', '/etc/shadow']],
    [['container']],
    [['container', 'frobnicate']],
    [['image']],
    [['help']],
    [['foo']],
    [['Run', IMAGE]],
    [['RUN', IMAGE]],
    [['', 'ps']],
  ])('%j is never allowed', (argv) => {
    const v = verdict(argv);
    if (v !== 'usage') expect(v).toContain(ID);
  });

  it('says which command was refused and lists the supported ones with their aliases', () => {
    const d = decide(['cp', 'web:/etc/passwd', '/tmp/x'], TEST_POLICY);
    const v = d.violations.find((x) => x.rule === ID);
    expect(v?.message).toContain('"docker cp"');
    expect(v?.message).toContain('host files as root');
    expect(v?.fix).toContain('run (container run)');
    expect(v?.fix).toContain('rm (container rm, container remove, remove)');
    expect(v?.fix).toContain('push (image push)');
    const unknown = decide(['system', 'prune'], TEST_POLICY).violations.find((x) => x.rule === ID);
    expect(unknown?.message).toContain('"docker system prune" is not a docker command cida-docker supports');
  });

  it('the list names every supported command and no unsupported one', () => {
    const list = supportedCommandList();
    for (const c of SUPPORTED_COMMANDS) expect(list).toMatch(new RegExp(`(^|, )${c}\\b`));
    for (const c of ['create', 'cp', 'save', 'load', 'commit', 'update'])
      expect(list).not.toMatch(new RegExp(`(^|, )${c}\\b`));
  });
});

describe('supported-command: allowed', () => {
  const cases = SUPPORTED_COMMANDS.flatMap((name) =>
    COMMANDS[name].aliases.map((words) => [[...words, ...MIN_ARGS[name]]] as [string[]]),
  );
  it.each(cases)('%j is a supported command', (argv) => {
    const v = verdict(argv);
    expect(v).not.toBe('usage');
    expect(v).not.toContain(ID);
  });

  it.each([[[]], [['-v']], [['--version']], [['--help']], [['-h']], [['-D']], [['--log-level', 'debug']]])(
    'docker %j with no command is fine',
    (argv) => {
      expect(verdict(argv)).toEqual([]);
    },
  );

  it('container inspect and image inspect are supported with their own flags, not inspect --type', () => {
    expect(verdict(['container', 'inspect', '-s', '--format', '{{.Id}}', 'web'])).toEqual([]);
    expect(verdict(['image', 'inspect', '--platform', 'linux/amd64', '-f', 'json', IMAGE])).toEqual([]);
    expect(verdict(['image', 'inspect', '--type', 'container', 'web'])).toBe('usage');
    expect(verdict(['container', 'inspect', '--type', 'image', 'web'])).toBe('usage');
    expect(verdict(['image', 'inspect', '-s', IMAGE])).toBe('usage');
  });

  it('aliases are checked by the same rules as the canonical command', () => {
    expect(verdict(['container', 'run', '-v', '/:/host', IMAGE])).toContain('host-mount');
    expect(verdict(['container', 'exec', '--privileged', 'web', 'sh'])).toContain('privileged');
  });
});
