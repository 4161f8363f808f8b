// Where `docker build` reads from. The front end packs the context as the developer and streams
// it to the broker (src/build), which never opens a path the developer named: so the context may
// be any directory the developer can read (absolute, `../..`), `-` (a Dockerfile or a tar on
// stdin, as docker's `-`), and `-f` any file they can read, or `-`. What stays refused is what
// would have the engine or docker fetch the context as root from elsewhere, read as docker 28.2.2
// reads it (cli/command/image/build.go, build/context.go): http(s):// is a remote tarball;
// urlutil.IsGitURL (`git://`, `git@`, `github.com/`, http(s) ending `.git` or `.git#ref`) a git
// clone. Docker tries a local directory first; we refuse every remote-looking form regardless.
import { lastValue } from '../docker/model.js';
import { wantsHelp } from '../docker/parse.js';
import type { Finding, Rule } from './rule.js';

const CLONE =
  'Clone or download it first, as yourself, and build the local directory: git clone URL app && cida-docker build -t … app';

/** urlutil.IsURL / IsGitURL, and the other remote forms docker's builders recognise. */
function remoteKind(context: string): string | null {
  if (/^https?:\/\//.test(context)) return /\.git(?:#.+)?$/.test(context) ? 'a git repository URL' : 'a remote URL';
  for (const prefix of ['git://', 'git@', 'github.com/']) if (context.startsWith(prefix)) return 'a git repository';
  if (/\.git(?:#.+)?$/.test(context)) return 'a git repository';
  if (/^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.test(context)) return 'a URL';
  return null;
}

/**
 * The host's own directories. Their files belong to the host, not to an image that may be pushed
 * and pulled anywhere: they are no build context and hold no Dockerfile, even where the developer
 * can read them (and in `check`, run as root, everything is readable).
 */
const SYSTEM_DIRS = [
  'etc',
  'root',
  'proc',
  'sys',
  'dev',
  'boot',
  'run',
  'var',
  'usr',
  'bin',
  'sbin',
  'lib',
  'lib32',
  'lib64',
  'libx32',
  'snap',
  'lost+found',
];
const SYSTEM_FIX = 'Build from your project directory (your home, /tmp, /srv, …) and keep the Dockerfile there.';

/** The system directory a path lies in ('/' for the root itself), or null; relative paths escaping with `..` count too. */
export function systemArea(p: string): string | null {
  const parts = p.split('/').filter((x) => x !== '' && x !== '.');
  const absolute = p.startsWith('/');
  if (absolute) {
    // Resolve `..` lexically: /tmp/../etc is /etc.
    const stack: string[] = [];
    for (const x of parts)
      if (x === '..') stack.pop();
      else stack.push(x);
    if (stack.length === 0) return '/';
    return SYSTEM_DIRS.includes(stack[0]) ? `/${stack[0]}` : null;
  }
  // Relative: once `..` climbs out of the working directory, where it lands is unknown; a path that
  // then names a system directory (../../etc/shadow) means one.
  let i = 0;
  while (parts[i] === '..') i++;
  return i > 0 && parts[i] !== undefined && SYSTEM_DIRS.includes(parts[i]) ? `/${parts[i]}` : null;
}

function contextFindings(context: string | undefined): Finding[] {
  if (context === undefined)
    return [
      {
        message: 'build needs a context: a directory (such as .), or - for a Dockerfile or a tar on stdin',
        fix: 'Give the context as the last argument: cida-docker build -t … .',
      },
    ];
  if (context === '') return [{ message: 'build context "": not a directory', fix: 'Give a directory, such as .' }];
  const remote = remoteKind(context);
  if (remote !== null)
    return [{ message: `build context ${context}: ${remote}, which docker would fetch as root`, fix: CLONE }];
  const area = context === '-' ? null : systemArea(context);
  if (area !== null)
    return [
      {
        message: `build context ${context}: ${area === '/' ? 'the whole host' : `inside ${area}, a host system directory`}; its files belong to the host, not to an image`,
        fix: SYSTEM_FIX,
      },
    ];
  return [];
}

export const rule: Rule = {
  id: 'build-context',
  title: 'Build context from your own files',
  reason:
    "cida-docker packs the build context as you and streams it to the broker; a remote context (git or http URL) would be fetched by docker as root, outside that stream, and the host's system directories (/etc, /root, /var, …) are the host's files, not an image's.",
  fix: 'Clone or download the context first and build the local directory (cida-docker build -t … DIR), or pipe a tar or a Dockerfile on stdin (-).',
  check(cmd) {
    if (cmd.command !== 'build') return [];
    // `build --help` prints help: no context is read, so none is needed.
    const out = cmd.args.length === 0 && wantsHelp(cmd) ? [] : contextFindings(cmd.args[0]);
    if (cmd.args.length > 1)
      out.push({ message: `build takes one context, got ${cmd.args.length}: ${cmd.args.join(' ')}` });
    const file = lastValue(cmd.flags, 'file');
    if (file !== undefined && remoteKind(file) !== null && /^[a-z]+:\/\//i.test(file))
      out.push({
        message: `-f ${file}: a URL; -f names a file you can read`,
        fix: 'Download the Dockerfile first and give its path.',
      });
    const area = file === undefined || file === '-' ? null : systemArea(file);
    if (area !== null && area !== '/')
      out.push({
        message: `-f ${file}: inside ${area}, a host system directory, not a Dockerfile of yours`,
        fix: SYSTEM_FIX,
      });
    return out;
  },
};
