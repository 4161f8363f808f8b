#!/usr/bin/env bash
# Developers' loop for the end-to-end tests on this machine (as root, after e2e/setup-host.sh):
# build, install the package globally, run `cida-docker setup` for the test users, then the given
# e2e files. Holds /tmp/cida-e2e.lock throughout: the tests share one engine, policy file and
# broker, so two of these never run at once.
#   scripts/e2e-local.sh e2e/broker.test.ts [more files or vitest args]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
exec 9>/tmp/cida-e2e.lock
flock 9
npm run build >/tmp/cida-e2e-build.log 2>&1 || { tail -30 /tmp/cida-e2e-build.log; exit 1; }
dir=$(mktemp -d)
npm pack --ignore-scripts --pack-destination "$dir" >/dev/null
npm install -g --prefix /usr/local --no-audit --no-fund "$dir"/cida-docker-*.tgz >/dev/null
rm -rf "$dir"
cida-docker setup --user cida-dev1 --user cida-dev2 </dev/null >/tmp/cida-e2e-setup.log 2>&1 || { tail -30 /tmp/cida-e2e-setup.log; exit 1; }
npx vitest run -c vitest.e2e.config.ts "$@"
