import type { Rule } from './rule.js';

export const rule: Rule = {
  id: 'kernel-override',
  title: "No kernel or security-profile overrides",
  reason: "Security options, sysctls, runtimes, isolation, annotations, checkpoints and log drivers other than json-file/local change how the kernel confines the container or where the engine sends data as root.",
  fix: "Leave the flag out; --security-opt no-new-privileges and --log-driver json-file or local are allowed.",
};
