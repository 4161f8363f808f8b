// The Dockerfile as the rules see it: instructions grouped into build stages, each with the
// variables in scope where it stands (ARG defaults, `ARG` re-declarations of global ARGs, ENV,
// ENV inherited from a parent stage), and image names classified after expansion: an earlier
// stage, `scratch`, an image (parsed by the same normaliser as the run rules), an invalid name,
// or a name that depends on a variable with no known value.
import os from 'node:os';
import { parseImageReference, type ImageReference } from '../docker/reference.js';
import { expandWord, type Expanded, type Scope } from './expand.js';
import {
  execForm,
  parseDockerfile,
  splitWords,
  type Comment,
  type ParseProblem,
  type RawInstruction,
} from './parse.js';

export interface Instruction extends RawInstruction {
  /** Index of the stage it belongs to; -1 before the first FROM. */
  readonly stage: number;
  /** Variables in scope where the instruction stands (before its own effect). */
  readonly scope: Scope;
  /** Per-lint memo for what several rules derive from it (src/dockerfile/uses.ts). */
  readonly memo: { plain?: string; pipelines?: unknown };
  /**
   * Set on the instruction an `ONBUILD` holds (its trigger): the ONBUILD instruction itself. A
   * trigger runs when another Dockerfile builds FROM this image; it is listed in `instructions`
   * right after its ONBUILD (so the rules that judge single instructions judge it the same), at
   * the ONBUILD's position, but never in a stage's instructions (it does not run in this build).
   */
  readonly trigger?: Instruction;
}

export type ImageUse =
  | { readonly kind: 'stage'; readonly text: string; readonly stage: number }
  | { readonly kind: 'scratch'; readonly text: string }
  | { readonly kind: 'image'; readonly text: string; readonly value: string; readonly ref: ImageReference }
  | { readonly kind: 'invalid'; readonly text: string; readonly value: string; readonly reason: string }
  | { readonly kind: 'unresolved'; readonly text: string; readonly variables: readonly string[] };

export interface Stage {
  readonly index: number;
  /** Lower-cased `AS` name. */
  readonly name?: string;
  readonly from: Instruction;
  /** What FROM names; null when FROM has no image. */
  readonly base: ImageUse | null;
  /** The earlier stage this one is built on (base.kind === 'stage'). */
  readonly parent?: number;
  readonly instructions: readonly Instruction[];
}

export interface SyntaxDirective {
  readonly value: string;
  /** 0-based. */
  readonly line: number;
}

export interface DockerfileModel {
  readonly lines: readonly string[];
  readonly escape: string;
  readonly syntax: SyntaxDirective | null;
  /** Every instruction, in order, global ARGs included. */
  readonly instructions: readonly Instruction[];
  readonly stages: readonly Stage[];
  readonly comments: readonly Comment[];
  readonly problems: readonly ParseProblem[];
  /** Expands a word where `instr` stands. */
  expand(word: string, instr: Instruction): Expanded;
  /** Classifies an image name used by `instr` (COPY --from, RUN --mount from=, FROM). */
  image(text: string, instr: Instruction, opts?: { allowIndex?: boolean }): ImageUse;
  /** The final stage and the stages it is built on, final first. */
  finalChain(): Stage[];
  /** Per-lint memo for what several rules derive from the whole file. */
  readonly memo: { images?: unknown };
}

export interface ModelOptions {
  /** --build-arg values the build will pass; they override ARG defaults. */
  readonly buildArgs?: Readonly<Record<string, string>>;
}

/** Explicit copy: object spread of a parsed instruction is a slow path in V8 (5 µs each). */
function instruction(raw: RawInstruction, stage: number, scope: Scope): Instruction {
  return {
    keyword: raw.keyword,
    line: raw.line,
    column: raw.column,
    endLine: raw.endLine,
    flags: raw.flags,
    rest: raw.rest,
    heredocs: raw.heredocs,
    stage,
    scope,
    memo: {},
  };
}

const ARCH: Record<string, string> = {
  x64: 'amd64',
  arm64: 'arm64',
  arm: 'arm',
  ia32: '386',
  ppc64: 'ppc64le',
  s390x: 's390x',
  riscv64: 'riscv64',
};

/** BuildKit defines these in the global scope; a stage sees them after `ARG NAME`. */
function platformArgs(): Map<string, string> {
  const arch = ARCH[os.arch()] ?? os.arch();
  const variant = arch === 'arm' ? 'v7' : '';
  const platform = `linux/${arch}${variant ? `/${variant}` : ''}`;
  const m = new Map<string, string>();
  for (const p of ['BUILD', 'TARGET']) {
    m.set(`${p}PLATFORM`, platform);
    m.set(`${p}OS`, 'linux');
    m.set(`${p}ARCH`, arch);
    m.set(`${p}VARIANT`, variant);
  }
  return m;
}
const PLATFORM_ARGS = platformArgs();

/**
 * BuildKit's DetectSyntax: after a BOM and a `#!` line, the leading `# name=value` directives; if
 * none names syntax, the same with `//` comments; then a whole-file JSON object {"syntax": …}.
 * The frontend image is the value's first word.
 */
export function detectSyntax(text: string): SyntaxDirective | null {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let lines = text.split('\n');
  let offset = 0;
  if (lines[0]?.startsWith('#!')) {
    lines = lines.slice(1);
    offset = 1;
  }
  for (const prefix of ['#', '//']) {
    const seen = new Set<string>();
    for (let i = 0; i < lines.length; i++) {
      const l = lines[i].replace(/\r$/, '');
      if (!l.startsWith(prefix)) break;
      const m = /^([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$/.exec(l.slice(prefix.length).trimStart());
      const name = m?.[1].toLowerCase();
      if (!m || (name !== 'syntax' && name !== 'escape' && name !== 'check') || seen.has(name)) break;
      seen.add(name);
      if (name === 'syntax') return { value: m[2].split(' ')[0], line: i + offset };
    }
  }
  const body = lines.join('\n').trim();
  if (body.startsWith('{')) {
    try {
      const v: unknown = JSON.parse(body);
      if (v && typeof v === 'object' && !Array.isArray(v) && typeof (v as Record<string, unknown>).syntax === 'string')
        return { value: (v as Record<string, string>).syntax, line: offset };
    } catch {
      // not JSON
    }
  }
  return null;
}

type Vars = ReadonlyMap<string, string | null>;

function argDeclarations(instr: RawInstruction, escape: string): { name: string; value: string | null }[] {
  return splitWords(instr.rest, escape).map((w) => {
    const eq = w.indexOf('=');
    return eq < 0 ? { name: w, value: null } : { name: w.slice(0, eq), value: w.slice(eq + 1) };
  });
}

/** ENV/LABEL pairs: `K=V …`, or the old `K V` form (the rest of the line is the value). */
export function nameValuePairs(rest: string, escape: string): { name: string; value: string; raw: boolean }[] {
  const words = splitWords(rest, escape);
  if (words.length === 0) return [];
  if (!words[0].includes('=')) {
    const m = /^(\S+)\s+([\s\S]*)$/.exec(rest.trim());
    return m ? [{ name: m[1], value: m[2], raw: true }] : [{ name: words[0], value: '', raw: true }];
  }
  return words.map((w) => {
    const eq = w.indexOf('=');
    return eq < 0 ? { name: w, value: '', raw: false } : { name: w.slice(0, eq), value: w.slice(eq + 1), raw: false };
  });
}

/**
 * The instruction an ONBUILD holds, read as the builder reads it (the rest of the ONBUILD line is
 * parsed as an instruction), placed where the ONBUILD stands; null when it holds none.
 */
function onbuildTrigger(raw: RawInstruction): RawInstruction | null {
  const inner = parseDockerfile(raw.rest).instructions[0];
  if (!inner) return null;
  return {
    keyword: inner.keyword,
    line: raw.line,
    column: raw.column,
    endLine: raw.endLine,
    flags: inner.flags,
    rest: inner.rest,
    heredocs: inner.heredocs,
  };
}

export function buildModel(text: string, options: ModelOptions = {}): DockerfileModel {
  const parsed = parseDockerfile(text);
  const escape = parsed.escape;
  const buildArgs = options.buildArgs ?? {};
  const override = (name: string): string | undefined => (Object.hasOwn(buildArgs, name) ? buildArgs[name] : undefined);

  // Global scope: ARGs before the first FROM, plus BuildKit's platform ARGs.
  let globals: Vars = new Map<string, string | null>(PLATFORM_ARGS);
  const instructions: Instruction[] = [];
  const stages: Stage[] = [];
  const stageInstrs: Instruction[][] = [];
  const stageEnv: Vars[] = [];
  const stageNames = new Map<string, number>();

  const expandIn = (word: string, scope: Scope): Expanded => expandWord(word, scope, escape);
  const classify = (textWord: string, scope: Scope, before: number, allowIndex: boolean): ImageUse => {
    const ex = expandIn(textWord, scope);
    if (ex.unresolved.length > 0) return { kind: 'unresolved', text: textWord, variables: [...new Set(ex.unresolved)] };
    const value = ex.value;
    const named = stageNames.get(value.toLowerCase());
    if (named !== undefined && named < before) return { kind: 'stage', text: textWord, stage: named };
    if (allowIndex && /^\d+$/.test(value)) {
      const idx = Number(value);
      if (idx < before) return { kind: 'stage', text: textWord, stage: idx };
      return { kind: 'invalid', text: textWord, value, reason: `stage ${idx} is not an earlier build stage` };
    }
    if (value === 'scratch') return { kind: 'scratch', text: textWord };
    try {
      return { kind: 'image', text: textWord, value, ref: parseImageReference(value) };
    } catch (e) {
      return { kind: 'invalid', text: textWord, value, reason: (e as Error).message };
    }
  };

  let env: Vars = new Map();
  let args: Vars = new Map();
  let current = -1;
  const globalScope: Scope = (n) => globals.get(n);
  const makeScope =
    (e: Vars, a: Vars): Scope =>
    (n) =>
      e.has(n) ? e.get(n) : a.get(n);

  for (const raw of parsed.instructions) {
    if (raw.keyword === 'FROM') {
      if (current >= 0) stageEnv[current] = env;
      const instr = instruction(raw, stages.length, globalScope);
      const words = raw.rest.split(/\s+/).filter(Boolean);
      const index = stages.length;
      let name: string | undefined;
      if (words.length === 3 && words[1].toLowerCase() === 'as') name = words[2].toLowerCase();
      const base = words.length > 0 ? classify(words[0], globalScope, index, false) : null;
      const parent = base?.kind === 'stage' ? base.stage : undefined;
      current = index;
      env = parent !== undefined ? (stageEnv[parent] ?? new Map()) : new Map();
      args = new Map();
      const list: Instruction[] = [instr];
      stageInstrs.push(list);
      stages.push({
        index,
        ...(name !== undefined && { name }),
        from: instr,
        base,
        ...(parent !== undefined && { parent }),
        instructions: list,
      });
      if (name !== undefined && !stageNames.has(name)) stageNames.set(name, index);
      instructions.push(instr);
      continue;
    }
    const scope = current < 0 ? globalScope : makeScope(env, args);
    const instr = instruction(raw, current, scope);
    instructions.push(instr);
    if (current >= 0) stageInstrs[current].push(instr);
    if (raw.keyword === 'ONBUILD') {
      const held = onbuildTrigger(raw);
      if (held) instructions.push({ ...instruction(held, current, scope), trigger: instr });
    }
    if (raw.keyword === 'ARG') {
      const next = new Map(current < 0 ? globals : args);
      for (const d of argDeclarations(raw, escape)) {
        let value: string | null;
        const o = override(d.name);
        if (o !== undefined) value = o;
        else if (d.value !== null) {
          const ex = expandIn(d.value, current < 0 ? globalScope : scope);
          value = ex.unresolved.length > 0 ? null : ex.value;
        } else if (current >= 0) value = globals.get(d.name) ?? null;
        else value = null;
        next.set(d.name, value);
      }
      if (current < 0) globals = next;
      else args = next;
    } else if (raw.keyword === 'ENV' && current >= 0) {
      const next = new Map(env);
      for (const p of nameValuePairs(raw.rest, escape)) {
        const ex = expandIn(p.value, makeScope(next, args));
        next.set(p.name, ex.unresolved.length > 0 ? null : ex.value);
      }
      env = next;
    }
  }
  if (current >= 0) stageEnv[current] = env;

  const model: DockerfileModel = {
    lines: parsed.lines,
    escape,
    memo: {},
    syntax: detectSyntax(text),
    instructions,
    stages,
    comments: parsed.comments,
    problems: parsed.problems,
    expand: (word, instr) => expandIn(word, instr.scope),
    image: (t, instr, opts) => classify(t, instr.scope, instr.stage < 0 ? 0 : instr.stage, opts?.allowIndex ?? false),
    finalChain() {
      const chain: Stage[] = [];
      let s: Stage | undefined = stages[stages.length - 1];
      const seen = new Set<number>();
      while (s && !seen.has(s.index)) {
        seen.add(s.index);
        chain.push(s);
        s = s.parent !== undefined ? stages[s.parent] : undefined;
      }
      return chain;
    },
  };
  return model;
}

/** RUN's command text(s): the shell form or the exec form as a command line, and heredoc bodies. */
export function runScripts(instr: RawInstruction): string[] {
  const out: string[] = [];
  const exec = execForm(instr.rest);
  if (exec) {
    // Re-quoted as one command line; `sh -c '…'` scripts are read by allPipelines.
    out.push(exec.map((w) => (/^[\w@%+=:,./-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`)).join(' '));
  } else if (instr.rest) out.push(instr.rest);
  for (const h of instr.heredocs) out.push(h.body);
  return out;
}

/**
 * Where a finding about `instr` is reported (1-based): always the instruction's first line, as
 * hadolint does and as ignore comments are anchored; the column of `needle` when it appears on
 * that line, else the instruction's column.
 */
export function locate(
  df: DockerfileModel,
  instr: RawInstruction,
  needle: string,
): { line: number; column: number; length: number } {
  const text = df.lines[instr.line] ?? '';
  if (needle) {
    const at = text.indexOf(needle, instr.column + 1);
    if (at >= 0) return { line: instr.line + 1, column: at + 1, length: needle.length };
  }
  return {
    line: instr.line + 1,
    column: instr.column + 1,
    length: Math.max(1, Math.min(instr.keyword.length, text.length - instr.column)),
  };
}
