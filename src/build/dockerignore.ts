// .dockerignore exactly as the docker 28.2.2 client applies it to a local context
// (moby/patternmatcher and its ignorefile.ReadAll, build.TrimBuildFilesFromExcludes, and the
// walk of pkg/archive TarWithOptions): comments and blank lines, `!` exceptions, a leading `/`
// or `./` cleaned away, `**` across directories, a directory excluded with its contents unless an
// exception names something under it, the Dockerfile and .dockerignore always sent.

/** Go's path.Clean for slash paths. */
export function goClean(p: string): string {
  if (p === '') return '.';
  const rooted = p.startsWith('/');
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else if (!rooted) out.push('..');
      continue;
    }
    out.push(part);
  }
  const joined = out.join('/');
  if (rooted) return `/${joined}`;
  return joined === '' ? '.' : joined;
}

/** ignorefile.ReadAll: the patterns of a .dockerignore text. */
export function readDockerignore(text: string): string[] {
  const out: string[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i];
    if (i === lines.length - 1 && line === '') break;
    if (line.endsWith('\r')) line = line.slice(0, -1); // bufio.ScanLines drops a trailing \r
    if (i === 0 && line.startsWith('\ufeff')) line = line.slice(1);
    if (line.startsWith('#')) continue;
    let pattern = line.trim();
    if (pattern === '') continue;
    const invert = pattern.startsWith('!');
    if (invert) pattern = pattern.slice(1).trim();
    if (pattern.length > 0) {
      pattern = goClean(pattern);
      if (pattern.length > 1 && pattern.startsWith('/')) pattern = pattern.slice(1);
    }
    out.push(invert ? `!${pattern}` : pattern);
  }
  return out;
}

type MatchType = 'exact' | 'prefix' | 'suffix' | 'regexp';

const ESCAPE = new Set([...'.+()|{}$']);

export class IgnorePatternError extends Error {
  override readonly name = 'IgnorePatternError';
}

class Pattern {
  readonly type: MatchType;
  readonly re: RegExp | null;
  constructor(
    readonly cleaned: string,
    readonly exclusion: boolean,
  ) {
    let re = '^';
    let type: MatchType = 'exact';
    const chars = [...cleaned];
    for (let i = 0, k = 0; k < chars.length; i++) {
      const ch = chars[k++];
      if (ch === '*') {
        if (chars[k] === '*') {
          k++;
          if (chars[k] === '/') k++;
          if (k >= chars.length) {
            if (type === 'exact') type = 'prefix';
            else {
              re += '.*';
              type = 'regexp';
            }
          } else {
            re += '(.*/)?';
            type = 'regexp';
          }
          if (i === 0) type = 'suffix';
        } else {
          re += '[^/]*';
          type = 'regexp';
        }
      } else if (ch === '?') {
        re += '[^/]';
        type = 'regexp';
      } else if (ESCAPE.has(ch)) {
        re += `\\${ch}`;
      } else if (ch === '\\') {
        if (k < chars.length) {
          const next = chars[k++];
          re += `\\${next}`;
          type = 'regexp';
        } else re += '\\\\';
      } else if (ch === '[' || ch === ']') {
        re += ch;
        type = 'regexp';
      } else {
        re += ch;
      }
    }
    this.type = type;
    if (type === 'regexp') {
      try {
        this.re = new RegExp(`${re}$`, 'u');
      } catch {
        throw new IgnorePatternError(`.dockerignore: bad pattern ${JSON.stringify(cleaned)}`);
      }
    } else this.re = null;
  }

  match(path: string): boolean {
    switch (this.type) {
      case 'exact':
        return path === this.cleaned;
      case 'prefix':
        return path.startsWith(this.cleaned.slice(0, -2));
      case 'suffix': {
        const suffix = this.cleaned.slice(2);
        if (path.endsWith(suffix)) return true;
        return suffix.startsWith('/') && path === suffix.slice(1);
      }
      default:
        return (this.re as RegExp).test(path);
    }
  }
}

/** Per-directory state of the walk: which patterns the directory matched. */
export type MatchInfo = readonly boolean[] | null;

export class PatternMatcher {
  readonly patterns: readonly Pattern[];
  readonly exclusions: boolean;

  constructor(patterns: readonly string[]) {
    const out: Pattern[] = [];
    let exclusions = false;
    for (const raw of patterns) {
      let p = raw.trim();
      if (p === '') continue;
      p = goClean(p);
      let exclusion = false;
      if (p.startsWith('!')) {
        if (p.length === 1) throw new IgnorePatternError('.dockerignore: illegal exclusion pattern: "!"');
        exclusion = true;
        exclusions = true;
        p = p.slice(1);
      }
      if (/\[[^\]]*$/.test(p))
        throw new IgnorePatternError(`.dockerignore: bad pattern ${JSON.stringify(p)} (unclosed [)`);
      out.push(new Pattern(p, exclusion));
    }
    this.patterns = out;
    this.exclusions = exclusions;
  }

  /** MatchesUsingParentResults: is `file` excluded, and the state to hand to its children. */
  matchesUsingParent(file: string, parent: MatchInfo): { excluded: boolean; info: boolean[] } {
    let matched = false;
    const info = new Array<boolean>(this.patterns.length).fill(false);
    this.patterns.forEach((pattern, i) => {
      let match = parent !== null ? parent[i] : false;
      if (!match) {
        if (pattern.exclusion !== matched) return;
        match = pattern.match(file);
        if (!match && parent === null) {
          const slash = file.lastIndexOf('/');
          if (slash > 0) {
            const dirs = file.slice(0, slash).split('/');
            for (let j = 0; j < dirs.length && !match; j++) match = pattern.match(dirs.slice(0, j + 1).join('/'));
          }
        }
      }
      info[i] = match;
      if (match) matched = !pattern.exclusion;
    });
    return { excluded: matched, info };
  }

  /** MatchesOrParentMatches, for a single path. */
  matches(file: string): boolean {
    return this.matchesUsingParent(file, null).excluded;
  }

  /** Deprecated patternmatcher.Matches (only one parent level), which TrimBuildFilesFromExcludes still uses. */
  matchesLegacy(file: string): boolean {
    let matched = false;
    const slash = file.lastIndexOf('/');
    const parentDirs = slash < 0 ? ['.'] : file.slice(0, slash).split('/');
    for (const pattern of this.patterns) {
      if (pattern.exclusion !== matched) continue;
      let match = pattern.match(file);
      const dirs = pattern.cleaned.split('/');
      if (!match && slash >= 0 && dirs.length <= parentDirs.length)
        match = pattern.match(parentDirs.slice(0, dirs.length).join('/'));
      if (match) matched = !pattern.exclusion;
    }
    return matched;
  }

  /** For an excluded directory: may an exception (`!dir/file`) bring back something under it? */
  mayIncludeUnder(dir: string): boolean {
    if (!this.exclusions) return false;
    const prefix = `${dir}/`;
    return this.patterns.some((p) => p.exclusion && `${p.cleaned}/`.startsWith(prefix));
  }
}

/**
 * build.TrimBuildFilesFromExcludes: the .dockerignore and the Dockerfile (when it is in the
 * context) are always sent, whatever the patterns say.
 */
export function keepBuildFiles(patterns: readonly string[], dockerfile: string | null): string[] {
  const out = [...patterns];
  const legacy = (file: string): boolean => {
    const f = goClean(file);
    if (f === '.') return false;
    return new PatternMatcher(out).matchesLegacy(f);
  };
  if (legacy('.dockerignore')) out.push('!.dockerignore');
  if (dockerfile !== null && legacy(dockerfile)) out.push(`!${dockerfile}`);
  return out;
}
