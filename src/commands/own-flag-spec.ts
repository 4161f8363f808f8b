// oclif flags made from an own-flag spec (src/cli/own-flags.ts), for --help and the manifest only:
// the commands parse their argv themselves with the same spec (the lean entry runs that code).
import { Flags, type Interfaces } from '@oclif/core';
import type { OwnFlagSpec } from '../cli/own-flags.js';

export function oclifFlags(spec: OwnFlagSpec): Interfaces.FlagInput {
  return Object.fromEntries(
    spec.map((f) => [
      f.name,
      f.takesValue
        ? Flags.string({
            description: f.description,
            ...(f.default !== undefined ? { default: f.default } : {}),
            ...(f.options ? { options: [...f.options] } : {}),
          })
        : Flags.boolean({ description: f.description }),
    ]),
  );
}
