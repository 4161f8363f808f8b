import { describe, expect, test } from 'vitest';
import { lines } from '../test-helpers.js';

const R = 'privileged-port';
const B = 'FROM registry.example.internal/base/a:1';

describe('privileged-port', () => {
  test('ports below 1024, with protocols, ranges and variables', () => {
    expect(lines(R, [B, 'EXPOSE 80'])).toEqual([2]);
    expect(lines(R, [B, 'EXPOSE 8080 443/tcp'])).toEqual([2]);
    expect(lines(R, [B, 'ARG PORT=22', 'EXPOSE ${PORT}/udp'])).toEqual([3]);
    expect(lines(R, [B, 'EXPOSE 1000-1100'])).toEqual([2]);
  });
  test('unprivileged and unknown ports pass', () => {
    expect(lines(R, [B, 'EXPOSE 8080 8443/tcp 1024', 'EXPOSE $PORT'])).toEqual([]);
  });
  test('only the stages in the image count', () => {
    expect(lines(R, [B + ' AS build', 'EXPOSE 80', B])).toEqual([]);
  });
});
