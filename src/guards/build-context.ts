// Where `docker build` reads from. The docker CLI (running as root under the broker) tars the
// context directory and reads the Dockerfile itself, so both must be the caller's own files:
// a context path inside the current directory, and a Dockerfile inside that context. Read as
// docker 28.2.2 reads them (cli/command/image/build.go, build/context.go):
//   - `-` is a tar (or Dockerfile) on stdin; http(s):// is a remote tarball; urlutil.IsGitURL
//     (`git://`, `git@`, `github.com/`, http(s) ending `.git` or `.git#ref`) is a git clone.
//     Docker tries a local directory first; we refuse every remote-looking form regardless.
//   - `-f` is resolved against the CURRENT directory, not the context (GetContextFromLocalDir);
//     `-f -` reads the Dockerfile from stdin.
// Paths are judged lexically here (normalised, `..` resolved). Symlinks inside the current
// directory that point out of it are the front end's problem: it reads the context as the
// developer and streams it to the broker (later work), so root never follows them.
import { posix } from 'node:path';
import { lastValue } from '../docker/model.js';
import { wantsHelp } from '../docker/parse.js';
import type { Finding, Rule } from './rule.js';

const LATER = 'Until cida-docker streams the build context from your side (planned), only a context inside the current directory can be built.';

/** urlutil.IsURL / IsGitURL, and the other remote forms docker's builders recognise. */
function remoteKind(context: string): string | null {
  if (/^https?:\/\//.test(context)) return /\.git(?:#.+)?$/.test(context) ? 'a git repository URL' : 'a remote URL';
  for (const prefix of ['git://', 'git@', 'github.com/']) if (context.startsWith(prefix)) return 'a git repository';
  if (/\.git(?:#.+)?$/.test(context)) return 'a git repository';
  if (/^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.test(context)) return 'a URL';
  return null;
}

/** The normalised path relative to the current directory, or null when it leaves it. */
function inside(path: string): string | null {
  const n = posix.normalize(path);
  if (n === '..' || n.startsWith('../')) return null;
  return n.replace(/\/$/, '') || '.';
}

function contextFindings(context: string | undefined): { findings: Finding[]; dir: string | null } {
  const fix = `Run the build from your project directory with a context inside it, such as . or app/. ${LATER}`;
  if (context === undefined) return { findings: [{ message: 'build needs a context path', fix }], dir: null };
  if (context === '-')
    return { findings: [{ message: 'build context "-": a context read from stdin is not reviewed', fix }], dir: null };
  const remote = remoteKind(context);
  if (remote !== null)
    return { findings: [{ message: `build context ${context}: ${remote}, fetched by docker as root`, fix }], dir: null };
  if (context === '') return { findings: [{ message: 'build context "": not a directory', fix }], dir: null };
  if (posix.isAbsolute(context))
    return { findings: [{ message: `build context ${context}: an absolute path; the context must be inside the current directory`, fix }], dir: null };
  const dir = inside(context);
  if (dir === null)
    return { findings: [{ message: `build context ${context}: leads outside the current directory`, fix }], dir: null };
  return { findings: [], dir };
}

function dockerfileFindings(file: string, dir: string | null): Finding[] {
  const fix = `Put the Dockerfile inside the build context and name it relative to the current directory (-f app/Dockerfile with context app). ${LATER}`;
  if (file === '-') return [{ message: '-f -: a Dockerfile read from stdin is not reviewed', fix }];
  if (file === '') return [];
  if (posix.isAbsolute(file))
    return [{ message: `-f ${file}: an absolute path; name the Dockerfile relative to the current directory, inside the context`, fix }];
  if (dir === null) return [];
  const f = inside(file);
  const within = f !== null && (dir === '.' || f === dir || f.startsWith(`${dir}/`)) && f !== dir;
  if (!within)
    return [
      {
        message: `-f ${file}: outside the build context ${dir} (docker reads -f relative to the current directory, not the context)`,
        fix,
      },
    ];
  return [];
}

export const rule: Rule = {
  id: 'build-context',
  title: "Build context inside the current directory",
  reason: "The build context and Dockerfile are read from the host: anything outside the current directory, from stdin or from a remote URL, escapes review.",
  fix: "Run the build from your project directory with a context such as . or app/ and a Dockerfile inside it.",
  check(cmd) {
    if (cmd.command !== 'build') return [];
    // `build --help` prints help: no context is read, so none is needed (-f is still checked).
    const { findings, dir } =
      cmd.args.length === 0 && wantsHelp(cmd) ? { findings: [], dir: null } : contextFindings(cmd.args[0]);
    const out = [...findings];
    if (cmd.args.length > 1) out.push({ message: `build takes one context, got ${cmd.args.length}: ${cmd.args.join(' ')}` });
    const file = lastValue(cmd.flags, 'file');
    if (file !== undefined) out.push(...dockerfileFindings(file, dir));
    return out;
  },
};
