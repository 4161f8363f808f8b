// `cida-docker setup` and `setup --uninstall`: the steps, in the order that keeps the door shut
// until everything behind it is in place (the sudo rule last on install, first on uninstall).
import fs from 'node:fs';
import path from 'node:path';
import {
  AUDIT_LOG_PATH,
  BROKER_BUNDLE_PATH,
  BROKER_DIR,
  BROKER_GROUP,
  BROKER_PATH,
  SUDOERS_PATH,
} from '../broker/paths.js';
import { loadPolicy } from '../policy/load.js';
import { DEFAULT_POLICY, POLICY_PATH, type Policy, PolicyError } from '../policy/policy.js';
import {
  AUDIT_DIR_MODE,
  AUDIT_FILE_MODE,
  BROKER_MODE,
  BUNDLE_MODE,
  bundleContent,
  DOCKER_CLIENT_VERSION,
  dockerClientFacts,
  dockerdRunning,
  nodeFacts,
  packagedBrokerPath,
  PORT_RANGE_PROC,
  type PortRange,
  readPortRange,
  setsidFacts,
  SUDOERS_MODE,
  sudoersContent,
  SYSCTL_CONF_PATH,
  sysctlConfContent,
} from './facts.js';
import {
  PORT_RANGE_HISTORY_PATH,
  readRangeHistory,
  recordFor,
  recordRangeChange,
  restartCommand,
} from './engine-range.js';
import { launcherContent, launcherPathProblem } from './launcher.js';
import { change, type Change, SetupError, type Step } from './plan.js';
import {
  ensureDir,
  getGroup,
  getUser,
  isMember,
  isRoot,
  lstat,
  mode,
  readText,
  run,
  runOrThrow,
  writeFileAtomic,
} from './sys.js';
import { usernsStep } from './userns.js';

export interface InstallOptions {
  readonly users: readonly string[];
  /** The bundled broker to install (default: this package's dist/broker.js). */
  readonly brokerFile?: string;
  /** The node the broker launcher runs (default: the node running setup). */
  readonly node?: string;
  /** Also configure the engine's user-namespace remapping (opt-in). */
  readonly usernsRemap?: boolean;
  /** Only describe: allowed without root (files only root can read then count as changed). */
  readonly dryRun?: boolean;
}

export interface Prepared {
  readonly policy: Policy;
  readonly policyExists: boolean;
  readonly steps: readonly Step[];
  /** Facts found while preparing, printed before the steps. */
  readonly notes: readonly string[];
}

function ownedRight(st: fs.Stats | undefined, wantMode: number): boolean {
  return st !== undefined && st.uid === 0 && st.gid === 0 && (st.mode & 0o7777) === wantMode;
}

function dirStep(dir: string, dirMode: number): Change[] {
  const st = lstat(dir);
  if (st && !st.isDirectory())
    throw new SetupError(`${dir} exists and is not a directory; move it away and run setup again`);
  if (ownedRight(st, dirMode)) return [];
  const what = st
    ? `fix ${dir}: root:root ${dirMode.toString(8).padStart(4, '0')} (was uid ${st.uid} gid ${st.gid} ${mode(st)})`
    : `create directory ${dir} (root:root ${dirMode.toString(8).padStart(4, '0')})`;
  return [change(what, () => ensureDir(dir, dirMode))];
}

/** Checks everything setup needs before it changes anything; throws SetupError when not met. */
export function prepareInstall(options: InstallOptions): Prepared {
  if (!isRoot() && !options.dryRun) throw new SetupError('setup must run as root: sudo cida-docker setup');

  // The policy: an existing one must be valid and root-owned (setup never rewrites it).
  const policyExists = lstat(POLICY_PATH) !== undefined;
  let policy: Policy = DEFAULT_POLICY;
  try {
    policy = loadPolicy(POLICY_PATH, { requireRootOwned: true });
  } catch (e) {
    if (e instanceof PolicyError) throw new SetupError(`the policy cannot be used: ${e.message}`, 78);
    throw e;
  }

  // The node that will run the broker as root.
  const node = options.node ?? process.execPath;
  const nf = nodeFacts(node);
  if (options.node === undefined && !nodeSupported(process.versions.node))
    throw new SetupError(
      `node ${process.versions.node} cannot run the broker, which is built for node 20 and later. Upgrade node and run setup again.`,
    );
  const pathProblem = launcherPathProblem(node);
  if (pathProblem) throw new SetupError(`the broker launcher cannot name this node: ${pathProblem}`);
  if (nf.problems.length > 0)
    throw new SetupError(
      `the broker would run as root with ${node}, which root cannot trust:\n  ${nf.problems.join('\n  ')}\n` +
        "Run setup with a node installed by root (e.g. Debian's nodejs, or NodeSource) that no other user can write.",
    );

  // The docker client the broker will run.
  const df = dockerClientFacts(policy);
  if (df.problems.length > 0)
    throw new SetupError(
      `policy engine.docker must be the docker ${DOCKER_CLIENT_VERSION} client, root-owned:\n  ${df.problems.join('\n  ')}\n` +
        `Install it there, or set "engine": {"docker": "<path>"} in ${POLICY_PATH}.`,
    );

  // The launcher runs node through setsid (util-linux).
  const setsid = setsidFacts();
  if (setsid.problems.length > 0)
    throw new SetupError(`the broker launcher needs setsid, root-owned:\n  ${setsid.problems.join('\n  ')}`);

  // The broker bundle shipped with this package.
  const brokerFile = options.brokerFile ?? packagedBrokerPath();
  const bundle = readText(brokerFile);
  if (bundle === undefined)
    throw new SetupError(`${brokerFile} is missing: this cida-docker was not built (npm run build)`);

  // Users to add.
  for (const u of options.users) if (!getUser(u)) throw new SetupError(`no such user: ${u}`);

  const notes = [`broker runs with ${node}`, `engine.docker: ${df.path} (docker ${df.version})`];
  if (!isRoot()) notes.push('not root: files only root can read are shown as changes');
  const steps: Step[] = [
    policyStep(policyExists),
    auditStep(),
    // The bundle first, the launcher that runs it second: the door opens onto a finished broker.
    bundleStep(bundleContent(bundle)),
    launcherStep(launcherContent(node, BROKER_BUNDLE_PATH)),
    groupStep(options.users),
    portRangeStep(policy),
    ...(options.usernsRemap ? [usernsStep()] : []),
    sudoersStep(),
  ];
  return { policy, policyExists, steps, notes };
}

/** Node versions the broker bundle (esbuild target node20, a .mjs file) runs on. */
export function nodeSupported(version: string): boolean {
  return Number(version.split('.')[0]) >= 20;
}

function policyStep(exists: boolean): Step {
  return {
    title: `policy ${POLICY_PATH}`,
    plan: () => {
      const changes = dirStep(path.dirname(POLICY_PATH), 0o755);
      if (exists) return { changes, notes: ['exists and is valid: left as is'] };
      const text = `${JSON.stringify(DEFAULT_POLICY, null, 2)}\n`;
      changes.push(
        change(
          `write the default policy ${POLICY_PATH} (root:root 0644; no trusted registry yet: add yours to "trustedRegistries")`,
          () => writeFileAtomic(POLICY_PATH, text, 0o644),
        ),
      );
      return {
        changes,
        warnings: [
          `no trusted registry in ${POLICY_PATH} yet: no image may run until you add one to "trustedRegistries"`,
        ],
      };
    },
  };
}

function appendOnly(file: string): boolean | undefined {
  const r = run('lsattr', ['-d', file]);
  if (r.status !== 0) return undefined;
  return /^\S*a/.test(r.stdout.trim());
}

function auditStep(): Step {
  return {
    title: `audit log ${AUDIT_LOG_PATH}`,
    plan: () => {
      const dir = path.dirname(AUDIT_LOG_PATH);
      const changes = dirStep(dir, AUDIT_DIR_MODE);
      const st = lstat(AUDIT_LOG_PATH);
      const m = AUDIT_FILE_MODE.toString(8).padStart(4, '0');
      const warnings: string[] = [];
      if (st && !st.isFile()) throw new SetupError(`${AUDIT_LOG_PATH} exists and is not a regular file`);
      if (!st) {
        changes.push(
          change(`create ${AUDIT_LOG_PATH} (root:root ${m}, empty)`, () => {
            fs.closeSync(
              fs.openSync(
                AUDIT_LOG_PATH,
                fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_APPEND | fs.constants.O_NOFOLLOW,
                AUDIT_FILE_MODE,
              ),
            );
            fs.chownSync(AUDIT_LOG_PATH, 0, 0);
            fs.chmodSync(AUDIT_LOG_PATH, AUDIT_FILE_MODE);
          }),
        );
      } else if (!ownedRight(st, AUDIT_FILE_MODE)) {
        changes.push(
          change(`fix ${AUDIT_LOG_PATH}: root:root ${m} (was uid ${st.uid} gid ${st.gid} ${mode(st)})`, () => {
            fs.chownSync(AUDIT_LOG_PATH, 0, 0);
            fs.chmodSync(AUDIT_LOG_PATH, AUDIT_FILE_MODE);
          }),
        );
      }
      if (!st || appendOnly(AUDIT_LOG_PATH) === false) {
        changes.push(
          change(`chattr +a ${AUDIT_LOG_PATH} (append-only, where the file system supports it)`, () => {
            const r = run('chattr', ['+a', AUDIT_LOG_PATH]);
            if (r.status !== 0)
              warnings.push(
                `could not make ${AUDIT_LOG_PATH} append-only (${(r.error ?? r.stderr).trim()}): the file stays root:root ${m}`,
              );
          }),
        );
      }
      return { changes, warnings };
    },
  };
}

/** A root-owned file setup writes whole: created, or replaced when its content, owner or mode differ. */
function fileStep(title: string, file: string, content: string, fileMode: number, what: string): Step {
  return {
    title,
    plan: () => {
      const changes = dirStep(BROKER_DIR, 0o755);
      const st = lstat(file);
      if (st && !st.isFile() && !st.isSymbolicLink()) throw new SetupError(`${file} exists and is not a regular file`);
      const same = st !== undefined && st.isFile() && ownedRight(st, fileMode) && readText(file) === content;
      if (same) return { changes, notes: ['installed and up to date'] };
      const m = fileMode.toString(8).padStart(4, '0');
      changes.push(
        change(
          `${st ? 'replace' : 'install'} ${file} (root:root ${m}, ${Buffer.byteLength(content)} bytes, ${what})`,
          () => writeFileAtomic(file, content, fileMode),
        ),
      );
      return { changes };
    },
  };
}

function bundleStep(content: string): Step {
  return fileStep(`broker bundle ${BROKER_BUNDLE_PATH}`, BROKER_BUNDLE_PATH, content, BUNDLE_MODE, 'the Node broker');
}

function launcherStep(content: string): Step {
  const node = /^node='([^']*)'$/m.exec(content)?.[1];
  return fileStep(
    `broker ${BROKER_PATH}`,
    BROKER_PATH,
    content,
    BROKER_MODE,
    `the sh launcher sudo starts: runs ${node} ${BROKER_BUNDLE_PATH} in a session of its own`,
  );
}

function groupStep(users: readonly string[]): Step {
  return {
    title: `group ${BROKER_GROUP}`,
    plan: () => {
      const changes: Change[] = [];
      const group = getGroup(BROKER_GROUP);
      const notes: string[] = [];
      if (!group)
        changes.push(
          change(`create the system group ${BROKER_GROUP} (its members may use the broker)`, () =>
            runOrThrow('groupadd', ['--system', BROKER_GROUP]),
          ),
        );
      for (const u of users) {
        const user = getUser(u);
        if (!user) throw new SetupError(`no such user: ${u}`);
        if (group && isMember(user, group)) notes.push(`${u} is a member`);
        else
          changes.push(
            change(`add ${u} to ${BROKER_GROUP} (applies to ${u}'s new login sessions)`, () =>
              runOrThrow('usermod', ['-a', '-G', BROKER_GROUP, u]),
            ),
          );
      }
      if (group && users.length === 0)
        notes.push(
          group.members.length > 0
            ? `members: ${group.members.join(', ')}`
            : `no members yet: add them with setup --user NAME`,
        );
      return { changes, notes };
    },
  };
}

function portRangeStep(policy: Policy): Step {
  const want = policy.publishedPorts;
  return {
    title: `port range ${want.min}–${want.max}`,
    plan: () => {
      const changes: Change[] = [];
      const warnings: string[] = [];
      const now = readPortRange();
      if (!now || now.min !== want.min || now.max !== want.max) {
        changes.push(
          change(
            `sysctl -w net.ipv4.ip_local_port_range="${want.min} ${want.max}" (now ${now ? `${now.min} ${now.max}` : 'unknown'})`,
            () => {
              fs.writeFileSync(PORT_RANGE_PROC, `${want.min} ${want.max}\n`);
              const after = readPortRange();
              if (!after || after.min !== want.min || after.max !== want.max)
                throw new Error(
                  `the kernel kept net.ipv4.ip_local_port_range at ${after ? `${after.min} ${after.max}` : 'unknown'}`,
                );
              recordOrWarn(now, after, warnings);
              if (dockerdRunning())
                warnings.push(
                  `dockerd is running and reads the port range only when it starts: restart it so that -P uses ${want.min}–${want.max} (${restartCommand()}; \`cida-docker doctor\` tells whether it did)`,
                );
            },
          ),
        );
      } else {
        const history = readRangeHistory();
        if (!('records' in history) || recordFor(history.records, now, now, new Date()))
          changes.push(
            change(
              `record the live range ${now.min} ${now.max} in ${PORT_RANGE_HISTORY_PATH} (doctor reads there which range a running dockerd started with)`,
              () => recordOrWarn(now, now, warnings),
            ),
          );
      }
      const conf = sysctlConfContent(want);
      if (readText(SYSCTL_CONF_PATH) !== conf || !ownedRight(lstat(SYSCTL_CONF_PATH), 0o644))
        changes.push(
          change(`write ${SYSCTL_CONF_PATH} (root:root 0644) so the range survives a reboot`, () => {
            ensureDirExists(path.dirname(SYSCTL_CONF_PATH));
            writeFileAtomic(SYSCTL_CONF_PATH, conf, 0o644);
          }),
        );
      return { changes, warnings };
    },
  };
}

/** Setup's record of the live range for doctor; the range itself is set even when the record fails. */
function recordOrWarn(before: PortRange | undefined, after: PortRange, warnings: string[]): void {
  try {
    recordRangeChange(before, after);
  } catch (e) {
    warnings.push(
      `could not record the port range in ${PORT_RANGE_HISTORY_PATH} (${(e as Error).message}): doctor cannot tell which range a running dockerd uses`,
    );
  }
}

function ensureDirExists(dir: string): void {
  if (!fs.existsSync(dir)) ensureDir(dir, 0o755);
}

/** visudo's verdict on a sudoers file; throws with its message when it refuses. */
export function visudoCheck(file: string): void {
  const r = run('visudo', ['-c', '-f', file]);
  if (r.error !== undefined) throw new SetupError(`visudo not found (${r.error}): install sudo (apt-get install sudo)`);
  if (r.status !== 0) throw new SetupError(`visudo refused the sudo rule:\n${(r.stderr + r.stdout).trim()}`);
}

function sudoersStep(): Step {
  return {
    title: `sudo rule ${SUDOERS_PATH}`,
    plan: () => {
      const content = sudoersContent();
      const changes: Change[] = [];
      if (!fs.existsSync(path.dirname(SUDOERS_PATH)))
        throw new SetupError(`${path.dirname(SUDOERS_PATH)} is missing: install sudo (apt-get install sudo)`);
      const st = lstat(SUDOERS_PATH);
      if (st && st.isFile() && ownedRight(st, SUDOERS_MODE) && readText(SUDOERS_PATH) === content)
        return { changes, notes: ['in place'] };
      changes.push(
        change(
          `write ${SUDOERS_PATH} (root:root 0440), checked with visudo -cf first:\n${content
            .trimEnd()
            .split('\n')
            .map((l) => `  ${l}`)
            .join('\n')}`,
          () => {
            writeFileAtomic(SUDOERS_PATH, content, SUDOERS_MODE, visudoCheck);
            // The whole configuration must still parse with ours in it; else take ours out again.
            const all = run('visudo', ['-c']);
            if (all.status !== 0) {
              fs.rmSync(SUDOERS_PATH, { force: true });
              throw new SetupError(
                `with ${SUDOERS_PATH} in place, visudo -c fails; removed it again:\n${(all.stderr + all.stdout).trim()}`,
              );
            }
          },
        ),
      );
      return { changes };
    },
  };
}

// ---------------------------------------------------------------------------------------------

export interface UninstallOptions {
  /** Also remove the policy and the audit log. */
  readonly purge: boolean;
  readonly dryRun?: boolean;
}

function removeFile(file: string, why: string): Change[] {
  return lstat(file) ? [change(`remove ${file} (${why})`, () => fs.rmSync(file, { force: true }))] : [];
}

function removeDirIfEmpty(dir: string): Change[] {
  const st = lstat(dir);
  if (!st?.isDirectory()) return [];
  return [
    change(`remove directory ${dir} if empty`, () => {
      try {
        fs.rmdirSync(dir);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOTEMPTY') throw e;
      }
    }),
  ];
}

export function prepareUninstall(options: UninstallOptions): Step[] {
  if (!isRoot() && !options.dryRun)
    throw new SetupError('setup --uninstall must run as root: sudo cida-docker setup --uninstall');
  const steps: Step[] = [
    {
      title: `sudo rule ${SUDOERS_PATH}`,
      plan: () => ({ changes: removeFile(SUDOERS_PATH, 'closes the door first') }),
    },
    {
      title: `broker ${BROKER_PATH}`,
      plan: () => ({
        changes: [
          ...removeFile(BROKER_PATH, 'the launcher sudo starts'),
          ...removeFile(BROKER_BUNDLE_PATH, 'the Node broker'),
          ...removeDirIfEmpty(BROKER_DIR),
        ],
      }),
    },
    {
      title: `group ${BROKER_GROUP}`,
      plan: () => ({
        changes: getGroup(BROKER_GROUP)
          ? [change(`delete the group ${BROKER_GROUP}`, () => runOrThrow('groupdel', [BROKER_GROUP]))]
          : [],
      }),
    },
    {
      title: `port range file ${SYSCTL_CONF_PATH}`,
      plan: () => ({
        changes: removeFile(SYSCTL_CONF_PATH, 'the live range stays until reboot'),
        notes: lstat(SYSCTL_CONF_PATH) ? [] : ['not there'],
      }),
    },
  ];
  if (options.purge) {
    steps.push(
      {
        title: `policy ${POLICY_PATH}`,
        plan: () => ({
          changes: [...removeFile(POLICY_PATH, '--purge'), ...removeDirIfEmpty(path.dirname(POLICY_PATH))],
        }),
      },
      {
        title: `port range history ${PORT_RANGE_HISTORY_PATH}`,
        plan: () => ({ changes: removeFile(PORT_RANGE_HISTORY_PATH, '--purge') }),
      },
      {
        title: `audit log ${AUDIT_LOG_PATH}`,
        plan: () => {
          const changes: Change[] = [];
          if (lstat(AUDIT_LOG_PATH)) {
            if (appendOnly(AUDIT_LOG_PATH))
              changes.push(change(`chattr -a ${AUDIT_LOG_PATH}`, () => runOrThrow('chattr', ['-a', AUDIT_LOG_PATH])));
            changes.push(...removeFile(AUDIT_LOG_PATH, '--purge'));
          }
          changes.push(...removeDirIfEmpty(path.dirname(AUDIT_LOG_PATH)));
          return { changes };
        },
      },
    );
  } else {
    steps.push({
      title: 'kept',
      plan: () => ({ changes: [], notes: [`${POLICY_PATH} and ${AUDIT_LOG_PATH} are kept (--purge removes them)`] }),
    });
  }
  return steps;
}
