// A Dockerfile lexer that reads the file the way BuildKit's parser does
// (github.com/moby/buildkit frontend/dockerfile/parser): BOM, parser directives (escape), comment
// lines, line continuations (`\` plus trailing blanks; comment and blank lines inside a
// continuation are dropped; continuation lines are not left-trimmed), keyword case, builder
// flags (`--name=value`, quotes and escapes), heredocs (`<<EOF`, `<<-EOF`, quoted names) on RUN,
// COPY and ADD, and the exec (JSON) form.
//
// Why not dockerfile-ast alone: it parses a 300-line file in about 5 ms (every instruction
// re-scans its arguments about eight times while being built), which caps lint at ~200 files/s
// against a goal of 2 000/s; its argument text keeps comment lines that sit inside a
// continuation (BuildKit drops them, so `curl … \` / `# x` / `| sh` would hide a pipe); and its
// FROM getters read raw text. It stays in the test suite as an oracle for instruction
// boundaries and keywords (src/dockerfile/parse.test.ts).

export interface Flag {
  readonly name: string;
  /** null for a bare `--flag`. */
  readonly value: string | null;
}

export interface Heredoc {
  readonly name: string;
  /** The body, lines joined with '\n' (leading tabs kept even for `<<-`). */
  readonly body: string;
  /** `<<-`: leading tabs are stripped from the body and the terminator. */
  readonly chomp: boolean;
  /** The name was unquoted, so variables in the body are expanded. */
  readonly expand: boolean;
  /** 0-based line of the body's first line. */
  readonly line: number;
}

export interface RawInstruction {
  /** Upper case, as BuildKit dispatches it ('RUN'), even when written `run` or split by a continuation. */
  readonly keyword: string;
  /** 0-based line and column where the instruction starts. */
  readonly line: number;
  readonly column: number;
  /** 0-based last physical line, heredoc bodies included. */
  readonly endLine: number;
  /** Builder flags in order (`--from=build` → {name:'from', value:'build'}). */
  readonly flags: readonly Flag[];
  /** The arguments after the flags: the logical line, continuations joined, trimmed. */
  readonly rest: string;
  readonly heredocs: readonly Heredoc[];
}

export interface Comment {
  /** 0-based line. */
  readonly line: number;
  /** The text after '#', trimmed. */
  readonly text: string;
}

export interface ParseProblem {
  readonly line: number;
  readonly message: string;
}

export interface ParsedDockerfile {
  /** Physical lines of the file (BOM and '\r' removed), for positions and display. */
  readonly lines: readonly string[];
  readonly escape: string;
  readonly instructions: readonly RawInstruction[];
  readonly comments: readonly Comment[];
  readonly problems: readonly ParseProblem[];
}

const DIRECTIVE = /^([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$/;
const VALID_DIRECTIVES = new Set(['syntax', 'escape', 'check']);
const HEREDOC_WORD = /^(\d*)<<(-?)([^<]*)$/;
const HEREDOC_KEYWORDS = new Set(['RUN', 'COPY', 'ADD']);

function isSpace(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\v' || c === '\f';
}

function trimLeft(s: string): string {
  let i = 0;
  while (i < s.length && isSpace(s[i])) i++;
  return i === 0 ? s : s.slice(i);
}

function isCommentLine(s: string): boolean {
  return trimLeft(s).startsWith('#');
}

/** Strips the continuation escape (and blanks after it) from the end; true when there was one. */
function trimContinuation(s: string, escape: string): [string, boolean] {
  let end = s.length;
  while (end > 0 && (s[end - 1] === ' ' || s[end - 1] === '\t')) end--;
  if (end > 0 && s[end - 1] === escape) return [s.slice(0, end - 1), true];
  return [s, false];
}

/**
 * BuildKit's extractBuilderFlags: leading `--name[=value]` words, with quotes and backslash
 * escapes, up to the first word not starting with `--` (or a bare `--`).
 */
export function extractFlags(line: string): { flags: Flag[]; rest: string } {
  const words: string[] = [];
  let pos = 0;
  const n = line.length;
  for (;;) {
    while (pos < n && isSpace(line[pos])) pos++;
    if (pos >= n || line[pos] !== '-' || line[pos + 1] !== '-') break;
    let word = '';
    let blankOK = false;
    let quote = '';
    for (; pos < n; pos++) {
      let ch = line[pos];
      if (quote) {
        if (ch === quote) {
          quote = '';
          continue;
        }
        if (ch === '\\') {
          if (pos + 1 === n) {
            quote = '';
            continue;
          }
          ch = line[++pos];
        }
        word += ch;
        continue;
      }
      if (isSpace(ch)) break;
      if (ch === "'" || ch === '"') {
        quote = ch;
        blankOK = true;
        continue;
      }
      if (ch === '\\') {
        if (pos + 1 === n) continue;
        ch = line[++pos];
      }
      word += ch;
    }
    if (word === '--') {
      return { flags: toFlags(words), rest: line.slice(pos).trim() };
    }
    if (blankOK || word.length > 0) words.push(word);
  }
  return { flags: toFlags(words), rest: line.slice(pos).trim() };
}

function toFlags(words: string[]): Flag[] {
  return words.map((w) => {
    const body = w.startsWith('--') ? w.slice(2) : w;
    const eq = body.indexOf('=');
    return eq < 0
      ? { name: body.toLowerCase(), value: null }
      : { name: body.slice(0, eq).toLowerCase(), value: body.slice(eq + 1) };
  });
}

/** BuildKit's parseWords: split on blanks outside quotes, keeping quotes and escapes in the words. */
export function splitWords(rest: string, escape = '\\'): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote = '';
  let blankOK = false;
  for (let pos = 0; pos < rest.length; pos++) {
    let ch = rest[pos];
    if (!inWord) {
      if (isSpace(ch)) continue;
      inWord = true;
    }
    if (quote) {
      if (ch === quote) quote = '';
      else if (ch === escape && quote !== "'") {
        if (pos + 1 === rest.length) {
          quote = '';
          continue;
        }
        word += ch;
        ch = rest[++pos];
      }
      word += ch;
      continue;
    }
    if (isSpace(ch)) {
      if (blankOK || word.length > 0) words.push(word);
      word = '';
      blankOK = false;
      inWord = false;
      continue;
    }
    if (ch === "'" || ch === '"') {
      quote = ch;
      blankOK = true;
    } else if (ch === escape) {
      if (pos + 1 === rest.length) continue;
      word += ch;
      ch = rest[++pos];
    }
    word += ch;
  }
  if (inWord && (blankOK || word.length > 0)) words.push(word);
  return words;
}

/** Removes quotes and escapes from a word kept raw by splitWords (no variable expansion). */
export function unquote(word: string, escape = '\\'): string {
  let out = '';
  let quote = '';
  for (let i = 0; i < word.length; i++) {
    const ch = word[i];
    if (quote === "'") {
      if (ch === "'") quote = '';
      else out += ch;
    } else if (quote === '"') {
      if (ch === '"') quote = '';
      else if (
        ch === escape &&
        i + 1 < word.length &&
        (word[i + 1] === '"' || word[i + 1] === '$' || word[i + 1] === escape)
      )
        out += word[++i];
      else out += ch;
    } else if (ch === "'" || ch === '"') quote = ch;
    else if (ch === escape) {
      if (i + 1 < word.length) out += word[++i];
    } else out += ch;
  }
  return out;
}

function heredocsIn(line: string): { name: string; chomp: boolean; expand: boolean }[] {
  const out: { name: string; chomp: boolean; expand: boolean }[] = [];
  for (const word of splitWords(line)) {
    const m = HEREDOC_WORD.exec(word);
    if (!m) continue;
    const rest = m[3];
    const words = splitWords(rest);
    if (words.length !== 1) continue;
    const name = unquote(words[0]);
    if (name === '') continue;
    out.push({ name, chomp: m[2] === '-', expand: name === rest });
  }
  return out;
}

export function parseDockerfile(text: string): ParsedDockerfile {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) if (lines[i].endsWith('\r')) lines[i] = lines[i].slice(0, -1);
  if (lines.length > 0 && lines[lines.length - 1] === '' && text.endsWith('\n')) lines.pop();

  const instructions: RawInstruction[] = [];
  const comments: Comment[] = [];
  const problems: ParseProblem[] = [];
  let escape = '\\';
  let directivesDone = false;
  const seenDirectives = new Set<string>();

  let i = 0;
  while (i < lines.length) {
    const physical = lines[i];
    const first = trimLeft(physical);
    const startLine = i;
    i++;
    if (!directivesDone) {
      // BuildKit's DirectiveParser, fed each left-trimmed line until one is not a directive.
      const m = first.startsWith('#') ? DIRECTIVE.exec(trimLeft(first.slice(1))) : null;
      const name = m?.[1].toLowerCase();
      if (!m || !name || !VALID_DIRECTIVES.has(name)) directivesDone = true;
      else {
        if (seenDirectives.has(name))
          problems.push({ line: startLine, message: `only one ${name} parser directive can be used` });
        seenDirectives.add(name);
        if (name === 'escape') {
          const v = m[2];
          if (v === '\\' || v === '`') escape = v;
          else problems.push({ line: startLine, message: `invalid escape token '${v}' does not match ` + '` or \\' });
        }
      }
    }
    if (first.startsWith('#')) {
      comments.push({ line: startLine, text: first.slice(1).trim() });
      continue;
    }
    let [logical, continued] = trimContinuation(first, escape);
    if (!continued && logical.trim() === '') continue;
    while (continued && i < lines.length) {
      const next = lines[i];
      i++;
      if (isCommentLine(next) || next.trim() === '') continue;
      let part: string;
      [part, continued] = trimContinuation(next, escape);
      logical += part;
    }
    if (logical.trim() === '') continue;

    const column = physical.length - first.length;
    const m = /^(\S+)\s*([\s\S]*)$/.exec(logical.trim());
    const keyword = (m?.[1] ?? '').toUpperCase();
    const { flags, rest } = extractFlags(m?.[2] ?? '');
    const heredocs: Heredoc[] = [];
    if (HEREDOC_KEYWORDS.has(keyword) && logical.includes('<<')) {
      for (const h of heredocsIn(m?.[2] ?? '')) {
        const bodyLine = i;
        const body: string[] = [];
        let terminated = false;
        while (i < lines.length) {
          const l = lines[i++];
          const candidate = h.chomp ? l.replace(/^\t+/, '') : l;
          if (candidate === h.name) {
            terminated = true;
            break;
          }
          body.push(l);
        }
        if (!terminated) problems.push({ line: startLine, message: `unterminated heredoc ${h.name}` });
        heredocs.push({ ...h, body: body.join('\n'), line: bodyLine });
      }
    }
    instructions.push({ keyword, line: startLine, column, endLine: i - 1, flags, rest, heredocs });
  }
  return { lines, escape, instructions, comments, problems };
}

/** The exec form: a JSON array of strings; null for the shell form. */
export function execForm(rest: string): string[] | null {
  const t = rest.trimStart();
  if (!t.startsWith('[')) return null;
  try {
    const v: unknown = JSON.parse(t);
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  } catch {
    // not JSON: the shell form
  }
  return null;
}
