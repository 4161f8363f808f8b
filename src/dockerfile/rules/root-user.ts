import { rootInSpec } from '../../docker/user-spec.js';
import { locate, type Instruction } from '../model.js';
import type { DockerfileRule } from '../rule.js';

/** Why a USER value runs as root (uid 0 or group 0, by number or name), or null. */
function rootInUser(value: string): string | null {
  const v = value.trim();
  if (v === '' || v.split(':')[0].trim() === '') return 'an empty user is uid 0 (root)';
  return rootInSpec(v)[0]?.why ?? null;
}

export const rule: DockerfileRule = {
  id: 'root-user',
  severity: 'error',
  title: 'Image runs as root',
  reason:
    'The founding policy: every service runs as a non-root user. A root process in a container is one kernel or runtime bug away from root on the shared host.',
  fix: 'End the final stage with USER set to a non-root user and group that exist in the image (e.g. RUN useradd -u 10001 app, then USER 10001:10001); a temporary USER root earlier is fine.',
  check(df) {
    const chain = df.finalChain();
    if (chain.length === 0) return [];
    const final = chain[0];
    let user: Instruction | undefined;
    for (const stage of chain) {
      for (const i of stage.instructions) if (i.keyword === 'USER') user = i;
      if (user) break;
    }
    if (!user) {
      const how = chain.length > 1 ? ` (nor in stage${chain.length > 2 ? 's' : ''} it is built on)` : '';
      return [
        {
          instruction: final.from,
          ...locate(df, final.from, ''),
          message: `final stage sets no USER${how}: the container runs as the base image's user, root unless proven otherwise`,
        },
      ];
    }
    const ex = df.expand(user.rest.trim(), user);
    const at = { instruction: user, ...locate(df, user, user.rest.trim().split(/\s/)[0] ?? '') };
    if (ex.unresolved.length > 0)
      return [
        {
          ...at,
          message: `USER ${user.rest.trim()}: ${ex.unresolved.map((v) => `$${v}`).join(', ')} has no default value, so the user may be root`,
        },
      ];
    const why = rootInUser(ex.value);
    if (why !== null) {
      const shown = ex.value === user.rest.trim() ? ex.value : `${user.rest.trim()} (= ${ex.value})`;
      return [
        {
          ...at,
          message: `the final stage runs as root: USER ${shown} is the last USER${user.stage !== final.index ? ` (inherited from stage ${user.stage})` : ''}: ${why}`,
        },
      ];
    }
    return [];
  },
};
