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
  if (code === undefined) return inv.name === 'source' || inv.name === '.' ? ['/dev/stdin', '-'].includes(inv.args[0]?.text ?? '') : false;
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

function downloads(script: string): boolean {
  return parseShell(script).some((p) => p.commands.some((c) => DOWNLOADERS.has(invocation(c)?.name ?? '')));
}

/** Descriptions of each download-executed-by-a-shell in a script. */
export function pipedDownloads(script: string): string[] {
  return downloadsRun(allPipelines(script));
}

function downloadsRun(pipelines: readonly AnalysedPipeline[]): string[] {
  const out: string[] = [];
  for (const p of pipelines) {
    const invs = p.invocations;
    const dl = invs.findIndex((i) => i !== null && DOWNLOADERS.has(i.name));
    if (dl >= 0) {
      const sh = invs.slice(dl + 1).find((i) => i !== null && runsStdin(i));
      if (sh) out.push(`${invs[dl]!.name} … | ${[...sh.wrappers, sh.name].join(' ')}`);
    }
    for (const inv of invs) {
      if (!inv || !(SHELLS.has(inv.name) || inv.name in INTERPRETERS || ['eval', 'source', '.'].includes(inv.name))) continue;
      const sub = inv.args.flatMap((w) => w.subs).find(downloads);
      if (sub !== undefined) out.push(`${inv.name} runs the output of ${sub.trim().split(/\s+/)[0]}`);
    }
  }
  return out;
}

export const rule: DockerfileRule = {
  id: 'curl-pipe-shell',
  severity: 'error',
  title: 'Download piped into a shell',
  reason: 'curl … | sh runs whatever the server sends at build time, as root, unreviewed; the approved Dockerfile does not say what code ran.',
  fix: 'Download to a file, check a pinned checksum (echo "<sha256>  file" | sha256sum -c), then run it; better, install from a package repository or COPY a reviewed script.',
  check(df) {
    const out: RuleFinding[] = [];
    for (const instr of df.instructions) {
      if (!mentions(instr, /curl|wget|fetch|aria2c/)) continue;
      for (const what of downloadsRun(pipelinesOf(instr))) {
          const tool = what.split(/[\s…]/)[0];
          out.push({ instruction: instr, ...locate(df, instr, tool === 'sh' || tool === 'bash' ? '' : tool), message: `${instr.keyword} executes a download: ${what}` });
      }
    }
    return out;
  },
};
