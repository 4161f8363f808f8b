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

const CLONE = 'Clone or download it first, as yourself, and build the local directory: git clone URL app && cida-docker build -t … app';

/** urlutil.IsURL / IsGitURL, and the other remote forms docker's builders recognise. */
function remoteKind(context: string): string | null {
  if (/^https?:\/\//.test(context)) return /\.git(?:#.+)?$/.test(context) ? 'a git repository URL' : 'a remote URL';
  for (const prefix of ['git://', 'git@', 'github.com/']) if (context.startsWith(prefix)) return 'a git repository';
  if (/\.git(?:#.+)?$/.test(context)) return 'a git repository';
  if (/^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.test(context)) return 'a URL';
  return null;
}

function contextFindings(context: string | undefined): Finding[] {
  if (context === undefined)
    return [{ message: 'build needs a context: a directory (such as .), or - for a Dockerfile or a tar on stdin', fix: 'Give the context as the last argument: cida-docker build -t … .' }];
  if (context === '') return [{ message: 'build context "": not a directory', fix: 'Give a directory, such as .' }];
  const remote = remoteKind(context);
  if (remote !== null) return [{ message: `build context ${context}: ${remote}, which docker would fetch as root`, fix: CLONE }];
  return [];
}

export const rule: Rule = {
  id: 'build-context',
  title: "Build context from your own files",
  reason: "cida-docker packs the build context as you and streams it to the broker; a remote context (git or http URL) would be fetched by docker as root, outside that stream.",
  fix: "Clone or download the context first and build the local directory (cida-docker build -t … DIR), or pipe a tar or a Dockerfile on stdin (-).",
  check(cmd) {
    if (cmd.command !== 'build') return [];
    // `build --help` prints help: no context is read, so none is needed.
    const out = cmd.args.length === 0 && wantsHelp(cmd) ? [] : contextFindings(cmd.args[0]);
    if (cmd.args.length > 1) out.push({ message: `build takes one context, got ${cmd.args.length}: ${cmd.args.join(' ')}` });
    const file = lastValue(cmd.flags, 'file');
    if (file !== undefined && remoteKind(file) !== null && /^[a-z]+:\/\//i.test(file))
      out.push({ message: `-f ${file}: a URL; -f names a file you can read`, fix: 'Download the Dockerfile first and give its path.' });
    return out;
  },
};
