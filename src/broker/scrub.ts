// Docker's messages name containers by id: "Conflict. The container name "/dev2-db" is already in
// use by container "<64 hex>"". A container id is another user's handle on their container (and
// the key to guessing nothing else): the broker never passes one on that the caller does not own.

/** What stands in for an id the caller does not own. */
export const FOREIGN_ID = '<another container>';

/** 64 or 12 hex digits standing alone (not inside a longer word, a longer hex run, or a sha256: digest). */
const ID = /(?<![0-9A-Za-z_])(?<!sha256:)([0-9a-fA-F]{64}|[0-9a-fA-F]{12})(?![0-9A-Za-z_])/g;

/**
 * Replaces every container id in `text` that the caller does not own with FOREIGN_ID.
 *
 * Contract:
 * - `text`: anything docker wrote (stderr of create/start/…); hostile, any length, any bytes.
 * - `ownIds`: the full (64-hex) ids of the containers the caller owns, as the broker's own
 *   ownership record says — never from labels or docker's listing of names. Short ids work too.
 * - An id is any run of exactly 64 or exactly 12 hex digits (upper or lower case) that is not part
 *   of a longer word or hex run. It is kept when it is one of `ownIds` or the 12-digit prefix of
 *   one; anything else is replaced — also a run of 12 digits that only happens to be hex (a
 *   number), since telling them apart would let an all-digit id through.
 * - `sha256:<64 hex>` (image ids and digests in pull output) is left alone: not a container id.
 * - Pure: no I/O; the same input gives the same output; the rest of the text is untouched.
 */
export function scrubForeignIds(text: string, ownIds: Iterable<string>): string {
  const own = [...ownIds].map((id) => id.toLowerCase()).filter((id) => /^[0-9a-f]{12,64}$/.test(id));
  return text.replace(ID, (m) => {
    const id = m.toLowerCase();
    const mine = own.some((o) =>
      id.length === 64 ? o === id || (o.length < 64 && id.startsWith(o) && o.length >= 12) : o.startsWith(id),
    );
    return mine ? m : FOREIGN_ID;
  });
}
