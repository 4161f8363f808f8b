import { describe, expect, test } from 'vitest';
import { lines } from '../test-helpers.js';

const R = 'sudo';
const B = 'FROM registry.example.internal/base/a:1';

describe('sudo', () => {
  test('sudo as a command, after other commands, in heredocs and exec form', () => {
    expect(lines(R, [B, 'RUN sudo apt-get update'])).toEqual([2]);
    expect(lines(R, [B, 'RUN set -e && sudo -u app make'])).toEqual([2]);
    expect(lines(R, [B, 'RUN <<EOF', 'sudo make install', 'EOF'])).toEqual([2]);
    expect(lines(R, [B, 'RUN ["sudo", "make"]'])).toEqual([2]);
    expect(lines(R, [B, 'RUN /usr/bin/sudo true'])).toEqual([2]);
  });
  test('installing sudo into the image', () => {
    expect(lines(R, [B, 'RUN apt-get install -y --no-install-recommends curl sudo'])).toEqual([2]);
    expect(lines(R, [B, 'RUN apk add --no-cache sudo'])).toEqual([2]);
  });
  test('the word sudo as data is fine', () => {
    expect(lines(R, [B, "RUN echo 'no sudo here' && grep -r sudo /etc || true", 'LABEL note="sudo"'])).toEqual([]);
  });
});
