#!/bin/sh
# Installs the workspace, builds the server with the packages it runs on, and writes a
# production-only copy of apps/server to the directory given as the first argument: its dist,
# its production dependencies, and the workspace packages as they would be published (their
# "files": dist, ca/, ...), never their TypeScript sources.
#
# The Dockerfile's build stage runs this script and so does tools/deploy-check (without Docker),
# so the image and its check cannot drift apart.
#
# PNPM_FLAGS: extra flags for `pnpm install` and `pnpm deploy` (the check uses --prefer-offline).
set -eu

out=${1:?usage: build-server.sh <output directory>}
case $out in
  /*) ;;
  *) out="$PWD/$out" ;;
esac
cd "$(dirname "$0")/../.."

# The pnpm release the repository pins in package.json ("packageManager").
pnpm_spec=$(node -p 'require("./package.json").packageManager')
pnpm() { npx --yes "$pnpm_spec" "$@"; }

# shellcheck disable=SC2086 # PNPM_FLAGS is a list of flags
pnpm install --frozen-lockfile ${PNPM_FLAGS:-}

# A recursive run builds every package before those that depend on it; --filter-prod leaves out
# what only the tests use, and tsup's --no-dts the type declarations nothing reads at run time
# (they are most of the build time). Nx is not needed here: the image has no use for its cache
# or for the test targets.
pnpm --filter-prod '@fleet-telemetry/server...' run build --no-dts

# Injected workspace packages are copied as packed, so they resolve to their dist. Setting it for
# this command only leaves the workspace's own install (symlinked packages) as it is.
# shellcheck disable=SC2086
pnpm --filter @fleet-telemetry/server --prod --config.inject-workspace-packages=true deploy ${PNPM_FLAGS:-} "$out"

# node-rdkafka compiles librdkafka inside its own folder (about 400 MB of sources, objects and
# static libraries). At run time it loads build/Release/node-librdkafka.node, which finds
# librdkafka.so.1 and librdkafka++.so.1 through its RUNPATH ($ORIGIN/../deps).
for rdkafka in "$out"/node_modules/.pnpm/node-rdkafka@*/node_modules/node-rdkafka; do
  [ -d "$rdkafka" ] || continue
  rm -rf "$rdkafka/deps" "$rdkafka/src" "$rdkafka/build/Release/obj.target" "$rdkafka/build/Release/.deps" \
    "$rdkafka/build/deps/include" "$rdkafka/build/deps/pkgconfig" "$rdkafka/build/deps/share"
  rm -f "$rdkafka"/build/deps/*.a "$rdkafka/build/deps/librdkafka.so" "$rdkafka/build/deps/librdkafka++.so"
done

echo "deployable server written to $out"
