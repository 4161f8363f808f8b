import { describe, expect, test } from 'vitest';
import { findings, lines } from '../test-helpers.js';
import { lintDockerfile } from '../index.js';
import { TEST_POLICY } from '../test-helpers.js';

const R = 'reserved-label';
const B = 'FROM registry.example.internal/base/a:1';

describe('reserved-label', () => {
  test('cida.* keys, in every spelling the builder reads as one', () => {
    expect(lines(R, [B, 'LABEL cida.owner=me'])).toEqual([2]);
    expect(lines(R, [B, 'LABEL a=1 "cida.approval"=x b=2'])).toEqual([2]);
    expect(lines(R, [B, 'LABEL cida.builder me'])).toEqual([2]);
    expect(lines(R, [B, 'label CIDA.Owner=x'])).toEqual([2]);
    expect(lines(R, [B, 'LABEL cida\u200b.owner=x'])).toEqual([2]);
    expect(lines(R, [B, 'LABEL \uff43ida.owner=x'])).toEqual([2]);
    expect(lines(R, [B, 'LABEL a=1 \\', '  cida.dockerfile.sha256=0'])).toEqual([2]);
    expect(findings(R, [B, 'LABEL cida.owner=me'])[0].severity).toBe('error');
  });
  test('through ARG and ENV expansion, and build-args that could make one', () => {
    expect(lines(R, ['ARG P=cida', B, 'ARG P', 'LABEL ${P}.owner=x'])).toEqual([4]);
    expect(lines(R, [B, 'ENV NS=cida', 'LABEL $NS.builder=x'])).toEqual([3]);
    expect(lines(R, [B, 'ARG NS', 'LABEL ${NS}.builder=x'])).toEqual([3]);
    expect(lines(R, [B, 'ARG NS', 'LABEL ci${NS}=x'])).toEqual([3]);
    expect(lines(R, [B, 'ARG NS', 'LABEL com.example.${NS}=x'])).toEqual([]);
    const withArg = lintDockerfile([B, 'ARG NS=com', 'LABEL ${NS}.example=x'].join('\n'), TEST_POLICY, {
      buildArgs: { NS: 'cida' },
    });
    expect(withArg.findings.filter((f) => f.rule === R).map((f) => f.line)).toEqual([3]);
  });
  test('ONBUILD LABEL is judged the same', () => {
    expect(lines(R, [B, 'ONBUILD LABEL cida.owner=x'])).toEqual([2]);
  });
  test('other labels are fine', () => {
    expect(
      lines(R, [B, 'LABEL org.opencontainers.image.source=x com.example.cida=1 cidar=2 "note"="cida.owner"']),
    ).toEqual([]);
  });
});
