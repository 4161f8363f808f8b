import { describe, expect, test } from 'vitest';
import { lines } from '../test-helpers.js';

const R = 'user-after-cmd';
const B = 'FROM registry.example.internal/base/a:1';

describe('user-after-cmd', () => {
  test('USER after CMD or ENTRYPOINT', () => {
    expect(lines(R, [B, 'CMD ["x"]', 'USER 1'])).toEqual([3]);
    expect(lines(R, [B, 'ENTRYPOINT ["x"]', 'USER 1'])).toEqual([3]);
  });
  test('USER first, or CMD in another stage', () => {
    expect(lines(R, [B, 'USER 1', 'CMD ["x"]'])).toEqual([]);
    expect(lines(R, [B + ' AS b', 'CMD ["x"]', 'FROM b', 'USER 1'])).toEqual([]);
  });
});
