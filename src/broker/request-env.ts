// Values the broker needs from the caller's environment, which sudo's env_reset removes.
import type { ParsedCommand } from '../docker/model.js';

/** `-e NAME` takes its value from the caller's environment, which only the front end can see. */
export function withCallerEnv(cmd: ParsedCommand, env: Readonly<Record<string, string>> | undefined): ParsedCommand {
  const values = cmd.flags.env;
  if (values === undefined || values.every((v) => v.includes('='))) return cmd;
  const out: string[] = [];
  for (const v of values) {
    if (v.includes('=')) out.push(v);
    else if (env !== undefined && Object.hasOwn(env, v)) out.push(`${v}=${env[v]}`);
    // Absent from the caller's environment: docker would leave it out too.
  }
  const flags = { ...cmd.flags, env: out };
  if (out.length === 0) delete (flags as Record<string, string[] | undefined>).env;
  return { ...cmd, flags };
}
