// What `check` cannot know from a command line alone: the approvals store is root's, read only by
// the broker. `check` prints these under an allowed verdict so "allowed" is not read as a promise.
import type { ParsedCommand } from '../docker/model.js';
import type { Policy } from '../policy/policy.js';

export function storeCaveats(cmd: ParsedCommand, policy: Policy): string[] {
  if (cmd.command === 'build')
    return [
      "not checked here: whether the Dockerfile's exact bytes (its sha256) are approved and not revoked, and whether every -t lies in that approval's repository; the broker decides both from its approvals store",
      'not checked here: the Dockerfile rules with these --build-arg values (the broker re-runs them on the Dockerfile it receives)',
    ];
  if (cmd.command === 'push' || cmd.command === 'tag')
    return [
      `not checked here: whether the image was built here from a Dockerfile still approved, and whether the name lies in that approval's repository (${cmd.command} never moves a name onto or away from an image you did not build); the broker decides from its image records`,
    ];
  if (cmd.command === 'rmi')
    return [
      'not checked here: whether each name is one of your own builds (administrators may remove any); the broker decides from its image records',
    ];
  if (cmd.command === 'run' && policy.run.requireApprovedImage)
    return [
      'not checked here: whether a local image was built from a Dockerfile still approved (an image from a revoked approval is refused); the broker reads that from its image records after create',
    ];
  return [];
}
