// `cida-docker VERB --help`: docker's own flags for that verb, each marked with what this host's
// policy does with it (allowed, value checked, refused, forced by cida-docker) and the rule id,
// then the verb's examples. Built from the flag table and the allowlist, never written by hand.
import { COMMAND_HELP } from '../docker/flag-help.js';
import { COMMANDS } from '../docker/flag-table.js';
import { parseDockerArgv } from '../docker/parse.js';
import { verbByName } from '../docker/verbs.js';
import { FLAG_CLASSES, type SupportedCommand } from '../guards/flag-classes.js';
import { withForcedFlags } from '../guards/forced-flags.js';
import { DEFAULT_POLICY, type Policy } from '../policy/policy.js';

/** Flags cida-docker sets on every such command, whatever the developer gives. */
function forcedFlags(verb: string, policy: Policy): Set<string> {
  if (verb !== 'run') return new Set();
  const bare = parseDockerArgv(['run', 'registry.example.internal/x/y:1']);
  const forced = new Set(Object.keys(withForcedFlags(bare, policy, { user: 'u', uid: 1 }).flags));
  forced.delete('label'); // owner labels are added beside the developer's, not instead of them
  return forced;
}

function mark(verb: string, long: string, forced: ReadonlySet<string>): string {
  const cls = FLAG_CLASSES[verb as SupportedCommand]?.[long];
  const base =
    cls === undefined
      ? 'refused (unclassified-flag)'
      : cls === 'allow'
        ? 'allowed'
        : 'refuse' in cls
          ? `refused (${cls.refuse})`
          : `checked (${cls.check})`;
  return forced.has(long) ? `${base === 'allowed' ? '' : `${base}, `}forced` : base;
}

function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      out.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') out.push(line);
  return out;
}

/** The help text of one docker verb, or null when cida-docker does not support it. */
export function verbHelp(verb: string, bin = 'cida-docker', policy: Policy = DEFAULT_POLICY): string | null {
  const info = verbByName(verb);
  const spec = COMMANDS[verb];
  const help = COMMAND_HELP[verb];
  if (!info || !spec || !help) return null;
  const forced = forcedFlags(verb, policy);
  const rows = spec.flags
    .filter((f) => !f.hidden && !f.aliasOf && f.long !== 'help')
    .sort((a, b) => a.long.localeCompare(b.long)) // as docker's own help lists them
    .map((f) => {
      const name = `${f.short ? `-${f.short}, ` : '    '}--${f.long}${f.takesValue ? ` ${f.type}` : ''}`;
      const text = help.flags[f.long];
      const usage = `${text?.usage ?? ''}${text?.default ? ` (default ${text.default})` : ''}`;
      return { name, mark: mark(verb, f.long, forced), usage };
    });
  const w1 = Math.max(...rows.map((r) => r.name.length));
  const w2 = Math.max(...rows.map((r) => r.mark.length));
  const lines = [
    info.summary,
    '',
    'USAGE',
    `  $ ${help.use.replace(/^docker /, `${bin} `)}`,
    '',
    'DESCRIPTION',
    ...wrap(`${info.description} Flags are docker's own, checked against this host's policy.`, 96).map((l) => `  ${l}`),
    '',
    "DOCKER'S FLAGS, AS THIS HOST'S POLICY TAKES THEM",
    '  allowed · checked (rule): the value is checked · refused (rule) · forced: cida-docker sets it',
    '',
    // docker's multi-line usages (--format's) continue under their first line.
    ...rows.map((r) =>
      `  ${r.name.padEnd(w1)}  ${r.mark.padEnd(w2)}  ${r.usage}`.replaceAll('\n', `\n${' '.repeat(w1 + w2 + 6)}`),
    ),
    '',
    'EXAMPLES',
    ...info.examples.map((e) => `  $ ${e.startsWith('CID=') ? e : `${bin} ${e}`}`),
    '',
    `Why a flag is refused: ${bin} check -- ${verb} <flags…>; the rules: README, "Command rules".`,
  ];
  return `${lines.join('\n')}\n`;
}
