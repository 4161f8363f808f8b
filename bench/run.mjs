#!/usr/bin/env node
// `npm run bench`: every benchmark in turn (each prints its own figures). Needs `npm run build`.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
let failed = false;
for (const script of ['check.mjs', 'lint.mjs', 'ps.mjs', 'build.mjs']) {
  console.log(`\n== bench/${script}`);
  // build.mjs and ps.mjs share the engine and the policy with the e2e tests: they take their lock.
  const r =
    (script === 'build.mjs' || script === 'ps.mjs') && fs.existsSync('/usr/bin/flock')
      ? spawnSync('/usr/bin/flock', ['/tmp/cida-e2e.lock', process.execPath, path.join(here, script)], {
          stdio: 'inherit',
        })
      : spawnSync(process.execPath, [path.join(here, script)], { stdio: 'inherit' });
  failed ||= r.status !== 0;
}
process.exitCode = failed ? 1 : 0;
