import { isFromRegistry, parseImageReference } from '../../docker/reference.js';
import type { DockerfileRule } from '../rule.js';

export const rule: DockerfileRule = {
  id: 'untrusted-syntax',
  severity: 'error',
  title: 'Frontend (# syntax=) outside the trusted registry',
  reason:
    'A `# syntax=` directive makes the builder pull that image and run it with the build: code from outside the trusted registry would decide what gets built.',
  fix: "Remove the directive (the engine's built-in frontend reads heredocs and RUN --mount), or name a frontend image mirrored in the trusted registry.",
  check(df, { policy }) {
    const s = df.syntax;
    if (!s) return [];
    const text = df.lines[s.line] ?? '';
    const col = Math.max(0, text.indexOf(s.value));
    const at = { line: s.line + 1, column: col + 1, length: s.value.length };
    let ref;
    try {
      ref = parseImageReference(s.value);
    } catch (e) {
      return [
        {
          ...at,
          message: `syntax directive "${s.value}" is not a valid image reference (${(e as Error).message}); the builder would still try to run it`,
        },
      ];
    }
    if (isFromRegistry(ref, policy.trustedRegistries)) return [];
    return [
      {
        ...at,
        message: `syntax directive runs frontend image ${s.value} from ${ref.domain}, not a trusted registry (${policy.trustedRegistries.join(', ') || 'the policy trusts none'})`,
      },
    ];
  },
};
