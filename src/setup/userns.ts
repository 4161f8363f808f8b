// `cida-docker setup --userns-remap` (opt-in) and doctor's report on it: the engine's
// user-namespace remapping, after which root in any container (a build's RUN steps included) is an
// unprivileged uid on the host (dockremap's subordinate range), not uid 0.
// Pure parts (daemon.json merge, subordinate range, doctor's verdict) are unit-tested over faked
// facts; the shared test engine never gets it turned on (it would hide every test image).
import fs from 'node:fs';
import path from 'node:path';
import type { CheckResult } from './doctor.js';
import { change, type Change, SetupError, type Step } from './plan.js';
import { getUser, lstat, readText, run, runOrThrow, writeFileAtomic } from './sys.js';

export const DAEMON_JSON = '/etc/docker/daemon.json';
/** The user `"userns-remap": "default"` makes dockerd use. */
export const REMAP_USER = 'dockremap';
export const SUBUID_PATH = '/etc/subuid';
export const SUBGID_PATH = '/etc/subgid';
/** One whole 16-bit id space: uid 0..65535 in a container map onto it. */
export const SUBID_COUNT = 65536;
const SUBID_FIRST = 100000;

const RESTART_NOTE =
  'the engine must be restarted to remap (systemctl restart docker); from then on its images and containers live in a separate storage area ' +
  '(/var/lib/docker/<uid>.<gid>/): the existing ones disappear from view (not deleted) until remapping is turned off again, and images must be pulled again';

export interface DaemonJsonMerge {
  readonly text: string;
  readonly changed: boolean;
  /** The remap the file names now ("default", or an administrator's own user). */
  readonly remap: string;
}

/** daemon.json with `"userns-remap": "default"` merged in; every other setting, and a remap already chosen, kept. */
export function mergeDaemonJson(text: string | undefined): DaemonJsonMerge {
  let config: Record<string, unknown> = {};
  if (text !== undefined && text.trim() !== '') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (e) {
      throw new SetupError(
        `${DAEMON_JSON} is not valid JSON (${(e as Error).message}): fix it by hand, then run setup --userns-remap again`,
      );
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      throw new SetupError(`${DAEMON_JSON} is not a JSON object: fix it by hand, then run setup --userns-remap again`);
    config = parsed as Record<string, unknown>;
  }
  const now = config['userns-remap'];
  if (typeof now === 'string' && now !== '') return { text: text ?? '', changed: false, remap: now };
  if (now !== undefined && typeof now !== 'string')
    throw new SetupError(`${DAEMON_JSON} has "userns-remap": ${JSON.stringify(now)}, not a string: fix it by hand`);
  return {
    text: `${JSON.stringify({ ...config, 'userns-remap': 'default' }, null, 2)}\n`,
    changed: true,
    remap: 'default',
  };
}

export interface SubidRange {
  readonly start: number;
  readonly count: number;
}

/** `name`'s ranges in an /etc/subuid or /etc/subgid text. */
export function subidRanges(text: string | undefined, name: string): SubidRange[] {
  const out: SubidRange[] = [];
  for (const line of (text ?? '').split('\n')) {
    const [who, start, count] = line.trim().split(':');
    if (who === name && /^\d+$/.test(start ?? '') && /^\d+$/.test(count ?? ''))
      out.push({ start: Number(start), count: Number(count) });
  }
  return out;
}

/** A free range of SUBID_COUNT ids after every range the file hands out (aligned to 65536). */
export function nextSubidRange(text: string | undefined): SubidRange {
  let end = SUBID_FIRST;
  for (const line of (text ?? '').split('\n')) {
    const [, start, count] = line.trim().split(':');
    if (/^\d+$/.test(start ?? '') && /^\d+$/.test(count ?? '')) end = Math.max(end, Number(start) + Number(count));
  }
  return { start: Math.ceil(end / SUBID_COUNT) * SUBID_COUNT, count: SUBID_COUNT };
}

/** Whether `docker info --format '{{json .SecurityOptions}}'` says the engine remaps (name=userns). */
export function engineRemaps(securityOptionsJson: string): boolean | undefined {
  try {
    const opts = JSON.parse(securityOptionsJson) as unknown;
    if (!Array.isArray(opts)) return undefined;
    return opts.some((o) => typeof o === 'string' && o.split(',').includes('name=userns'));
  } catch {
    return undefined;
  }
}

/** The setup step: daemon.json, the dockremap user, its subordinate uid and gid ranges. */
export function usernsStep(): Step {
  return {
    title: `user-namespace remapping (${DAEMON_JSON})`,
    plan: () => {
      const changes: Change[] = [];
      const st = lstat(DAEMON_JSON);
      if (st && !st.isFile()) throw new SetupError(`${DAEMON_JSON} exists and is not a regular file`);
      const merged = mergeDaemonJson(readText(DAEMON_JSON));
      const notes: string[] = [];
      if (merged.changed)
        changes.push(
          change(
            `set "userns-remap": "default" in ${DAEMON_JSON} (${st ? 'other settings kept' : 'new file, root:root 0644'})`,
            () => {
              if (!fs.existsSync(path.dirname(DAEMON_JSON)))
                fs.mkdirSync(path.dirname(DAEMON_JSON), { recursive: true, mode: 0o755 });
              writeFileAtomic(DAEMON_JSON, merged.text, st ? st.mode & 0o7777 : 0o644);
            },
          ),
        );
      else notes.push(`${DAEMON_JSON} already names "userns-remap": "${merged.remap}"`);
      if (merged.remap === 'default') {
        if (!getUser(REMAP_USER))
          changes.push(
            change(
              `create the system user and group ${REMAP_USER} (no home, no login shell): the owner of the remapped ids`,
              () =>
                runOrThrow('useradd', [
                  '--system',
                  '--user-group',
                  '--no-create-home',
                  '--home-dir',
                  '/nonexistent',
                  '--shell',
                  '/usr/sbin/nologin',
                  REMAP_USER,
                ]),
            ),
          );
        for (const [file, flag, what] of [
          [SUBUID_PATH, '--add-subuids', 'uids'],
          [SUBGID_PATH, '--add-subgids', 'gids'],
        ] as const) {
          const text = readText(file);
          const have = subidRanges(text, REMAP_USER);
          if (have.length > 0) {
            notes.push(
              `${file}: ${REMAP_USER} has ${have.map((r) => `${r.start}–${r.start + r.count - 1}`).join(', ')}`,
            );
            continue;
          }
          const r = nextSubidRange(text);
          changes.push(
            change(
              `give ${REMAP_USER} the subordinate ${what} ${r.start}–${r.start + r.count - 1} in ${file} (container root becomes uid ${r.start} on the host)`,
              () => runOrThrow('usermod', [flag, `${r.start}-${r.start + r.count - 1}`, REMAP_USER]),
            ),
          );
        }
      }
      const warnings = changes.length > 0 ? [RESTART_NOTE] : [];
      return { changes, notes, warnings };
    },
  };
}

export interface UsernsFacts {
  readonly asRoot: boolean;
  /** `docker info --format '{{json .SecurityOptions}}'` output, or why it could not be asked. */
  readonly securityOptions?: { readonly json?: string; readonly error?: string };
  readonly daemonJson?: string;
}

/** Doctor's line: does the running engine remap, and does daemon.json agree. */
export function usernsCheck(f: UsernsFacts): CheckResult {
  const id = 'userns';
  const title = 'engine remaps container users';
  let configured: string | undefined;
  try {
    const c =
      f.daemonJson === undefined || f.daemonJson.trim() === ''
        ? {}
        : (JSON.parse(f.daemonJson) as Record<string, unknown>);
    configured =
      typeof c['userns-remap'] === 'string' && c['userns-remap'] !== '' ? (c['userns-remap'] as string) : undefined;
  } catch {
    configured = undefined;
  }
  const optIn = 'optional: `sudo cida-docker setup --userns-remap`, then restart the engine';
  if (!f.asRoot || !f.securityOptions)
    return {
      id,
      title,
      status: 'skip',
      detail: `only root asks the engine (run \`sudo cida-docker doctor\`)${configured ? `; ${DAEMON_JSON} asks for "userns-remap": "${configured}"` : ''}`,
    };
  const remaps = f.securityOptions.json === undefined ? undefined : engineRemaps(f.securityOptions.json);
  if (remaps === undefined)
    return {
      id,
      title,
      status: 'warn',
      detail: `docker info did not say (${(f.securityOptions.error ?? f.securityOptions.json ?? '').trim().slice(0, 120) || 'no answer'})`,
      fix: 'check that dockerd runs',
    };
  if (remaps && configured)
    return {
      id,
      title,
      status: 'ok',
      detail: `yes ("userns-remap": "${configured}"): root in a container, a build's RUN included, is an unprivileged uid on the host`,
    };
  if (remaps)
    return {
      id,
      title,
      status: 'warn',
      detail: `yes, but ${DAEMON_JSON} does not ask for it: the next engine restart may turn it off`,
      fix: 'sudo cida-docker setup --userns-remap',
    };
  if (configured)
    return {
      id,
      title,
      status: 'warn',
      detail: `no: ${DAEMON_JSON} asks for "userns-remap": "${configured}", but the running engine started before that (or refused it: see its log)`,
      fix: 'restart the engine (systemctl restart docker); its images and containers from before are then out of view until remapping is turned off',
    };
  return {
    id,
    title,
    status: 'ok',
    detail: `no: root in a container is uid 0 on the host, held only by the forced hardening (${optIn})`,
  };
}

/** The facts, as doctor gathers them. */
export function usernsFacts(docker: string, asRoot: boolean): UsernsFacts {
  const daemonJson = readText(DAEMON_JSON);
  if (!asRoot) return { asRoot, daemonJson };
  const r = run(docker, ['info', '--format', '{{json .SecurityOptions}}'], {
    env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', HOME: '/root', LANG: 'C' },
    timeoutMs: 15_000,
  });
  return {
    asRoot,
    daemonJson,
    securityOptions: r.status === 0 ? { json: r.stdout.trim() } : { error: r.error ?? r.stderr },
  };
}
