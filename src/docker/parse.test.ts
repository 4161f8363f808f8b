// The pflag/cobra rules docker 28.2.2 applies (docker-cli-flags.json → pflagRules), one or more
// tests each, with docker's own error wording (checked against /usr/local/bin/docker).
import { describe, expect, it } from 'vitest';
import { UsageError } from './model.js';
import { parseDockerArgv as parse, wantsHelp } from './parse.js';

const IMG = 'registry.example.internal/team/app:1.0';

function usage(argv: string[]): string {
  try {
    parse(argv);
  } catch (e) {
    if (e instanceof UsageError) return e.message;
    throw e;
  }
  throw new Error(`expected a usage error: ${argv.join(' ')}`);
}

describe('long flags', () => {
  it("'--name=value' and '--name value'; the split is on the first '=' only", () => {
    expect(parse(['run', '--env=A=B', '--name', 'web', IMG]).flags).toEqual({ env: ['A=B'], name: ['web'] });
  });
  it("'--name value' consumes the next element whatever it looks like", () => {
    expect(parse(['run', '--name', '--privileged', IMG]).flags).toEqual({ name: ['--privileged'] });
    expect(parse(['run', '-e', '-d', IMG]).flags).toEqual({ env: ['-d'] });
    expect(usage(['run', '--cpus', '--privileged', IMG])).toBe(
      'invalid argument "--privileged" for "--cpus" flag: failed to parse --privileged as a rational number',
    );
  });
  it('a value-taking flag at the end needs an argument', () => {
    expect(usage(['run', '--name'])).toBe('flag needs an argument: --name');
    expect(usage(['run', '--net=a', '--net'])).toBe('flag needs an argument: --net');
  });
  it('no normalisation and no abbreviation', () => {
    expect(usage(['run', '--Privileged', IMG])).toBe('unknown flag: --Privileged');
    expect(usage(['run', '--priv', IMG])).toBe('unknown flag: --priv');
    expect(usage(['run', '--x=1', IMG])).toBe('unknown flag: --x');
  });
  it("'---x' and '--=x' are bad flag syntax", () => {
    expect(usage(['run', '---x', IMG])).toBe('bad flag syntax: ---x');
    expect(usage(['run', '--=x', IMG])).toBe('bad flag syntax: --=x');
  });
});

describe('bool flags', () => {
  it('alone mean true and never consume the next element', () => {
    const p = parse(['run', '--privileged', 'true']);
    expect(p.flags).toEqual({ privileged: ['true'] });
    expect(p.args).toEqual(['true']);
    expect(parse(['run', '-d', 'false']).args).toEqual(['false']);
  });
  it.each([
    ['1', 'true'],
    ['t', 'true'],
    ['T', 'true'],
    ['TRUE', 'true'],
    ['true', 'true'],
    ['True', 'true'],
    ['0', 'false'],
    ['f', 'false'],
    ['F', 'false'],
    ['FALSE', 'false'],
    ['false', 'false'],
    ['False', 'false'],
  ])('--rm=%s is %s', (v, b) => {
    expect(parse(['run', `--rm=${v}`, IMG]).flags.rm).toEqual([b]);
  });
  it.each(['yes', 'on', '', 'tRUE', '2'])('--rm=%j is an invalid argument', (v) => {
    expect(usage(['run', `--rm=${v}`, IMG])).toBe(
      `invalid argument "${v}" for "--rm" flag: strconv.ParseBool: parsing "${v}": invalid syntax`,
    );
  });
  it('the error names the flag as registered, whatever the spelling', () => {
    const msg = 'invalid argument "yes" for "-d, --detach" flag: strconv.ParseBool: parsing "yes": invalid syntax';
    expect(usage(['run', '--detach=yes', IMG])).toBe(msg);
    expect(usage(['run', '-d=yes', IMG])).toBe(msg);
  });
});

describe('shorthands', () => {
  it('combine: -itdP, and the first value-taking one takes the rest of the group', () => {
    expect(parse(['run', '-itdP', IMG]).flags).toEqual({
      interactive: ['true'],
      tty: ['true'],
      detach: ['true'],
      'publish-all': ['true'],
    });
    const p = parse(['run', '-dPv/:/h', IMG]);
    expect(p.flags).toEqual({ detach: ['true'], 'publish-all': ['true'], volume: ['/:/h'] });
    expect(p.args).toEqual([IMG]);
    expect(parse(['run', '-itv/:/x', IMG]).flags.volume).toEqual(['/:/x']);
  });
  it('-p80:80, -p 80:80, -p=80:80, -dp 80:80, -dp80:80 are all publish 80:80', () => {
    for (const argv of [['-p80:80'], ['-p', '80:80'], ['-p=80:80'], ['-dp', '80:80'], ['-dp80:80']])
      expect(parse(['run', ...argv, IMG]).flags.publish).toEqual(['80:80']);
  });
  it("'=' works for bools and inside a group: -d=false, -dP=false", () => {
    expect(parse(['run', '-d=false', IMG]).flags).toEqual({ detach: ['false'] });
    expect(parse(['run', '-dP=false', IMG]).flags).toEqual({ detach: ['true'], 'publish-all': ['false'] });
    expect(usage(['run', '-d=', IMG])).toBe("unknown shorthand flag: '=' in -=");
  });
  it('unknown shorthands name the rest of the group from the unknown letter', () => {
    expect(usage(['run', '-x', IMG])).toBe("unknown shorthand flag: 'x' in -x");
    expect(usage(['run', '-dx', IMG])).toBe("unknown shorthand flag: 'x' in -x");
    expect(usage(['run', '-dxy', IMG])).toBe("unknown shorthand flag: 'x' in -xy");
    expect(usage(['run', '-é', IMG])).toBe("unknown shorthand flag: 'Ã' in -é");
  });
  it('a value-taking shorthand at the end needs an argument', () => {
    expect(usage(['run', '-dp'])).toBe("flag needs an argument: 'p' in -p");
    expect(usage(['run', '-e'])).toBe("flag needs an argument: 'e' in -e");
  });
  it("'-test.' is silently dropped, also inside a group", () => {
    expect(parse(['run', '-test.v', IMG]).flags).toEqual({});
    expect(parse(['run', '-dtest.anything', IMG]).flags).toEqual({ detach: ['true'] });
    expect(usage(['run', '-dtest.x'])).toBe("docker: 'docker run' requires at least 1 argument");
  });
});

describe('positionals and --', () => {
  it("'--' ends flags and is removed: 'docker run -- --privileged' runs image --privileged", () => {
    expect(parse(['run', '-d', '--', IMG, 'cmd']).args).toEqual([IMG, 'cmd']);
    const p = parse(['run', '--', '--privileged']);
    expect(p.flags).toEqual({});
    expect(p.args).toEqual(['--privileged']);
  });
  it("a '--' after run's image belongs to the container command", () => {
    expect(parse(['run', IMG, 'ls', '--', '-x']).args).toEqual([IMG, 'ls', '--', '-x']);
  });
  it("a bare '-' and an empty string are positionals ('docker run -' uses image '-')", () => {
    expect(parse(['run', '-']).args).toEqual(['-']);
    expect(parse(['run', '', '-d']).args).toEqual(['', '-d']);
    expect(parse(['rm', '-', '-f']).flags).toEqual({ force: ['true'] });
  });
  it.each([
    ['run', ['run', '-d', IMG, '--privileged', '-v', '/:/h'], [IMG, '--privileged', '-v', '/:/h']],
    ['create', ['create', IMG, '--privileged'], [IMG, '--privileged']],
    ['exec', ['exec', '-d', 'c1', '--privileged', 'sh'], ['c1', '--privileged', 'sh']],
    ['tag', ['tag', 'a', '--privileged'], ['a', '--privileged']],
    ['top', ['top', 'c1', '-ef'], ['c1', '-ef']],
  ])('interspersed=false (%s): flags after the first positional belong to it', (_, argv, args) => {
    const p = parse(argv as string[]);
    expect(p.args).toEqual(args);
    expect(p.flags.privileged).toBeUndefined();
  });
  it('other commands read flags after positionals: docker rm c1 -f', () => {
    const p = parse(['rm', 'c1', '-f', 'c2']);
    expect(p.flags).toEqual({ force: ['true'] });
    expect(p.args).toEqual(['c1', 'c2']);
  });
});

describe('-h and --help', () => {
  it('-h is --hostname on run and create, and takes a value', () => {
    expect(parse(['run', '-h', 'box', IMG]).flags).toEqual({ hostname: ['box'] });
    expect(parse(['create', '-hbox', IMG]).flags).toEqual({ hostname: ['box'] });
    expect(usage(['run', '-h'])).toBe("flag needs an argument: 'h' in -h");
  });
  it('-h is help elsewhere, and help skips the argument count', () => {
    expect(parse(['logs', '-h']).flags).toEqual({ help: ['true'] });
    expect(parse(['ps', '--help', 'x']).flags).toEqual({ help: ['true'] });
    expect(parse(['run', '--help']).flags).toEqual({ help: ['true'] });
    expect(usage(['ps', '--help=false', 'x'])).toBe("docker: 'docker ps' accepts no arguments");
  });
  it("a global --help reaches inherited help, but not run's own", () => {
    expect(parse(['--help', 'ps', 'x']).globals).toEqual({ help: ['true'] });
    expect(usage(['--help', 'run'])).toBe("docker: 'docker run' requires at least 1 argument");
  });
  it("--help after run's image belongs to the container", () => {
    expect(parse(['run', IMG, '--help']).flags).toEqual({});
  });
  it('wantsHelp: docker would print help instead of running', () => {
    expect(wantsHelp(parse(['run', '--help']))).toBe(true);
    expect(wantsHelp(parse(['login', '-h']))).toBe(true);
    expect(wantsHelp(parse(['--help', 'login']))).toBe(true);
    expect(wantsHelp(parse(['run', IMG, '--help']))).toBe(false);
    expect(wantsHelp(parse(['run', '--help=false', IMG]))).toBe(false);
    expect(wantsHelp(parse(['ps']))).toBe(false);
    expect(wantsHelp(parse(['frobnicate', '--help']))).toBe(false);
  });
});

describe('global flags', () => {
  it('are read before the command only', () => {
    const p = parse(['-D', '-l', 'debug', 'ps']);
    expect(p.globals).toEqual({ debug: ['true'], 'log-level': ['debug'] });
    expect(usage(['ps', '-H', 'x'])).toBe("unknown shorthand flag: 'H' in -H");
    expect(usage(['ps', '--config', 'x'])).toBe('unknown flag: --config');
  });
  it("'--' before the command is allowed", () => {
    expect(parse(['--', 'version']).command).toBe('version');
  });
  it('-H is a list, --host=… too; -v with a command is just a flag', () => {
    expect(parse(['-H', 'unix:///a', '--host=tcp://b', 'ps']).globals).toEqual({ host: ['unix:///a', 'tcp://b'] });
    expect(parse(['-v', 'ps']).command).toBe('ps');
  });
});

describe('command lookup', () => {
  it.each([
    [['container', 'run', IMG], 'run'],
    [['container', 'ls'], 'ps'],
    [['container', 'list'], 'ps'],
    [['container', 'ps'], 'ps'],
    [['image', 'push', IMG], 'push'],
    [['image', 'ls'], 'images'],
    [['image', 'rm', IMG], 'rmi'],
    [['remove', 'c1'], 'rm'],
    [['container', 'remove', 'c1'], 'rm'],
    [['system', 'info'], 'info'],
    [['builder', 'build', '.'], 'build'],
    [['image', 'rmi', IMG], 'rmi'],
    [['container', 'inspect', 'c1'], 'container inspect'],
    [['image', 'inspect', IMG], 'image inspect'],
    [['inspect', 'c1'], 'inspect'],
  ])('%j is %s', (argv, command) => {
    expect(parse(argv as string[]).command).toBe(command);
  });
  it('an unknown command is not parsed', () => {
    const p = parse(['volume', 'create', '-d', 'x']);
    expect(p.command).toBeNull();
    expect(p.words).toEqual(['volume']);
    // docker has these, the table does not: left to the supported-command rule.
    expect(parse(['container', 'diff', 'c1']).command).toBeNull();
    expect(parse(['system', 'df']).command).toBeNull();
    expect(parse(['image', 'history', IMG]).command).toBeNull();
  });
  it("a sub-command docker does not have under a management command is docker's unknown command", () => {
    for (const [group, sub] of [
      ['container', 'frob'],
      ['image', 'logs'],
      ['container', 'images'],
      ['image', 'ps'],
      ['system', 'inspect'],
      ['system', 'version'],
      ['builder', 'ls'],
    ]) {
      expect(usage([group, sub, 'x'])).toBe(`docker: unknown command: docker ${group} ${sub}`);
      try {
        parse([group, sub]);
      } catch (e) {
        expect((e as UsageError).words).toEqual([group]); // the hint: 'cida-docker image --help'
      }
    }
  });
});

describe('aliases and repeats', () => {
  it('hidden aliases merge into their canonical flag, in order', () => {
    expect(parse(['run', '--net', 'a', '--network=b', IMG]).flags).toEqual({ network: ['a', 'b'] });
    expect(parse(['run', '--net-alias', 'x', '--network-alias', 'y', '--net=n', IMG]).flags['network-alias']).toEqual([
      'x',
      'y',
    ]);
    expect(parse(['run', '--dns-opt', 'a', '--dns-option', 'b', IMG]).flags['dns-option']).toEqual(['a', 'b']);
    expect(parse(['stop', '--time', '5', 'c1']).flags).toEqual({ timeout: ['5'] });
  });
  it('stop --time with --timeout is refused like docker does', () => {
    expect(usage(['stop', '--time', '1', '-t', '2', 'c1'])).toBe(
      'conflicting options: cannot specify both --timeout and --time',
    );
    expect(parse(['stop', '-t', '1', '--timeout=2', 'c1']).flags).toEqual({ timeout: ['2'] });
  });
  it('scalars: last wins; lists append', () => {
    expect(parse(['run', '--name', 'a', '--name=b', '--privileged=false', '--privileged', IMG]).flags).toEqual({
      name: ['b'],
      privileged: ['true'],
    });
    expect(parse(['run', '-e', 'A=1', '--env=B=2', '-eC=3', IMG]).flags.env).toEqual(['A=1', 'B=2', 'C=3']);
  });
});

describe('positional counts (cobra, cli/required.go)', () => {
  it.each([
    [['run'], "docker: 'docker run' requires at least 1 argument"],
    [['container', 'run'], "docker: 'docker container run' requires at least 1 argument"],
    [['exec', 'c1'], "docker: 'docker exec' requires at least 2 arguments"],
    [['ps', 'x'], "docker: 'docker ps' accepts no arguments"],
    [['container', 'list', 'x'], "docker: 'docker container ls' accepts no arguments"],
    [['images', 'a', 'b'], "docker: 'docker images' requires at most 1 argument"],
    [['port'], "docker: 'docker port' requires at least 1 and at most 2 arguments"],
    [['tag', 'a'], "docker: 'docker tag' requires 2 arguments"],
    [['remove'], "docker: 'docker rm' requires at least 1 argument"],
    [['image', 'remove'], "docker: 'docker image rm' requires at least 1 argument"],
    [['system', 'info', 'x'], "docker: 'docker system info' accepts no arguments"],
    [['logs'], "docker: 'docker logs' requires 1 argument"],
    [['image', 'rmi'], "docker: 'docker image rm' requires at least 1 argument"],
    [['container', 'inspect'], "docker: 'docker container inspect' requires at least 1 argument"],
    [['image', 'inspect'], "docker: 'docker image inspect' requires at least 1 argument"],
  ])('%j', (argv, msg) => {
    expect(usage(argv as string[])).toBe(msg);
  });
  it('the words are kept for the hint', () => {
    try {
      parse(['container', 'run']);
    } catch (e) {
      expect((e as UsageError).words).toEqual(['container', 'run']);
    }
  });
});

describe('values docker checks while parsing', () => {
  it.each([
    [
      ['run', '--cpu-shares', 'x', IMG],
      'invalid argument "x" for "-c, --cpu-shares" flag: strconv.ParseInt: parsing "x": invalid syntax',
    ],
    [
      ['run', '--blkio-weight', '70000', IMG],
      'invalid argument "70000" for "--blkio-weight" flag: strconv.ParseUint: parsing "70000": value out of range',
    ],
    [
      ['run', '--health-interval', '1', IMG],
      'invalid argument "1" for "--health-interval" flag: time: missing unit in duration "1"',
    ],
    [['run', '-m', '1x', IMG], 'invalid argument "1x" for "-m, --memory" flag: invalid suffix: \'x\''],
    [['run', '-e', '', IMG], 'invalid argument "" for "-e, --env" flag: invalid environment variable: '],
    [
      ['run', '--add-host', 'h:x', IMG],
      'invalid argument "h:x" for "--add-host" flag: invalid IP address in add-host: "x"',
    ],
    [['run', '--dns', 'x', IMG], 'invalid argument "x" for "--dns" flag: IP address is not correctly formatted: x'],
    [
      ['run', '--ulimit', 'nofile=2:1', IMG],
      'invalid argument "nofile=2:1" for "--ulimit" flag: ulimit soft limit must be less than or equal to hard limit: 2 > 1',
    ],
    [['run', '--mount', 'type=tmpfs', IMG], 'invalid argument "type=tmpfs" for "--mount" flag: target is required'],
    [['run', '--network', 'name=,x=y', IMG], 'invalid argument "name=,x=y" for "--network" flag: invalid field key x'],
    [['run', '-l', ' ', IMG], 'invalid argument " " for "-l, --label" flag: invalid label \' \': empty name'],
    [['ps', '-f', 'x'], 'invalid argument "x" for "-f, --filter" flag: bad format of filter (expected name=value)'],
  ])('%j', (argv, msg) => {
    expect(usage(argv as string[])).toBe(msg);
  });
  it('accepts what docker accepts: Go base-0 integers, units, rationals', () => {
    expect(
      parse([
        'run',
        '--cpu-shares',
        '0x10',
        '--pids-limit=1_0',
        '--oom-score-adj=-0o20',
        '-m',
        '1.5g',
        '--cpus',
        '1/2',
        IMG,
      ]).flags,
    ).toMatchObject({
      'cpu-shares': ['0x10'],
      'pids-limit': ['1_0'],
    });
  });
});

describe('what run/create reject after parsing, before creating', () => {
  it.each([
    [['run', '-p', '=', IMG], "invalid publish opts format (should be name=value but got '=')"],
    [['run', '-p', '70000:80', IMG], 'invalid hostPort: 70000'],
    [['run', '-p', 'x:80:80', IMG], 'invalid IP address: x'],
    [['run', '--expose', 'a:b', IMG], 'invalid port format for --expose: a:b'],
    [['run', '--pid', 'foo', IMG], '--pid: invalid PID mode'],
    [
      ['run', '--restart', 'on-failure:x', IMG],
      'invalid restart policy format: maximum retry count must be an integer',
    ],
    [['run', '--rm', '--restart=always', IMG], 'conflicting options: cannot specify both --restart and --rm'],
    [['run', '--security-opt', 'foo', IMG], 'Invalid --security-opt: "foo"'],
    [['run', '--network-alias', 'a', IMG], 'network-scoped aliases are only supported for user-defined networks'],
    [
      ['run', '--pull', 'sometimes', IMG],
      'invalid pull option: \'sometimes\': must be one of "always", "missing" or "never"',
    ],
    [['run', '-v', '/a::b', IMG], 'invalid spec: /a::b: empty section between colons'],
    [['create', '--mac-address', 'zz', IMG], 'zz is not a valid mac address'],
    [['run', '--no-healthcheck', '--health-cmd=x', IMG], '--no-healthcheck conflicts with --health-* options'],
    [['run', '-a', 'stdout', '-d', IMG], 'conflicting options: cannot specify both --attach and --detach'],
  ])('%j', (argv, msg) => {
    expect(usage(argv as string[])).toBe(msg);
  });
  it('but not with --help', () => {
    expect(parse(['run', '--help', '-p', '=']).flags.help).toEqual(['true']);
  });
});

describe('bool values are pflag strconv.ParseBool values, not object properties', () => {
  it.each(['valueOf', 'constructor', 'toString', '__proto__', 'hasOwnProperty'])(
    '--privileged=%s is docker usage error',
    (v) => {
      expect(() => parse(['run', `--privileged=${v}`, 'img'])).toThrow(/strconv.ParseBool/);
    },
  );
});
