import type { Rule } from './rule.js';

export const rule: Rule = {
  id: 'reserved-label',
  title: "No cida.* labels",
  reason: "Labels under cida. record a container's owner and provenance; only cida-docker may set them.",
  fix: "Choose a label name outside the cida. prefix.",
};
