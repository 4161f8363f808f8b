// Labels under `cida.` are the broker's: it records a container's owner (cida.owner, cida.uid) and
// provenance there, and the owner checks of ps/logs/stop/rm… trust them. A user label with that
// prefix is refused on run and build. Docker's label keys are case-sensitive, so `CIDA.owner` is
// another key; it is refused all the same (it reads as ours to a person), as are keys with
// white space or invisible format characters (`cida\u200b.owner`) in them, or compatibility
// look-alikes (NFKC) of the prefix.
import type { Finding, Rule } from './rule.js';

export const RESERVED_PREFIX = 'cida.';

/** The label key as docker reads it (opts.ConvertKVStringsToMap: up to the first '='). */
function labelKey(value: string): string {
  const eq = value.indexOf('=');
  return eq < 0 ? value : value.slice(0, eq);
}

/** Invisible format characters (zero-width space/joiners, soft hyphen, BOM…) and white space. */
const INVISIBLE = /[\p{Cf}\p{Z}\s]/gu;

export function isReservedLabelKey(key: string): boolean {
  return key.normalize('NFKC').replace(INVISIBLE, '').toLowerCase().startsWith(RESERVED_PREFIX);
}

export const rule: Rule = {
  id: 'reserved-label',
  title: 'No cida.* labels',
  reason: "Labels under cida. record a container's owner and provenance; only cida-docker may set them.",
  fix: 'Choose a label name outside the cida. prefix.',
  check(cmd) {
    if (cmd.command !== 'run' && cmd.command !== 'build') return [];
    const out: Finding[] = [];
    for (const value of cmd.flags.label ?? []) {
      const key = labelKey(value);
      if (isReservedLabelKey(key))
        out.push({
          message: `--label ${value}: the key ${key} is under the reserved cida. prefix`,
          fix: `Choose a label name outside the cida. prefix (for example com.example.${key.trim().slice(RESERVED_PREFIX.length) || 'name'}); cida-docker sets cida.owner itself.`,
        });
    }
    return out;
  },
};
