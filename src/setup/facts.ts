// What setup and doctor both need to know about the host: the broker they would install, the
// sudo rule, the docker client, the port range. Pure where possible, so tests can check wording.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BROKER_GROUP, BROKER_PATH, REQUEST_ENV } from '../broker/paths.js';
import type { Policy } from '../policy/policy.js';
import { LAUNCHER_PATH_ENV } from './launcher.js';
import { run, trustProblems } from './sys.js';

/** The docker client the flag table describes; policy.engine.docker must be this one. */
export const DOCKER_CLIENT_VERSION = '28.2.2';
export const SYSCTL_CONF_PATH = '/etc/sysctl.d/60-cida-docker.conf';
export const PORT_RANGE_PROC = '/proc/sys/net/ipv4/ip_local_port_range';
export const AUDIT_DIR_MODE = 0o750;
export const AUDIT_FILE_MODE = 0o640;
export const SUDOERS_MODE = 0o440;
export const BROKER_MODE = 0o755;
/** The Node bundle beside the launcher: read by node, run by no one directly. */
export const BUNDLE_MODE = 0o644;

/** The bundled broker shipped in this package (dist/broker.js, beside dist/setup/). */
export function packagedBrokerPath(): string {
  return fileURLToPath(new URL('../broker.js', import.meta.url));
}

/** The installed bundle (BROKER_BUNDLE_PATH): the package's bundle as it is, a .mjs file node runs as an ES module. */
export function bundleContent(bundle: string): string {
  return bundle;
}

/** The setsid the launcher will run (the first in its fixed PATH), with what root cannot trust about it. */
export function setsidFacts(): { path?: string; problems: string[] } {
  for (const dir of LAUNCHER_PATH_ENV.split(':')) {
    const p = `${dir}/setsid`;
    if (fs.existsSync(p)) return { path: p, problems: trustProblems(p) };
  }
  return { problems: [`setsid is not in ${LAUNCHER_PATH_ENV}: install util-linux`] };
}

/**
 * The sudoers file: the broker alone, for the group's members, without a password, with no
 * arguments (the request travels in REQUEST_ENV, the one variable kept from the caller).
 */
export function sudoersContent(brokerPath = BROKER_PATH, group = BROKER_GROUP, requestEnv = REQUEST_ENV): string {
  return [
    '# Written by `cida-docker setup`; `cida-docker setup --uninstall` removes it. Do not edit.',
    `# Members of the ${group} group may start the cida-docker broker as root, and nothing else.`,
    '# Never name docker itself here: whoever may run docker as root is root on this host.',
    `Defaults!${brokerPath} env_reset, env_keep = "${requestEnv}"`,
    `%${group} ALL=(root) NOPASSWD: ${brokerPath} ""`,
    '',
  ].join('\n');
}

/** Commands a sudoers text grants (the last field of each user spec line), for doctor. */
export function sudoersCommands(text: string): string[] {
  const cmds: string[] = [];
  const joined = text.replace(/\\\n/g, ' ');
  for (const raw of joined.split('\n')) {
    const line = raw.replace(/#.*$/, '').trim();
    if (!line || /^(Defaults|Cmnd_Alias|User_Alias|Host_Alias|Runas_Alias|@include|#include)/.test(line)) continue;
    const m = /=\s*(?:\([^)]*\)\s*)?(.*)$/.exec(line);
    if (!m) continue;
    for (const part of m[1].split(',')) {
      const cmd = part
        .trim()
        .replace(
          /^(?:(?:NO)?(?:PASSWD|EXEC|SETENV|LOG_INPUT|LOG_OUTPUT|MAIL|FOLLOW|INTERCEPT|NOPASSWD|NOEXEC|NOSETENV|NOLOG_INPUT|NOLOG_OUTPUT|NOMAIL|NOFOLLOW|NOINTERCEPT):\s*)+/,
          '',
        );
      if (cmd) cmds.push(cmd);
    }
  }
  return cmds;
}

// ---------------------------------------------------------------------------------------------

export interface NodeFacts {
  readonly path: string;
  readonly problems: readonly string[];
}

/** The node running us, which the broker launcher will name: root must be able to trust it. */
export function nodeFacts(execPath = process.execPath): NodeFacts {
  const problems = trustProblems(execPath);
  return { path: execPath, problems };
}

export interface DockerClientFacts {
  readonly path: string;
  readonly version?: string;
  readonly problems: readonly string[];
}

/** policy.engine.docker: root-trustable, and the 28.2.2 client (`docker --version` needs no engine). */
export function dockerClientFacts(policy: Policy): DockerClientFacts {
  const p = policy.engine.docker;
  if (!path.isAbsolute(p)) return { path: p, problems: [`engine.docker "${p}" is not an absolute path`] };
  const problems = trustProblems(p);
  if (problems.length > 0 && !fs.existsSync(p)) return { path: p, problems };
  const r = run(p, ['--version'], { timeoutMs: 15_000 });
  const m = /^Docker version ([^\s,]+)/.exec(r.stdout.trim());
  const version = m?.[1];
  if (r.error !== undefined) problems.push(`${p} --version: ${r.error}`);
  else if (!version)
    problems.push(
      `${p} --version printed no docker version (${(r.stdout + r.stderr).trim().slice(0, 80) || `exit ${r.status}`})`,
    );
  else if (version !== DOCKER_CLIENT_VERSION)
    problems.push(`${p} is docker ${version}, not the ${DOCKER_CLIENT_VERSION} client the flag table describes`);
  return { path: p, version, problems };
}

export interface PortRange {
  readonly min: number;
  readonly max: number;
}

export function readPortRange(file = PORT_RANGE_PROC): PortRange | undefined {
  try {
    const [min, max] = fs.readFileSync(file, 'utf8').trim().split(/\s+/).map(Number);
    return Number.isInteger(min) && Number.isInteger(max) ? { min, max } : undefined;
  } catch {
    return undefined;
  }
}

export function sysctlConfContent(range: PortRange): string {
  return [
    '# Written by `cida-docker setup` from publishedPorts in /etc/cida-docker/policy.json:',
    "# docker's -P takes host ports from this range. dockerd reads it only when it starts.",
    `net.ipv4.ip_local_port_range = ${range.min} ${range.max}`,
    '',
  ].join('\n');
}

/** Whether a dockerd process is running (it reads the port range only at its start). */
export function dockerdRunning(): boolean {
  try {
    for (const pid of fs.readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      try {
        if (fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'dockerd') return true;
      } catch {
        // gone
      }
    }
  } catch {
    // no /proc
  }
  return false;
}
