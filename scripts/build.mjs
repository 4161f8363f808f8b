#!/usr/bin/env node
// Bundles the two entry points that must start fast or run as root into single files:
//   dist/lean/     the front end's hot path (check, docker verbs), split per command
//   dist/broker.js the root side, installed by `cida-docker setup` (when src/broker/main.ts exists)
// tsc compiles everything else (dist/commands for oclif).
import { build } from 'esbuild';
import fs from 'node:fs';

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  // CommonJS dependencies inside an ESM bundle still call require().
  banner: {
    js: "import { createRequire as __cidaRequire } from 'node:module'; const require = __cidaRequire(import.meta.url);",
  },
  logLevel: 'warning',
  legalComments: 'none',
};

// Split so each hot command loads only its own code; stale chunks of earlier builds go first.
fs.rmSync('dist/lean', { recursive: true, force: true });
await build({ ...common, entryPoints: ['src/lean.ts'], outdir: 'dist/lean', splitting: true });
if (fs.existsSync('src/broker/main.ts'))
  await build({ ...common, entryPoints: ['src/broker/main.ts'], outfile: 'dist/broker.js' });
