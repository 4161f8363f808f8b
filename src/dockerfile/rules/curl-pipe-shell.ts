import { locate } from '../model.js';
import type { DockerfileRule, RuleFinding } from '../rule.js';
import { SHELLS, allPipelines, invocation, parseShell, type AnalysedPipeline, type Invocation } from '../shell.js';
import { mentions, pipelinesOf } from '../uses.js';

const DOWNLOADERS = new Set(['curl', 'wget', 'fetch', 'aria2c']);
const INTERPRETERS: Record<string, RegExp> = {
  // options that run code given on the command line instead of stdin
  python: /^-[a-zA-Z]*[cm]/,
  perl: /^-[a-zA-Z]*[eE]/,
  ruby: /^-[a-zA-Z]*e/,
  node: /^(?:-[a-zA-Z]*[ep]|--eval|--print)/,
  php: /^-[a-zA-Z]*r/,
};

/** Does this program execute what arrives on its stdin? */
export function runsStdin(inv: Invocation): boolean {
  const code = SHELLS.has(inv.name) ? /^-[a-zA-Z]*c/ : INTERPRETERS[inv.name];
  if (code === undefined)
    return inv.name === 'source' || inv.name === '.' ? ['/dev/stdin', '-'].includes(inv.args[0]?.text ?? '') : false;
  for (let i = 0; i < inv.args.length; i++) {
    const a = inv.args[i].text;
    if (a === '-' || a === '/dev/stdin') return true;
    if (a === '--') return i + 1 >= inv.args.length || ['-', '/dev/stdin'].includes(inv.args[i + 1].text);
    if (code.test(a)) return false;
    if (SHELLS.has(inv.name) && /^-[a-zA-Z]*s/.test(a)) return true;
    if ((a === '-o' || a === '+o' || a === '-O' || a === '+O') && SHELLS.has(inv.name)) {
      i++;
      continue;
    }
    if (!a.startsWith('-') && !a.startsWith('+')) return false; // a script file
  }
  return true;
}

/**
 * What a command name may stand for. A literal name stands for itself; `$C` / `${C}` for the
 * values the script assigns to C (`C=curl`, `export C=wget -qO-`) and the value the Dockerfile
 * gives it (ENV, ARG), first word, directory dropped; null when nothing says (a value computed at
 * build time, or no value at all), which a reviewer cannot read either.
 */
export type Resolve = (name: string) => string[] | null;

const VAR_NAME = /^\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?$/;
const ASSIGNMENT = /^([A-Za-z_][A-Za-z0-9_]*)=([\s\S]*)$/;

function programOf(value: string): string | null {
  const first = value.trim().split(/\s+/)[0] ?? '';
  if (first === '' || /[$`]/.test(first)) return null;
  return first.slice(first.lastIndexOf('/') + 1);
}

/** A resolver for the pipelines of one script: assignments anywhere in it, then `outer` (the Dockerfile's scope). */
export function resolverFor(
  pipelines: readonly AnalysedPipeline[],
  outer: (name: string) => string | null | undefined = () => undefined,
): Resolve {
  const assigned = new Map<string, string[]>();
  for (const p of pipelines)
    for (const c of p.commands)
      for (const w of c.words) {
        const m = ASSIGNMENT.exec(w.text);
        if (m) assigned.set(m[1], [...(assigned.get(m[1]) ?? []), m[2]]);
      }
  return (name) => {
    const v = VAR_NAME.exec(name);
    if (!v) return [name];
    const values = [...(assigned.get(v[1]) ?? [])];
    const o = outer(v[1]);
    if (typeof o === 'string') values.push(o);
    const progs = values.map(programOf);
    return progs.length === 0 || progs.includes(null) ? null : (progs as string[]);
  };
}

/** A variable in command position (a cheap first look: `$C …`, `… | $S`, `sudo ${C}`). */
const VAR_COMMAND =
  /(?:^|[;&|(`\n]|\b(?:then|do|else|exec|command|env|sudo|xargs|time|nice|nohup|busybox))\s*\$\{?[A-Za-z_]/m;

const literal: Resolve = (name) => (VAR_NAME.test(name) ? null : [name]);

function downloads(script: string, resolve: Resolve): boolean {
  return parseShell(script).some((p) =>
    p.commands.some((c) => {
      const inv = invocation(c);
      return inv !== null && (resolve(inv.name)?.some((n) => DOWNLOADERS.has(n)) ?? false);
    }),
  );
}

/** Descriptions of each download-executed-by-a-shell in a script. */
export function pipedDownloads(script: string): string[] {
  const pipelines = allPipelines(script);
  return downloadsRun(pipelines, resolverFor(pipelines));
}

function runsStdinAs(inv: Invocation, resolve: Resolve): string | null {
  for (const name of resolve(inv.name) ?? []) if (runsStdin({ ...inv, name })) return name;
  return null;
}

function downloadsRun(pipelines: readonly AnalysedPipeline[], resolve: Resolve = literal): string[] {
  const out: string[] = [];
  for (const p of pipelines) {
    const invs = p.invocations;
    for (let k = 0; k < invs.length; k++) {
      const inv = invs[k];
      if (!inv) continue;
      const names = resolve(inv.name);
      const downloader = names?.find((n) => DOWNLOADERS.has(n));
      if (names !== null && downloader === undefined) continue;
      const sh = invs
        .slice(k + 1)
        .map((i) => (i ? { i, as: runsStdinAs(i, resolve) } : null))
        .find((x) => x !== null && x.as !== null);
      if (!sh) continue;
      const shell = [...sh.i.wrappers, sh.i.name === sh.as ? sh.as : `${sh.i.name} (${sh.as})`].join(' ');
      out.push(
        downloader === undefined
          ? `${inv.name} … | ${shell}: ${inv.name} is a command named by a variable whose value a reviewer cannot see`
          : `${inv.name === downloader ? downloader : `${inv.name} (${downloader})`} … | ${shell}`,
      );
      break;
    }
    for (const inv of invs) {
      if (!inv) continue;
      const name = (resolve(inv.name) ?? []).find(
        (n) => SHELLS.has(n) || n in INTERPRETERS || ['eval', 'source', '.'].includes(n),
      );
      if (name === undefined) continue;
      const sub = inv.args.flatMap((w) => w.subs).find((s) => downloads(s, resolve));
      if (sub !== undefined) out.push(`${name} runs the output of ${sub.trim().split(/\s+/)[0]}`);
    }
  }
  return out;
}

export const rule: DockerfileRule = {
  id: 'curl-pipe-shell',
  severity: 'error',
  title: 'Download piped into a shell',
  reason:
    'curl … | sh runs whatever the server sends at build time, as root, unreviewed; the approved Dockerfile does not say what code ran.',
  fix: 'Download to a file, check a pinned checksum (echo "<sha256>  file" | sha256sum -c), then run it; better, install from a package repository or COPY a reviewed script.',
  check(df) {
    const out: RuleFinding[] = [];
    for (const instr of df.instructions) {
      if (!mentions(instr, /curl|wget|fetch|aria2c/) && !mentions(instr, VAR_COMMAND)) continue;
      const pipelines = pipelinesOf(instr);
      const resolve = resolverFor(pipelines, (name) => {
        const ex = df.expand(`\${${name}}`, instr);
        return ex.unresolved.length > 0 ? null : ex.value;
      });
      for (const what of downloadsRun(pipelines, resolve)) {
        const tool = what.split(/[\s…]/)[0];
        const where = instr.trigger ? 'ONBUILD trigger ' : '';
        out.push({
          instruction: instr,
          ...locate(df, instr, tool === 'sh' || tool === 'bash' ? '' : tool),
          message: `${where}${instr.keyword} executes a download: ${what}`,
        });
      }
    }
    return out;
  },
};
