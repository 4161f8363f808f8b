import { COMMANDS } from '../docker/flag-table.js';
import { shown } from './read-like-docker.js';
import { SUPPORTED_COMMANDS } from './flag-classes.js';
import type { Rule } from './rule.js';

const SUPPORTED = new Set<string>(SUPPORTED_COMMANDS);

/** "build (image build, builder build), run (container run), …": every spelling the parser maps. */
export function supportedCommandList(): string {
  return SUPPORTED_COMMANDS.map((name) => {
    const others = (COMMANDS[name]?.aliases ?? []).map((w) => w.join(' ')).filter((w) => w !== name);
    return others.length > 0 ? `${name} (${others.join(', ')})` : name;
  }).join(', ');
}

export const rule: Rule = {
  id: 'supported-command',
  title: 'Only the supported docker commands',
  reason:
    'Other docker commands reach the engine in ways the rules do not cover (cp and save/load read and write host files as root; volume, context, plugin and service manage the engine itself).',
  fix: 'Use one of the supported commands; ask an administrator if your workflow needs another.',
  check(cmd) {
    // `docker`, `docker -v`, `docker --help`: no command at all; docker prints help or its version.
    if (cmd.words.length === 0) return [];
    if (cmd.command !== null && SUPPORTED.has(cmd.command)) return [];
    const typed = cmd.words.join(' ');
    const what =
      cmd.command === null
        ? `${shown(`docker ${typed}`)} is not a docker command cida-docker supports`
        : `${shown(`docker ${typed}`)} (docker ${cmd.command}) is not supported by cida-docker`;
    return [{ message: `${what}: ${rule.reason}`, fix: `Supported commands: ${supportedCommandList()}.` }];
  },
};
