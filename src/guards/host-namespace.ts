import type { Rule } from './rule.js';

export const rule: Rule = {
  id: 'host-namespace',
  title: "No host or foreign namespaces",
  reason: "Sharing the host's (or another container's) network, PID, IPC, UTS, user or cgroup namespace lets the container see and act on the host or on others' containers.",
  fix: "Use the default namespaces; publish ports with -p/-P instead of --network host.",
};
