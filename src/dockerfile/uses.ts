// Helpers shared by several rules: where a Dockerfile names an image, RUN mount options, the
// scripts a RUN carries.
import type { DockerfileModel, ImageUse, Instruction } from './model.js';
import { runScripts } from './model.js';
import { unquote } from './parse.js';
import { allPipelines, type AnalysedPipeline, type Invocation } from './shell.js';

export interface ImageMention {
  readonly instr: Instruction;
  /** How it is named: 'FROM', 'COPY --from', 'RUN --mount from='. */
  readonly how: string;
  readonly use: ImageUse;
}

/** `type=cache,target=/x,from=img` → Map(type→cache, …); keys lower-cased, quotes removed. */
export function mountOptions(value: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const part of value.match(/(?:[^,"']+|"[^"]*"|'[^']*')+/g) ?? []) {
    const eq = part.indexOf('=');
    const key = (eq < 0 ? part : part.slice(0, eq)).trim().toLowerCase();
    m.set(key, eq < 0 ? '' : unquote(part.slice(eq + 1).trim()));
  }
  return m;
}

/** Every image the build would pull: FROM, COPY --from=<image>, RUN --mount=…,from=<image>. */
export function imageMentions(df: DockerfileModel): ImageMention[] {
  if (df.memo.images) return df.memo.images as ImageMention[];
  const out: ImageMention[] = [];
  df.memo.images = out;
  // ONBUILD triggers name images too (COPY --from=…): judged where their ONBUILD stands.
  const triggers = df.instructions.filter((i) => i.trigger !== undefined);
  for (const stage of df.stages) {
    if (stage.base) out.push({ instr: stage.from, how: 'FROM', use: stage.base });
    for (const instr of [...stage.instructions, ...triggers.filter((t) => t.stage === stage.index)]) {
      if (instr.keyword === 'COPY' || instr.keyword === 'ADD') {
        for (const f of instr.flags)
          if (f.name === 'from' && f.value !== null)
            out.push({ instr, how: `${instr.keyword} --from`, use: df.image(f.value, instr, { allowIndex: true }) });
      } else if (instr.keyword === 'RUN') {
        for (const f of instr.flags) {
          if (f.name !== 'mount' || f.value === null) continue;
          const from = mountOptions(f.value).get('from');
          if (from !== undefined && from !== '')
            out.push({ instr, how: 'RUN --mount from=', use: df.image(from, instr, { allowIndex: true }) });
        }
      }
    }
  }
  return out;
}

/** Cache-mount targets of a RUN (`--mount=type=cache,target=/root/.cache/pip`). */
export function cacheTargets(df: DockerfileModel, instr: Instruction): string[] {
  const out: string[] = [];
  for (const f of instr.flags) {
    if (f.name !== 'mount' || f.value === null) continue;
    const o = mountOptions(df.expand(f.value, instr).value);
    if (o.get('type') !== 'cache') continue;
    const t = o.get('target') ?? o.get('dst') ?? o.get('destination');
    if (t) out.push(t);
  }
  return out;
}

/** The script texts a RUN carries; COPY/ADD heredoc bodies too (files the build may run). */
export function scriptsOf(instr: Instruction): string[] {
  if (instr.keyword === 'RUN') return runScripts(instr);
  if (instr.keyword === 'COPY' || instr.keyword === 'ADD') return instr.heredocs.map((h) => h.body);
  return [];
}

/**
 * A cheap first look before reading an instruction's scripts as shell: does `re` match their
 * text once quotes and backslashes are gone (the shell would remove them, so `c"u"rl` and
 * `cu\rl` both run curl)? A command name that does not appear here cannot be run by them.
 */
export function mentions(instr: Instruction, re: RegExp): boolean {
  const t = (instr.memo.plain ??= scriptsOf(instr)
    .join('\n')
    .replace(/[\\'"]/g, ''));
  return re.test(t);
}

/** The pipelines of every script an instruction carries, read once and shared by the rules. */
export function pipelinesOf(instr: Instruction): AnalysedPipeline[] {
  return (instr.memo.pipelines ??= scriptsOf(instr).flatMap((s) => allPipelines(s))) as AnalysedPipeline[];
}

/** Every program an instruction's scripts run. */
export function invocationsOf(instr: Instruction): Invocation[] {
  const out: Invocation[] = [];
  for (const p of pipelinesOf(instr)) for (const inv of p.invocations) if (inv) out.push(inv);
  return out;
}
