// Variable expansion the way BuildKit's shell lexer (frontend/dockerfile/shell/lex.go,
// ProcessWord) does it for FROM, COPY/ADD, ENV, ARG, USER, EXPOSE and flags: quotes are removed,
// `$X`, `${X}`, `${X:-w}`, `${X-w}`, `${X:+w}`, `${X+w}`, `${X:?m}`, `${X#p}`, `${X##p}`,
// `${X%p}`, `${X%%p}`, `${X/p/r}`, `${X//p/r}`. dockerfile-ast expands only plain `$X`/`${X}`.
//
// A variable that is not declared, or declared without a value (`ARG X`), has no value we can
// know: its use is recorded in `unresolved` (the builder would substitute '' or a --build-arg).

/** name → value; null = declared without a value. A missing key is an undeclared variable. */
export type Scope = (name: string) => string | null | undefined;

export interface Expanded {
  readonly value: string;
  /** Variables whose value cannot be known from the Dockerfile. */
  readonly unresolved: readonly string[];
}

/**
 * The longest value an expansion may reach. Doubling a variable in 40 ENV lines reaches gigabytes
 * (and the broker lints Dockerfiles as root): past this the value counts as unknown.
 */
export const MAX_EXPANDED_LENGTH = 64 * 1024;
/** Pattern operators (`${X%p}`, `${X/p/r}`…) on longer values cost too much to evaluate: unknown too. */
const MAX_PATTERN_SUBJECT = 4096;

class TooLong extends Error {}

function isNameStart(c: string): boolean {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_';
}
function isNameChar(c: string): boolean {
  return isNameStart(c) || (c >= '0' && c <= '9');
}

function globToRegExp(pattern: string, anchorStart: boolean, anchorEnd: boolean, greedy: boolean): RegExp {
  let src = '';
  for (const c of pattern) {
    if (c === '*') src += greedy ? '.*' : '.*?';
    else if (c === '?') src += '.';
    else src += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`${anchorStart ? '^' : ''}${src}${anchorEnd ? '$' : ''}`, 's');
}

class Lexer {
  pos = 0;
  readonly unresolved: string[] = [];
  constructor(
    readonly src: string,
    readonly scope: Scope,
    readonly escape: string,
  ) {}

  /** Reads until one of `stops` (outside quotes) or the end; returns the expanded text. */
  word(stops: string): string {
    let out = '';
    const s = this.src;
    while (this.pos < s.length) {
      const c = s[this.pos];
      if (stops.includes(c)) break;
      if (c === "'") {
        const end = s.indexOf("'", this.pos + 1);
        out += end < 0 ? s.slice(this.pos + 1) : s.slice(this.pos + 1, end);
        this.pos = end < 0 ? s.length : end + 1;
      } else if (c === '"') {
        this.pos++;
        out += this.doubleQuoted();
      } else if (c === '$') {
        out += this.dollar();
        if (out.length > MAX_EXPANDED_LENGTH) throw new TooLong();
      } else if (c === this.escape) {
        this.pos++;
        if (this.pos < s.length) out += s[this.pos++];
      } else {
        out += c;
        this.pos++;
      }
    }
    return out;
  }

  doubleQuoted(): string {
    let out = '';
    const s = this.src;
    while (this.pos < s.length) {
      const c = s[this.pos];
      if (c === '"') {
        this.pos++;
        return out;
      }
      if (c === '$') out += this.dollar();
      else if (
        c === this.escape &&
        (s[this.pos + 1] === '"' || s[this.pos + 1] === '$' || s[this.pos + 1] === this.escape)
      ) {
        out += s[this.pos + 1];
        this.pos += 2;
      } else {
        out += c;
        this.pos++;
      }
    }
    return out;
  }

  lookup(name: string): string | undefined {
    const v = this.scope(name);
    return v === null ? undefined : v;
  }

  dollar(): string {
    const s = this.src;
    this.pos++; // '$'
    const c = s[this.pos];
    if (c === undefined) return '$';
    if (c !== '{') {
      if (!isNameStart(c)) return '$';
      let name = '';
      while (this.pos < s.length && isNameChar(s[this.pos])) name += s[this.pos++];
      const v = this.lookup(name);
      if (v === undefined) this.unresolved.push(name);
      return v ?? '';
    }
    this.pos++; // '{'
    let name = '';
    while (this.pos < s.length && isNameChar(s[this.pos])) name += s[this.pos++];
    const v = this.lookup(name);
    const op = s[this.pos];
    if (op === '}') {
      this.pos++;
      if (v === undefined) this.unresolved.push(name);
      return v ?? '';
    }
    if (op === ':' && '-+?'.includes(s[this.pos + 1] ?? '')) {
      const kind = s[this.pos + 1];
      this.pos += 2;
      const w = this.word('}');
      this.pos++;
      const set = v !== undefined && v !== '';
      if (kind === '-') return set ? v : w;
      if (kind === '+') return set ? w : '';
      if (!set) this.unresolved.push(name);
      return v ?? '';
    }
    if (op === '-' || op === '+' || op === '?') {
      this.pos++;
      const w = this.word('}');
      this.pos++;
      if (op === '-') return v !== undefined ? v : w;
      if (op === '+') return v !== undefined ? w : '';
      if (v === undefined) this.unresolved.push(name);
      return v ?? '';
    }
    if (op === '#' || op === '%') {
      const longest = s[this.pos + 1] === op;
      this.pos += longest ? 2 : 1;
      const pattern = this.word('}');
      this.pos++;
      if (v === undefined || v.length > MAX_PATTERN_SUBJECT || pattern.length > MAX_PATTERN_SUBJECT) {
        this.unresolved.push(name);
        return '';
      }
      const re = op === '#' ? globToRegExp(pattern, true, false, longest) : globToRegExp(pattern, false, true, longest);
      if (op === '#') return v.replace(re, '');
      // Shortest suffix: try the longest-possible start first from the right.
      if (!longest) {
        for (let k = v.length; k >= 0; k--)
          if (globToRegExp(pattern, true, true, true).test(v.slice(k))) return v.slice(0, k);
        return v;
      }
      for (let k = 0; k <= v.length; k++)
        if (globToRegExp(pattern, true, true, true).test(v.slice(k))) return v.slice(0, k);
      return v;
    }
    if (op === '/') {
      const all = s[this.pos + 1] === '/';
      this.pos += all ? 2 : 1;
      const pattern = this.word('/}');
      let repl = '';
      if (s[this.pos] === '/') {
        this.pos++;
        repl = this.word('}');
      }
      this.pos++;
      if (v === undefined || v.length > MAX_PATTERN_SUBJECT || pattern.length > MAX_PATTERN_SUBJECT) {
        this.unresolved.push(name);
        return '';
      }
      const re = globToRegExp(pattern, false, false, true);
      return all ? v.replace(new RegExp(re.source, 'gs'), () => repl) : v.replace(re, () => repl);
    }
    // Malformed (`${}`, `${X!}`…): the builder refuses it; nothing can be known.
    const end = s.indexOf('}', this.pos);
    this.pos = end < 0 ? s.length : end + 1;
    this.unresolved.push(name || '${}');
    return '';
  }
}

/** Expands one word (quotes removed, variables substituted). Never throws. */
export function expandWord(word: string, scope: Scope, escape = '\\'): Expanded {
  if (!word.includes('$') && !word.includes("'") && !word.includes('"') && !word.includes(escape))
    return { value: word, unresolved: [] };
  const lx = new Lexer(word, scope, escape);
  try {
    const value = lx.word('');
    return { value, unresolved: lx.unresolved };
  } catch (e) {
    if (!(e instanceof TooLong) && !(e instanceof RangeError)) throw e;
    return {
      value: '',
      unresolved: [...lx.unresolved, `(an expansion longer than ${MAX_EXPANDED_LENGTH / 1024} KiB)`],
    };
  }
}
