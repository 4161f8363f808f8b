// `cida-docker doctor [--json]`: is this host set up right, and if not, what to do. Each check
// says ✔/✖ and the fix; what only root can see is skipped, and says so, when run by a developer.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AUDIT_LOG_PATH, BROKER_BUNDLE_PATH, BROKER_GROUP, BROKER_PATH, SUDOERS_PATH } from '../broker/paths.js';
import { loadPolicy } from '../policy/load.js';
import { DEFAULT_POLICY, POLICY_PATH, type Policy } from '../policy/policy.js';
import {
  AUDIT_DIR_MODE,
  AUDIT_FILE_MODE,
  BROKER_MODE,
  BUNDLE_MODE,
  bundleContent,
  DOCKER_CLIENT_VERSION,
  dockerClientFacts,
  packagedBrokerPath,
  readPortRange,
  setsidFacts,
  SUDOERS_MODE,
  sudoersCommands,
  sudoersContent,
  SYSCTL_CONF_PATH,
  sysctlConfContent,
} from './facts.js';
import { engineRangeCheck, engineRangeFacts } from './engine-range.js';
import { isLauncher, launcherContent, launcherNode } from './launcher.js';
import {
  getGroup,
  getUser,
  groupIdsOf,
  isRoot,
  lstat,
  ownerText,
  type PasswdEntry,
  readText,
  run,
  trustProblems,
} from './sys.js';
import { usernsCheck, usernsFacts } from './userns.js';

export type Status = 'ok' | 'fail' | 'warn' | 'skip';

export interface CheckResult {
  readonly id: string;
  readonly title: string;
  readonly status: Status;
  readonly detail: string;
  readonly fix?: string;
  /** A failure here means cida-docker cannot work at all (exit 69). */
  readonly blocking?: boolean;
}

export interface DoctorReport {
  readonly ok: boolean;
  readonly exitCode: number;
  /** Whom the caller checks are about. */
  readonly user?: string;
  readonly asRoot: boolean;
  readonly checks: readonly CheckResult[];
}

export interface DoctorOptions {
  /** As root: check this user's access (default: SUDO_USER when run through sudo). */
  readonly user?: string;
}

const SETUP = 'sudo cida-docker setup';
const DOCKER_SOCKET = '/var/run/docker.sock';

function ok(id: string, title: string, detail: string): CheckResult {
  return { id, title, status: 'ok', detail };
}
function fail(id: string, title: string, detail: string, fix: string, blocking = false): CheckResult {
  return { id, title, status: 'fail', detail, fix, blocking };
}
function warn(id: string, title: string, detail: string, fix?: string): CheckResult {
  return { id, title, status: 'warn', detail, fix };
}
function skip(id: string, title: string, detail: string): CheckResult {
  return { id, title, status: 'skip', detail };
}

function checkBroker(): CheckResult[] {
  const title = 'broker installed';
  const reinstall = `${SETUP} reinstalls it`;
  const st = lstat(BROKER_PATH);
  if (!st) return [fail('broker', title, `${BROKER_PATH} is missing`, SETUP, true)];
  if (!st.isFile())
    return [fail('broker', title, `${BROKER_PATH} is not a regular file`, `remove it, then ${SETUP}`, true)];
  const problems = trustProblems(BROKER_PATH);
  if (st.uid !== 0 || st.gid !== 0 || (st.mode & 0o7777) !== BROKER_MODE)
    problems.push(`${BROKER_PATH} is ${ownerText(st)}, should be root:root 0755`);
  const text = readText(BROKER_PATH);
  const node = text === undefined ? undefined : launcherNode(text);
  if (text === undefined) problems.push(`${BROKER_PATH} cannot be read`);
  else if (!isLauncher(text))
    problems.push(
      text.startsWith('#!') && !text.startsWith('#!/bin/sh')
        ? `${BROKER_PATH} is the single-file Node broker of an earlier cida-docker: sudo starts node itself, and one SIGUSR1 a caller sends their own sudo opens node's inspector as root`
        : `${BROKER_PATH} is not the launcher setup writes`,
    );
  else if (node !== undefined && text !== launcherContentOrUndefined(node))
    problems.push(`${BROKER_PATH} is not the launcher this cida-docker writes (edited, or written by another version)`);
  if (node !== undefined) problems.push(...trustProblems(node).map((p) => `its node: ${p}`));
  const setsid = setsidFacts();
  problems.push(...setsid.problems.map((p) => `its setsid: ${p}`));
  const results: CheckResult[] = [];
  if (problems.length > 0)
    results.push(
      fail(
        'broker',
        title,
        problems.join('; '),
        `${reinstall} (root:root 0755); a node root cannot trust must be replaced by one root installed`,
        true,
      ),
    );
  else
    results.push(
      ok(
        'broker',
        title,
        `${BROKER_PATH} (${ownerText(st)}): the launcher, runs ${node} ${BROKER_BUNDLE_PATH} in a session of its own`,
      ),
    );

  // The Node broker the launcher runs.
  const bst = lstat(BROKER_BUNDLE_PATH);
  const btitle = 'broker bundle installed';
  const bundleText = readText(BROKER_BUNDLE_PATH);
  if (!bst) results.push(fail('broker-bundle', btitle, `${BROKER_BUNDLE_PATH} is missing`, SETUP, true));
  else if (!bst.isFile())
    results.push(
      fail('broker-bundle', btitle, `${BROKER_BUNDLE_PATH} is not a regular file`, `remove it, then ${SETUP}`, true),
    );
  else {
    const bproblems = trustProblems(BROKER_BUNDLE_PATH);
    if (bst.uid !== 0 || bst.gid !== 0 || (bst.mode & 0o7777) !== BUNDLE_MODE)
      bproblems.push(`${BROKER_BUNDLE_PATH} is ${ownerText(bst)}, should be root:root 0644`);
    if (bundleText === undefined) bproblems.push(`${BROKER_BUNDLE_PATH} cannot be read`);
    if (bproblems.length > 0)
      results.push(fail('broker-bundle', btitle, bproblems.join('; '), `${reinstall} root:root 0644`, true));
    else results.push(ok('broker-bundle', btitle, `${BROKER_BUNDLE_PATH} (${ownerText(bst)}, ${bst.size} bytes)`));
  }

  // Same code as this cida-docker? Only a warning: another copy of the CLI may be newer or older.
  const bundle = readText(packagedBrokerPath());
  if (bundleText !== undefined && bundle !== undefined) {
    if (bundleText === bundleContent(bundle))
      results.push(ok('broker-version', 'broker matches this cida-docker', `same code as ${packagedBrokerPath()}`));
    else
      results.push(
        warn(
          'broker-version',
          'broker matches this cida-docker',
          `${BROKER_BUNDLE_PATH} differs from ${packagedBrokerPath()} (another version of cida-docker installed it)`,
          `${SETUP} from the cida-docker everyone uses`,
        ),
      );
  }
  return results;
}

function launcherContentOrUndefined(node: string): string | undefined {
  try {
    return launcherContent(node, BROKER_BUNDLE_PATH);
  } catch {
    return undefined;
  }
}

function checkSudoers(): CheckResult {
  const title = 'sudo rule';
  const st = lstat(SUDOERS_PATH);
  if (!st) return fail('sudoers', title, `${SUDOERS_PATH} is missing`, SETUP, true);
  if (!st.isFile() || st.uid !== 0 || (st.mode & 0o7777) !== SUDOERS_MODE)
    return fail('sudoers', title, `${SUDOERS_PATH} is ${ownerText(st)}; sudo wants root:root 0440`, SETUP, true);
  if (!isRoot())
    return {
      ...ok(
        'sudoers',
        title,
        `${SUDOERS_PATH} (${ownerText(st)}); its content only root can read: run \`sudo cida-docker doctor\` to check it`,
      ),
    };
  const v = run('visudo', ['-c', '-f', SUDOERS_PATH]);
  if (v.status !== 0)
    return fail(
      'sudoers',
      title,
      `visudo -cf ${SUDOERS_PATH}: ${(v.error ?? v.stderr + v.stdout).trim()}`,
      `${SETUP} rewrites it`,
      true,
    );
  const text = readText(SUDOERS_PATH) ?? '';
  const others = sudoersCommands(text).filter((c) => c.split(/\s+/)[0] !== BROKER_PATH);
  if (others.length > 0)
    return fail(
      'sudoers',
      title,
      `${SUDOERS_PATH} names more than the broker: ${others.join(', ')}`,
      `${SETUP} rewrites it; put other rules in a file of their own, and never docker`,
    );
  if (text !== sudoersContent())
    return warn(
      'sudoers',
      title,
      `${SUDOERS_PATH} names only the broker but is not what setup writes`,
      `${SETUP} rewrites it`,
    );
  return ok('sudoers', title, `${SUDOERS_PATH} (${ownerText(st)}), valid (visudo -cf), names only ${BROKER_PATH}`);
}

/** Whom to check access for: the caller, or as root the --user / the user who ran sudo. */
function target(options: DoctorOptions): PasswdEntry | undefined | 'unknown-user' {
  if (!isRoot())
    return (
      getUser(os.userInfo().uid) ?? {
        name: os.userInfo().username,
        uid: os.userInfo().uid,
        gid: os.userInfo().gid,
        home: os.homedir(),
      }
    );
  const name =
    options.user ?? (process.env.SUDO_USER && process.env.SUDO_USER !== 'root' ? process.env.SUDO_USER : undefined);
  if (!name) return undefined;
  return getUser(name) ?? 'unknown-user';
}

function checkCaller(user: PasswdEntry | undefined): CheckResult[] {
  const title = 'you may use the broker';
  if (!user)
    return [
      skip('caller', title, 'run as root for no one in particular: add --user NAME, or run doctor as the developer'),
    ];
  const who = user.name;
  const results: CheckResult[] = [];
  const args = isRoot() ? ['-n', '-l', '-U', who, BROKER_PATH] : ['-n', '-l', BROKER_PATH];
  const r = run('sudo', args, { env: { PATH: '/usr/bin:/bin', LANG: 'C', LC_ALL: 'C' } });
  const group = getGroup(BROKER_GROUP);
  const memberByDb = group !== undefined && (user.gid === group.gid || group.members.includes(who));
  const inSession = isRoot() || group === undefined ? memberByDb : process.getgroups?.().includes(group.gid);
  if (r.error !== undefined)
    results.push(
      fail('caller', title, `sudo is not installed (${r.error})`, 'apt-get install sudo, then ' + SETUP, true),
    );
  else if (r.status === 0)
    results.push(ok('caller', title, `sudo -n -l ${BROKER_PATH}${isRoot() ? ` (for ${who})` : ''}: allowed`));
  else {
    const said = (r.stderr || r.stdout).trim().split('\n')[0] ?? '';
    let fix: string;
    if (!group) fix = `the ${BROKER_GROUP} group does not exist: ${SETUP} --user ${who}`;
    else if (!memberByDb) fix = `ask an administrator: ${SETUP} --user ${who}`;
    else if (!inSession)
      fix = `${who} was added to ${BROKER_GROUP} after this session started: log out and in again (or \`newgrp ${BROKER_GROUP}\`)`;
    else fix = `check ${SUDOERS_PATH} (${SETUP} rewrites it)`;
    results.push(
      fail(
        'caller',
        title,
        `sudo -n -l ${BROKER_PATH}${isRoot() ? ` (for ${who})` : ''} is refused${said ? `: ${said}` : ''}`,
        fix,
        true,
      ),
    );
  }

  // A sudo rule that hands out docker itself is root for whoever has it.
  const all = run('sudo', isRoot() ? ['-n', '-l', '-U', who] : ['-n', '-l'], {
    env: { PATH: '/usr/bin:/bin', LANG: 'C', LC_ALL: 'C' },
  });
  if (all.status === 0) {
    const docker = all.stdout
      .split('\n')
      .filter((l) => /(^|[\s/,:])docker(\s|,|$)/.test(l) || /\/dockerd?(\s|,|$)/.test(l));
    if (docker.length > 0)
      results.push(
        fail(
          'sudo-docker',
          'no sudo rule runs docker',
          `sudo lets ${who} run docker directly: ${docker.map((l) => l.trim()).join(' | ')}`,
          'remove that rule (visudo): docker as root is root on this host; cida-docker is the way in',
        ),
      );
  }
  return results;
}

function checkDockerGroup(user: PasswdEntry | undefined): CheckResult {
  const title = 'not in the docker group';
  if (!user) return skip('docker-group', title, 'no user to check (add --user NAME)');
  const socket = fs.existsSync(DOCKER_SOCKET) ? fs.statSync(DOCKER_SOCKET) : undefined;
  const gids = new Set([...groupIdsOf(user.name), ...(isRoot() ? [] : (process.getgroups?.() ?? []))]);
  const bad: string[] = [];
  const dockerGroup = getGroup('docker');
  if (dockerGroup && gids.has(dockerGroup.gid)) bad.push('docker');
  if (socket && socket.gid !== 0 && gids.has(socket.gid) && socket.gid !== dockerGroup?.gid)
    bad.push(getGroup(socket.gid)?.name ?? String(socket.gid));
  if (socket && socket.uid === user.uid && user.uid !== 0) bad.push(`owner of ${DOCKER_SOCKET}`);
  if (user.uid === 0) return skip('docker-group', title, 'root is root anyway');
  if (bad.length > 0)
    return fail(
      'docker-group',
      title,
      `${user.name} can reach the engine directly (${bad.join(', ')}): that is root on this host, around every rule`,
      `gpasswd -d ${user.name} docker (then ${user.name} logs in again)`,
    );
  return ok('docker-group', title, `${user.name} cannot open ${DOCKER_SOCKET} directly`);
}

function checkPolicy(): { result: CheckResult[]; policy: Policy } {
  const title = 'policy';
  if (!lstat(POLICY_PATH))
    return {
      policy: DEFAULT_POLICY,
      result: [
        warn(
          'policy',
          title,
          `${POLICY_PATH} is missing: the built-in defaults apply (no trusted registry, so no image may run)`,
          SETUP,
        ),
      ],
    };
  try {
    const policy = loadPolicy(POLICY_PATH, { requireRootOwned: true });
    const result = [ok('policy', title, `${POLICY_PATH} parses and is root-owned, not writable by others`)];
    if (policy.trustedRegistries.length === 0)
      result.push(
        warn(
          'trusted-registry',
          'a trusted registry',
          `${POLICY_PATH} names no trusted registry: no image may run`,
          `add your registry to "trustedRegistries" in ${POLICY_PATH}`,
        ),
      );
    else result.push(ok('trusted-registry', 'a trusted registry', policy.trustedRegistries.join(', ')));
    return { policy, result };
  } catch (e) {
    return {
      policy: DEFAULT_POLICY,
      result: [
        fail(
          'policy',
          title,
          (e as Error).message,
          `fix ${POLICY_PATH} (every cida-docker command exits 78 until then)`,
        ),
      ],
    };
  }
}

function checkDockerClient(policy: Policy): CheckResult {
  const title = `engine.docker is the docker ${DOCKER_CLIENT_VERSION} client`;
  const f = dockerClientFacts(policy);
  if (f.problems.length > 0)
    return fail(
      'docker-client',
      title,
      f.problems.join('; '),
      `install the docker ${DOCKER_CLIENT_VERSION} client root-owned at ${f.path}, or point "engine.docker" in ${POLICY_PATH} at it (Debian's docker.io client at /usr/bin/docker is older)`,
    );
  return ok('docker-client', title, `${f.path}: docker ${f.version}`);
}

function checkEngine(policy: Policy): CheckResult {
  const title = 'engine answers';
  if (!isRoot()) {
    const present = fs.existsSync(DOCKER_SOCKET);
    return skip(
      'engine',
      title,
      `only root asks the engine directly (run \`sudo cida-docker doctor\`); ${DOCKER_SOCKET} ${present ? 'exists' : 'is missing'}`,
    );
  }
  const r = run(policy.engine.docker, ['version', '--format', '{{.Server.Version}} (API {{.Server.APIVersion}})'], {
    env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', HOME: '/root', LANG: 'C' },
    timeoutMs: 15_000,
  });
  if (r.status === 0 && r.stdout.trim()) return ok('engine', title, `dockerd ${r.stdout.trim()} on ${DOCKER_SOCKET}`);
  return fail(
    'engine',
    title,
    `${policy.engine.docker} version: ${(r.error ?? r.stderr ?? '').trim().split('\n').pop() || `exit ${r.status}`}`,
    'start dockerd (its log says why it stopped)',
  );
}

function checkPortRange(policy: Policy): CheckResult {
  const want = policy.publishedPorts;
  const title = `port range is ${want.min}–${want.max}`;
  const now = readPortRange();
  const fixText = `sudo sysctl -w net.ipv4.ip_local_port_range="${want.min} ${want.max}" (${SETUP} does it and persists it in ${SYSCTL_CONF_PATH}), then restart dockerd: it reads the range only when it starts`;
  if (!now) return warn('port-range', title, 'cannot read net.ipv4.ip_local_port_range', fixText);
  if (now.min !== want.min || now.max !== want.max)
    return fail(
      'port-range',
      title,
      `net.ipv4.ip_local_port_range is ${now.min} ${now.max}, the policy says ${want.min} ${want.max}: docker -P would publish ports the broker then refuses`,
      fixText,
    );
  if (readText(SYSCTL_CONF_PATH) !== sysctlConfContent(want))
    return warn('port-range', title, `set now, but ${SYSCTL_CONF_PATH} does not persist it: a reboot loses it`, SETUP);
  return ok(
    'port-range',
    title,
    `net.ipv4.ip_local_port_range = ${now.min} ${now.max}, persisted in ${SYSCTL_CONF_PATH} (dockerd reads it at its start)`,
  );
}

function checkAudit(): CheckResult[] {
  const title = 'audit log';
  const dir = path.dirname(AUDIT_LOG_PATH);
  const dst = lstat(dir);
  const dm = AUDIT_DIR_MODE.toString(8).padStart(4, '0');
  const fm = AUDIT_FILE_MODE.toString(8).padStart(4, '0');
  if (!dst) return [fail('audit-log', title, `${dir} is missing`, SETUP)];
  if (!dst.isDirectory() || dst.uid !== 0 || dst.gid !== 0 || (dst.mode & 0o7777) !== AUDIT_DIR_MODE)
    return [fail('audit-log', title, `${dir} is ${ownerText(dst)}, should be root:root ${dm}`, SETUP)];
  if (!isRoot())
    return [
      skip(
        'audit-log',
        title,
        `${dir} is root:root ${dm}; the file inside only root can see (run \`sudo cida-docker doctor\`)`,
      ),
    ];
  const st = lstat(AUDIT_LOG_PATH);
  if (!st) return [fail('audit-log', title, `${AUDIT_LOG_PATH} is missing`, SETUP)];
  if (!st.isFile() || st.uid !== 0 || st.gid !== 0 || (st.mode & 0o7777) !== AUDIT_FILE_MODE)
    return [fail('audit-log', title, `${AUDIT_LOG_PATH} is ${ownerText(st)}, should be root:root ${fm}`, SETUP)];
  const results = [
    ok('audit-log', title, `${AUDIT_LOG_PATH} (${ownerText(st)}, ${st.size} bytes), in ${dir} (root:root ${dm})`),
  ];
  const attr = run('lsattr', ['-d', AUDIT_LOG_PATH]);
  if (attr.status === 0 && /^\S*a/.test(attr.stdout.trim()))
    results.push(ok('audit-append-only', 'audit log is append-only', 'chattr +a is set'));
  else
    results.push(
      warn(
        'audit-append-only',
        'audit log is append-only',
        attr.status === 0
          ? 'chattr +a is not set'
          : `the file system does not tell (${(attr.error ?? attr.stderr).trim()})`,
        `sudo chattr +a ${AUDIT_LOG_PATH} (best effort; not every file system supports it)`,
      ),
    );
  return results;
}

export function doctor(options: DoctorOptions = {}): DoctorReport {
  const checks: CheckResult[] = [];
  const t = target(options);
  const user = t === 'unknown-user' ? undefined : t;
  checks.push(...checkBroker());
  checks.push(checkSudoers());
  if (t === 'unknown-user')
    checks.push(
      fail('caller', 'you may use the broker', `no such user: ${options.user}`, 'name an existing user with --user'),
    );
  else checks.push(...checkCaller(user));
  const { policy, result } = checkPolicy();
  checks.push(...result);
  checks.push(checkEngine(policy));
  checks.push(checkDockerClient(policy));
  checks.push(checkDockerGroup(user));
  checks.push(checkPortRange(policy));
  checks.push(
    engineRangeCheck(engineRangeFacts(policy.publishedPorts, readPortRange(), policy.engine.docker, isRoot())),
  );
  checks.push(...checkAudit());
  checks.push(usernsCheck(usernsFacts(policy.engine.docker, isRoot())));
  const failed = checks.filter((c) => c.status === 'fail');
  const exitCode = failed.some((c) => c.blocking) ? 69 : failed.length > 0 ? 1 : 0;
  return { ok: exitCode === 0, exitCode, user: user?.name, asRoot: isRoot(), checks };
}

const MARK: Record<Status, string> = { ok: '✔', fail: '✖', warn: '!', skip: '–' };

export function formatReport(report: DoctorReport): string {
  const lines = [
    `cida-docker doctor${report.asRoot ? ' (as root' + (report.user ? `, checking ${report.user})` : ')') : report.user ? ` (as ${report.user})` : ''}`,
  ];
  for (const c of report.checks) {
    lines.push(`${MARK[c.status]} ${c.title}: ${c.status === 'skip' ? 'skipped: ' : ''}${c.detail}`);
    if (c.fix && c.status !== 'ok') lines.push(`    fix: ${c.fix}`);
  }
  const failed = report.checks.filter((c) => c.status === 'fail').length;
  const warned = report.checks.filter((c) => c.status === 'warn').length;
  const skipped = report.checks.filter((c) => c.status === 'skip').length;
  const tail = [warned ? `${warned} warning${warned === 1 ? '' : 's'}` : '', skipped ? `${skipped} skipped` : '']
    .filter(Boolean)
    .join(', ');
  if (failed === 0) lines.push(`all good${tail ? ` (${tail})` : ''}`);
  else
    lines.push(
      `${failed} problem${failed === 1 ? '' : 's'}${tail ? `, ${tail}` : ''}: fix ${failed === 1 ? 'it' : 'them in order'} and run \`cida-docker doctor\` again`,
    );
  return lines.join('\n');
}
