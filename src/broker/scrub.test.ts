import { describe, expect, it } from 'vitest';
import { FOREIGN_ID, scrubForeignIds } from './scrub.js';

const DEV2 = 'a1b2c3d4e5f6'.repeat(5) + 'abcd';
const MINE = '0123456789ab'.repeat(5) + 'cdef';

describe('scrubForeignIds', () => {
  it("hides another user's id in docker's name-conflict message", () => {
    const msg = `docker: Error response from daemon: Conflict. The container name "/dev2-db" is already in use by container "${DEV2}". You have to remove (or rename) that container to be able to reuse that name.\n`;
    const out = scrubForeignIds(msg, [MINE]);
    expect(out).not.toContain(DEV2);
    expect(out).not.toContain(DEV2.slice(0, 12));
    expect(out).toBe(msg.replace(DEV2, FOREIGN_ID));
  });
  it("keeps the caller's own ids, full or short, in any case", () => {
    const msg = `container ${MINE} (${MINE.slice(0, 12)}) and ${MINE.toUpperCase()}`;
    expect(scrubForeignIds(msg, [MINE])).toBe(msg);
    expect(scrubForeignIds(`short ${DEV2.slice(0, 12)}`, [MINE])).toBe(`short ${FOREIGN_ID}`);
  });
  it('hides an all-digit 12-run (it may be an id), leaves other lengths, words and digests alone', () => {
    expect(scrubForeignIds('id 123456789012.', [])).toBe(`id ${FOREIGN_ID}.`);
    expect(scrubForeignIds('1234567890123 12345678901 deadbeefcafe1 xdeadbeefcafe', [])).toBe(
      '1234567890123 12345678901 deadbeefcafe1 xdeadbeefcafe',
    );
    const digest = `Digest: sha256:${DEV2}`;
    expect(scrubForeignIds(digest, [])).toBe(digest);
    expect(scrubForeignIds(`${DEV2}${DEV2}`, [])).toBe(`${DEV2}${DEV2}`); // 128 hex: not an id
  });
  it('ignores junk in ownIds and copes with hostile text', () => {
    expect(scrubForeignIds(`x ${DEV2}`, ['', 'nothex', DEV2.slice(0, 4)])).toBe(`x ${FOREIGN_ID}`);
    const big = `${'\u0000\u202e'.repeat(1000)}${DEV2}`;
    expect(scrubForeignIds(big, [])).toBe(`${'\u0000\u202e'.repeat(1000)}${FOREIGN_ID}`);
  });
});
