import type { Rule } from './rule.js';

export const rule: Rule = {
  id: 'capabilities-devices',
  title: 'No added capabilities, devices or GPUs',
  reason: 'Capabilities and host devices give the container powers over the host kernel and hardware.',
  fix: 'Leave out --cap-add, --device* and --gpus; --cap-drop is fine.',
};
