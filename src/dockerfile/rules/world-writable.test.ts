import { describe, expect, test } from 'vitest';
import { isWorldWritable } from './world-writable.js';
import { lines } from '../test-helpers.js';

const R = 'world-writable';
const B = 'FROM registry.example.internal/base/a:1';

describe('world-writable', () => {
  test('modes', () => {
    for (const m of ['777', '0777', '666', '772', 'a+rwx', 'o+w', 'a+w', 'ugo+rwx', 'u+x,o+w', 'o=rwx', 'a=rwX'])
      expect(isWorldWritable(m), m).toBe(true);
    for (const m of ['755', '0644', '1777', '775', 'u+rwx', 'g+w', '+w', 'o-w', 'a+rx', 'o+t'])
      expect(isWorldWritable(m), m).toBe(false);
  });
  test('chmod, install -m, mkdir -m, COPY --chmod', () => {
    expect(lines(R, [B, 'RUN chmod 777 /app'])).toEqual([2]);
    expect(lines(R, [B, 'RUN chmod -R a+rwx /app'])).toEqual([2]);
    expect(lines(R, [B, 'RUN mkdir -p -m 0777 /data'])).toEqual([2]);
    expect(lines(R, [B, 'RUN install -m 777 x /usr/local/bin/x'])).toEqual([2]);
    expect(lines(R, [B, 'COPY --chmod=777 app /app'])).toEqual([2]);
    expect(lines(R, [B, 'RUN <<EOF', 'chmod -R 777 /srv', 'EOF'])).toEqual([2]);
  });
  test('owner and group permissions are fine', () => {
    expect(
      lines(R, [
        B,
        'RUN chmod -R g+w /var/cache/nginx && chmod 755 /app && chmod 1777 /tmp',
        'COPY --chmod=755 app /app',
      ]),
    ).toEqual([]);
  });
});
