// Just enough of a POSIX shell reader to see what a RUN script runs: simple commands (quotes and
// escapes removed), the pipelines that join them, and the scripts nested in `$(…)`, backticks,
// `<(…)` and `sh -c '…'`. It is a reviewer's reader, not an interpreter: it never expands
// variables and never throws.

export interface Word {
  /** Quotes and escapes removed; substitutions left as written. */
  readonly text: string;
  /** Scripts inside `$(…)`, backticks and `<(…)`/`>(…)` in this word. */
  readonly subs: readonly string[];
}

export interface SimpleCommand {
  readonly words: readonly Word[];
}

export interface Pipeline {
  readonly commands: readonly SimpleCommand[];
}

const KEYWORDS = new Set([
  'if',
  'then',
  'else',
  'elif',
  'fi',
  'do',
  'done',
  'while',
  'until',
  '!',
  '{',
  '}',
  'time',
  'esac',
]);

function closing(src: string, open: number, openCh: string, closeCh: string): number {
  // `open` indexes the opening char; returns the index of its match (or src.length).
  let depth = 0;
  for (let i = open; i < src.length; i++) {
    const c = src[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (c === "'") {
      const e = src.indexOf("'", i + 1);
      i = e < 0 ? src.length : e;
      continue;
    }
    if (c === openCh) depth++;
    else if (c === closeCh && --depth === 0) return i;
  }
  return src.length;
}

const SPECIAL = new Set([' ', '\t', '\r', '\n', '#', '\\', "'", '"', '$', '`', '<', '>', '|', '&', ';', '(', ')']);

/** Parses a script into pipelines; nested scripts stay in Word.subs (see allPipelines). */
export function parseShell(src: string): Pipeline[] {
  const pipelines: Pipeline[] = [];
  let commands: SimpleCommand[] = [];
  let words: Word[] = [];
  let text = '';
  let subs: string[] = [];
  let inWord = false;
  let skipNext = false; // the next word is a redirection target

  const endWord = () => {
    if (!inWord) return;
    if (skipNext) skipNext = false;
    else words.push({ text, subs });
    text = '';
    subs = [];
    inWord = false;
  };
  const endCommand = () => {
    endWord();
    if (words.length > 0) commands.push({ words });
    words = [];
    skipNext = false;
  };
  const endPipeline = () => {
    endCommand();
    if (commands.length > 0) pipelines.push({ commands });
    commands = [];
  };

  const n = src.length;
  for (let i = 0; i < n; i++) {
    const c = src[i];
    if (c === ' ' || c === '\t' || c === '\r') {
      endWord();
    } else if (c === '\n') {
      endPipeline();
    } else if (c === '#' && !inWord) {
      const e = src.indexOf('\n', i);
      i = (e < 0 ? n : e) - 1;
    } else if (c === '\\') {
      if (src[i + 1] === '\n') i++;
      else if (i + 1 < n) {
        text += src[++i];
        inWord = true;
      }
    } else if (c === "'") {
      const e = src.indexOf("'", i + 1);
      text += e < 0 ? src.slice(i + 1) : src.slice(i + 1, e);
      i = e < 0 ? n : e;
      inWord = true;
    } else if (c === '"') {
      inWord = true;
      for (i++; i < n && src[i] !== '"'; i++) {
        const d = src[i];
        if (d === '\\' && i + 1 < n && '$`"\\\n'.includes(src[i + 1])) {
          if (src[i + 1] !== '\n') text += src[i + 1];
          i++;
        } else if (d === '$' && src[i + 1] === '(') {
          const e = closing(src, i + 1, '(', ')');
          subs.push(src.slice(i + 2, e));
          text += src.slice(i, e + 1);
          i = e;
        } else if (d === '`') {
          const e = src.indexOf('`', i + 1);
          subs.push(src.slice(i + 1, e < 0 ? n : e));
          i = e < 0 ? n : e;
        } else text += d;
      }
    } else if (c === '$' && src[i + 1] === '(') {
      const e = closing(src, i + 1, '(', ')');
      subs.push(src.slice(i + 2, e));
      text += src.slice(i, e + 1);
      i = e;
      inWord = true;
    } else if (c === '$' && src[i + 1] === '{') {
      const e = closing(src, i + 1, '{', '}');
      text += src.slice(i, e + 1);
      i = e;
      inWord = true;
    } else if (c === '`') {
      const e = src.indexOf('`', i + 1);
      subs.push(src.slice(i + 1, e < 0 ? n : e));
      i = e < 0 ? n : e;
      inWord = true;
    } else if ((c === '<' || c === '>') && src[i + 1] === '(') {
      const e = closing(src, i + 1, '(', ')');
      endWord();
      words.push({ text: '', subs: [src.slice(i + 2, e)] });
      i = e;
    } else if (c === '<' || c === '>') {
      if (inWord && /^\d+$/.test(text)) {
        text = '';
        subs = [];
        inWord = false;
      } else endWord();
      while (i + 1 < n && '<>&|-'.includes(src[i + 1])) i++;
      // `2>&1`: the target is a fd, a word all the same.
      skipNext = true;
    } else if (c === '|') {
      if (src[i + 1] === '|') {
        i++;
        endPipeline();
      } else {
        if (src[i + 1] === '&') i++;
        endCommand();
      }
    } else if (c === '&') {
      if (src[i + 1] === '>') {
        endWord();
        i++;
        skipNext = true;
      } else {
        if (src[i + 1] === '&') i++;
        endPipeline();
      }
    } else if (c === ';' || c === '(' || c === ')') {
      endPipeline();
    } else {
      // A run of plain characters at once.
      let j = i + 1;
      while (j < n && !SPECIAL.has(src[j])) j++;
      text += src.slice(i, j);
      i = j - 1;
      inWord = true;
    }
  }
  endPipeline();
  return pipelines;
}

export interface AnalysedPipeline {
  readonly commands: readonly SimpleCommand[];
  /** invocation() of each command, computed once. */
  readonly invocations: readonly (Invocation | null)[];
}

/** Every pipeline of a script and of the scripts nested in it (`$(…)`, `sh -c '…'`), depth-limited. */
export function allPipelines(src: string, depth = 0): AnalysedPipeline[] {
  const out: AnalysedPipeline[] = [];
  for (const p of parseShell(src)) {
    const invocations = p.commands.map(invocation);
    out.push({ commands: p.commands, invocations });
    if (depth >= 4) continue;
    for (let k = 0; k < p.commands.length; k++) {
      for (const w of p.commands[k].words) for (const s of w.subs) out.push(...allPipelines(s, depth + 1));
      const inv = invocations[k];
      if (inv && SHELLS.has(inv.name)) {
        const c = inv.args.findIndex((w) => /^-[a-zA-Z]*c[a-zA-Z]*$/.test(w.text));
        if (c >= 0 && c + 1 < inv.args.length) out.push(...allPipelines(inv.args[c + 1].text, depth + 1));
      }
    }
  }
  return out;
}

export const SHELLS = new Set(['sh', 'bash', 'dash', 'zsh', 'ksh', 'ash', 'mksh', 'yash', 'fish', 'csh', 'tcsh']);

export interface Invocation {
  /** Basename of the program run, versions folded: python3.12 → python. */
  readonly name: string;
  readonly args: readonly Word[];
  /** Wrappers it was run through, outermost first: sudo, env, exec… */
  readonly wrappers: readonly string[];
}

const WRAPPERS: Record<string, RegExp | null> = {
  // value: options that take an argument
  sudo: /^-[ugCDhpRrTU]$/,
  doas: /^-[uC]$/,
  env: /^-[uCS]$/,
  exec: /^-a$/,
  command: null,
  nohup: null,
  nice: /^-n$/,
  time: null,
  stdbuf: null,
  timeout: null,
  busybox: null,
  builtin: null,
  xargs: /^-[IELnPsd]$/,
};

function baseName(word: string): string {
  const b = word.slice(word.lastIndexOf('/') + 1);
  const m = /^(python|pip|perl|ruby|php|node)[\d.]*$/.exec(b);
  return m ? m[1] : b;
}

/** The program a simple command runs, seen through assignments, keywords and wrappers. */
export function invocation(cmd: SimpleCommand): Invocation | null {
  const w = cmd.words;
  let i = 0;
  const wrappers: string[] = [];
  for (;;) {
    while (i < w.length && (KEYWORDS.has(w[i].text) || /^[A-Za-z_][A-Za-z0-9_]*=/.test(w[i].text))) i++;
    if (i >= w.length) return null;
    const name = baseName(w[i].text);
    if (!(name in WRAPPERS)) return { name, args: w.slice(i + 1), wrappers };
    wrappers.push(name);
    const takesArg = WRAPPERS[name];
    i++;
    if (name === 'timeout') {
      while (i < w.length && w[i].text.startsWith('-')) i++;
      i++; // the duration
      continue;
    }
    while (i < w.length && w[i].text.startsWith('-') && w[i].text !== '-') {
      if (w[i].text === '--') {
        i++;
        break;
      }
      if (takesArg?.test(w[i].text)) i++;
      i++;
    }
  }
}
