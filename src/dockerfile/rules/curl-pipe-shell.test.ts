import { describe, expect, test } from 'vitest';
import { pipedDownloads } from './curl-pipe-shell.js';
import { lines } from '../test-helpers.js';

const R = 'curl-pipe-shell';
const B = 'FROM registry.example.internal/base/a:1';
const bad = (s: string) => expect(pipedDownloads(s), s).not.toEqual([]);
const good = (s: string) => expect(pipedDownloads(s), s).toEqual([]);

describe('curl-pipe-shell', () => {
  test('downloads piped into a shell or interpreter', () => {
    bad('curl -fsSL https://x/install.sh | sh');
    bad('curl -fsSL https://x | bash -s -- --version 1');
    bad('wget -qO- https://x | sudo -E bash');
    bad('wget -O - https://x | /bin/sh');
    bad('curl https://x | tee /tmp/log | sh');
    bad('curl https://x | python3 -');
    bad('curl https://x | env FOO=1 sh');
    bad('set -e; apt-get update && curl -s https://x | bash && echo done');
    bad('busybox wget -O- https://x | busybox sh');
  });
  test('a download run by command or process substitution', () => {
    bad('sh -c "$(curl -fsSL https://x)"');
    bad('bash <(curl -s https://x)');
    bad('eval "$(wget -qO- https://x)"');
    bad('bash -c "curl -s https://x | sh"');
  });
  test('not executing the download', () => {
    good('curl -fsSLo /tmp/x.tgz https://x && echo "abc  /tmp/x.tgz" | sha256sum -c');
    good('curl -s https://x | tar xz -C /opt');
    good('curl -s https://x | python3 -c "import json,sys; print(json.load(sys.stdin))"');
    good('curl -s https://x > /tmp/i.sh # | sh');
    good("echo 'curl x | sh'");
    good('curl -s https://x | bash /opt/check.sh');
  });
  test('in RUN: shell form, continuations with comment lines, exec form, heredoc bodies', () => {
    expect(lines(R, [B, 'RUN curl -fsSL https://x \\', '  # then run it', '  | sh'])).toEqual([2]);
    expect(lines(R, [B, 'RUN ["sh", "-c", "wget -qO- https://x | sh"]'])).toEqual([2]);
    expect(lines(R, [B, 'RUN <<EOF', 'set -e', 'curl -fsSL https://x | bash', 'EOF'])).toEqual([2]);
    expect(lines(R, [B, 'RUN <<-EOT bash', '\tcurl -fsSL https://x | sh', '\tEOT'])).toEqual([2]);
    expect(lines(R, [B, 'COPY <<EOF /install.sh', 'curl https://x | sh', 'EOF'])).toEqual([2]);
    expect(lines(R, [B, 'run curl https://x | sh'])).toEqual([2]);
    expect(lines(R, [B, 'RUN c"u"rl https://x | s\\h', "RUN w'ge't -O- https://x | bash"])).toEqual([2, 3]);
  });
});

describe('curl-pipe-shell: the downloader or the shell named by a variable', () => {
  test('assigned in the script', () => {
    bad('C=curl; $C -fsSL https://x | sh');
    bad('C=curl && ${C} -s https://x | bash');
    bad('export DL="wget -qO-"; $DL https://x | sh');
    bad('C=/usr/bin/curl\n"$C" https://x | sh');
    bad('S=sh; curl https://x | $S');
    bad('C=curl; sh -c "$($C https://x)"');
  });
  test('a variable command whose value nobody can see, piped into a shell', () => {
    bad('$FETCH https://x | sh');
    bad('C=$(printf Y3VybA== | base64 -d); $C https://x | sh');
  });
  test('variables that are not downloaders', () => {
    good('C=cat; $C /etc/os-release | sh');
    good('C=curl; $C -fsSLo /tmp/x https://x');
    good('$FETCH https://x | tar xz');
  });
  test('named by the Dockerfile (ENV, ARG)', () => {
    expect(lines(R, [B, 'ENV C=curl', 'RUN $C -s https://x | sh'])).toEqual([3]);
    expect(lines(R, [B, 'ARG C=wget', 'RUN ${C} -qO- https://x | sh'])).toEqual([3]);
    expect(lines(R, [B, 'ENV C=cat', 'RUN $C /etc/hostname | sh'])).toEqual([]);
  });
});

describe('curl-pipe-shell: ONBUILD triggers are checked like the instructions they hold', () => {
  test('ONBUILD RUN', () => {
    expect(lines(R, [B, 'ONBUILD RUN curl -fsSL https://x | sh'])).toEqual([2]);
    expect(lines(R, [B, 'onbuild run C=curl; $C https://x | bash'])).toEqual([2]);
    expect(lines(R, [B, 'ONBUILD RUN curl -fsSLo /tmp/x https://x'])).toEqual([]);
  });
});
