import type { Rule } from './rule.js';

export const rule: Rule = {
  id: 'host-mount',
  title: "No host mounts or volumes",
  reason: "A bind mount or volume gives the container the host's files (-v /:/host is root on the host); volumes outlive the container and can be shared with others' containers.",
  fix: "Build the files into the image, pass configuration with -e, or use --tmpfs (or --mount type=tmpfs) for scratch space.",
};
