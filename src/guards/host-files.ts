import type { Rule } from './rule.js';

export const rule: Rule = {
  id: 'host-files',
  title: 'No host files read or written as root',
  reason:
    "The docker CLI runs as root, so a path it opens (--env-file, --label-file, --cidfile, --iidfile, -o) would be read or written with root's rights.",
  fix: 'Pass values directly (-e KEY=value, --label k=v) and capture the container id from standard output.',
};
