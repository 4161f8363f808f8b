#!/usr/bin/env node
// `npm run bench`: every benchmark in turn (each prints its own figures). Needs `npm run build`.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
let failed = false;
for (const script of ['check.mjs', 'lint.mjs']) {
  console.log(`\n== bench/${script}`);
  const r = spawnSync(process.execPath, [path.join(here, script)], { stdio: 'inherit' });
  failed ||= r.status !== 0;
}
process.exitCode = failed ? 1 : 0;
