import { describe, expect, test } from 'vitest';
import { lines } from '../test-helpers.js';

const R = 'remote-add';
const B = 'FROM registry.example.internal/base/a:1';

describe('remote-add', () => {
  test('http(s), ftp and git sources fail', () => {
    expect(lines(R, [B, 'ADD https://example.com/x.tgz /opt/'])).toEqual([2]);
    expect(lines(R, [B, 'ADD --checksum=sha256:abc http://example.com/x /x'])).toEqual([2]);
    expect(lines(R, [B, 'ADD ["https://example.com/a b", "/x"]'])).toEqual([2]);
    expect(lines(R, [B, 'ADD git@github.com:moby/buildkit.git /src'])).toEqual([2]);
    expect(lines(R, [B, 'ARG URL=https://example.com/x', 'ADD ${URL} /x'])).toEqual([3]);
  });
  test('local sources and COPY pass', () => {
    expect(
      lines(R, [B, 'ADD app.tar.gz /opt/', 'COPY https-notes.txt /x', 'ADD <<EOF /x', 'https://not-a-source', 'EOF']),
    ).toEqual([]);
  });
});
