#!/usr/bin/env node
// Hot path first (check and the docker verbs: dist/lean/lean.js, bundled, no oclif start-up);
// oclif for everything else: help, setup, doctor, lint, …
import { runLean } from '../dist/lean/lean.js';

const argv = process.argv.slice(2);
try {
  const code = await runLean(argv);
  if (code !== null) {
    process.exitCode = code;
  } else {
    const { execute } = await import('@oclif/core');
    await execute({ dir: import.meta.url });
  }
} catch (error) {
  // A bug, not a user mistake: say so plainly, keep the detail for a report.
  process.stderr.write(`cida-docker: internal error: ${error?.stack ?? error}\n`);
  process.exitCode = 70;
}
