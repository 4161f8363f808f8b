import { describe, expect, test } from 'vitest';
import { lines } from '../test-helpers.js';

const R = 'package-cache';
const B = 'FROM registry.example.internal/base/a:1';

describe('package-cache', () => {
  test('caches left behind', () => {
    expect(lines(R, [B, 'RUN apt-get update && apt-get install -y curl'])).toEqual([2]);
    expect(lines(R, [B, 'RUN apk add curl'])).toEqual([2]);
    expect(lines(R, [B, 'RUN pip install -r requirements.txt'])).toEqual([2]);
    expect(lines(R, [B, 'RUN python3 -m pip install flask'])).toEqual([2]);
    expect(lines(R, [B, 'RUN dnf install -y curl'])).toEqual([2]);
  });
  test('cleaned in the same RUN, avoided, or in a cache mount', () => {
    expect(
      lines(R, [B, 'RUN apt-get update && apt-get install -y curl \\', ' && rm -rf /var/lib/apt/lists/*']),
    ).toEqual([]);
    expect(lines(R, [B, 'RUN apk add --no-cache curl'])).toEqual([]);
    expect(lines(R, [B, 'RUN pip install --no-cache-dir flask'])).toEqual([]);
    expect(lines(R, [B, 'ENV PIP_NO_CACHE_DIR=1', 'RUN pip install flask'])).toEqual([]);
    expect(lines(R, [B, 'RUN --mount=type=cache,target=/root/.cache/pip pip install flask'])).toEqual([]);
    expect(
      lines(R, [
        B,
        'RUN --mount=type=cache,target=/var/cache/apt --mount=type=cache,target=/var/lib/apt apt-get update && apt-get install -y x',
      ]),
    ).toEqual([]);
    expect(lines(R, [B, 'RUN dnf install -y curl && dnf clean all'])).toEqual([]);
  });
  test('only stages that end in the image count', () => {
    expect(lines(R, [B + ' AS build', 'RUN pip install flask', B, 'COPY --from=build /x /x'])).toEqual([]);
    expect(lines(R, [B + ' AS base', 'RUN apk add curl', 'FROM base'])).toEqual([2]);
  });
});
