import fs from 'node:fs';
import path from 'node:path';
import { DockerfileParser } from 'dockerfile-ast';
import { describe, expect, test } from 'vitest';
import { expandWord } from './expand.js';
import { execForm, extractFlags, parseDockerfile } from './parse.js';

const corpus = path.resolve(import.meta.dirname, '../../test/corpus');
const corpusFiles = ['good', 'bad'].flatMap((d) =>
  fs.readdirSync(path.join(corpus, d)).map((f) => path.join(corpus, d, f)),
);

describe('parseDockerfile', () => {
  // dockerfile-ast is the oracle for where instructions start and what they are called.
  const samples = [
    ...corpusFiles.map((f) => fs.readFileSync(f, 'utf8')),
    'from a\nrun x \\\n  # c\n  y\nUS\\\nER 0\n\n\n  CMD ["a b"]\n',
    '# escape=`\nFROM a\nRUN x `\n y\nUS`\nER 1\n',
    'FROM a\nRUN <<A <<B\none\nA\ntwo\nB\nRUN <<-EOT\n\tx\n\tEOT\nCOPY <<EOF /x\nhi\nEOF\nUSER 1\n',
  ];
  test.each(samples.map((s, i) => [i, s]))(
    'instruction boundaries and keywords agree with dockerfile-ast (%i)',
    (_i, text) => {
      const ours = parseDockerfile(text as string).instructions.map((i) => `${i.line}:${i.keyword}`);
      const theirs = DockerfileParser.parse(text as string)
        .getInstructions()
        .map((i) => `${i.getRange().start.line}:${i.getKeyword()}`);
      expect(ours).toEqual(theirs);
    },
  );
  test('comment lines inside a continuation are dropped (BuildKit), unlike dockerfile-ast argument text', () => {
    const [run] = parseDockerfile('RUN curl x \\\n  # note\n  | sh').instructions;
    expect(run.rest).toBe('curl x   | sh');
  });
  test('heredoc bodies, chomp and quoted names', () => {
    const [run] = parseDockerfile('RUN <<-"EOT" bash\n\techo $X\n\tEOT\nUSER 1').instructions;
    expect(run.heredocs).toEqual([{ name: 'EOT', chomp: true, expand: false, body: '\techo $X', line: 1 }]);
    expect(parseDockerfile('RUN << EOF\nUSER 1').instructions.map((i) => i.keyword)).toEqual(['RUN', 'USER']);
  });
  test('flags: quotes, escapes, bare flags, "--" ends them', () => {
    expect(extractFlags('--mount=type=cache,target="/a b" --link --from=x cmd --not-a-flag')).toEqual({
      flags: [
        { name: 'mount', value: 'type=cache,target=/a b' },
        { name: 'link', value: null },
        { name: 'from', value: 'x' },
      ],
      rest: 'cmd --not-a-flag',
    });
    expect(extractFlags('--a=1 -- --b').rest).toBe('--b');
  });
  test('exec form keeps spaces inside strings', () => {
    expect(execForm('[ "a b", "c" ]')).toEqual(['a b', 'c']);
    expect(execForm('[1, "c"]')).toBeNull();
    expect(execForm('echo [x]')).toBeNull();
  });
  test('BOM and CRLF', () => {
    expect(parseDockerfile('\uFEFFFROM a\r\nUSER 1\r\n').instructions.map((i) => [i.keyword, i.rest])).toEqual([
      ['FROM', 'a'],
      ['USER', '1'],
    ]);
  });
});

describe('expandWord', () => {
  const scope = (vars: Record<string, string | null>) => (n: string) => (Object.hasOwn(vars, n) ? vars[n] : undefined);
  const x = (w: string, vars: Record<string, string | null> = {}) => expandWord(w, scope(vars));
  test('plain, braced, defaults and alternatives', () => {
    expect(x('$A/${B}', { A: 'a', B: 'b' })).toEqual({ value: 'a/b', unresolved: [] });
    expect(x('${A:-d}', { A: '' }).value).toBe('d');
    expect(x('${A-d}', { A: '' }).value).toBe('');
    expect(x('${A:-d}', { A: null })).toEqual({ value: 'd', unresolved: [] });
    expect(x('${A:+alt}', { A: 'v' }).value).toBe('alt');
    expect(x('${A:+alt}').value).toBe('');
    expect(x('${A:-${B:-deep}}').value).toBe('deep');
  });
  test('unresolvable', () => {
    expect(x('$A').unresolved).toEqual(['A']);
    expect(x('${A}', { A: null }).unresolved).toEqual(['A']);
    expect(x('${A:?msg}').unresolved).toEqual(['A']);
    expect(x('${A!}').unresolved.length).toBe(1);
  });
  test('pattern operators', () => {
    expect(x('${V#v}', { V: 'v1.2' }).value).toBe('1.2');
    expect(x('${V%.*}', { V: 'a.b.c' }).value).toBe('a.b');
    expect(x('${V%%.*}', { V: 'a.b.c' }).value).toBe('a');
    expect(x('${V##*/}', { V: 'x/y/z' }).value).toBe('z');
    expect(x('${V/a/b}', { V: 'aa' }).value).toBe('ba');
    expect(x('${V//a/b}', { V: 'aa' }).value).toBe('bb');
  });
  test('quotes and escapes', () => {
    expect(x(`'$A'"$A"\\$A`, { A: 'v' }).value).toBe('$Av$A');
  });
});

describe('ONBUILD triggers', () => {
  test('the rules judge the instruction an ONBUILD holds', async () => {
    const { lines: at } = await import('./test-helpers.js');
    const B = 'FROM registry.example.internal/base/a:1';
    expect(at('remote-add', [B, 'ONBUILD ADD https://x/y.tgz /opt/'])).toEqual([2]);
    expect(at('secret-in-env', [B, 'ONBUILD ENV API_TOKEN=abc'])).toEqual([2]);
    expect(at('sudo', [B, 'ONBUILD RUN sudo make install'])).toEqual([2]);
    expect(at('untrusted-base', [B, 'ONBUILD COPY --from=docker.io/library/alpine:3 /bin/sh /sh'])).toEqual([2]);
    expect(at('parse-error', [B, 'ONBUILD FROM registry.example.internal/base/a:1'])).toEqual([2]);
    expect(at('parse-error', [B, 'ONBUILD ONBUILD RUN true'])).toEqual([2]);
    expect(at('parse-error', [B, 'ONBUILD RUN true'])).toEqual([]);
  });
  test('a trigger is not part of this build: USER in ONBUILD does not change the final user', async () => {
    const { lines: at } = await import('./test-helpers.js');
    expect(at('root-user', ['FROM registry.example.internal/base/a:1', 'USER 10001', 'ONBUILD USER root'])).toEqual([]);
  });
});
