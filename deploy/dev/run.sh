#!/usr/bin/env bash
# One entry point for a fresh Debian 12 machine (even a minimal one without a
# compiler): installs what is missing from Debian's archive, builds, then runs
#   demo   `pqrflow demo`: the embedded broker, the three services and a live feed
#   test   every test suite through ctest (unit, reference cross-check, end to end,
#          the dashboard in headless Chromium)
#   build  only the set-up and the build
# Extra arguments go to `pqrflow demo` / ctest. BUILD_DIR (default ./build) may be set.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build_dir=${BUILD_DIR:-$here/build}
action=${1:-demo}
shift || true

# Debian bookworm packages: toolchain, libraries, and the tools the tests use.
packages=(
  g++ cmake ninja-build pkg-config make git ca-certificates python3
  libboost1.81-dev libboost-json1.81-dev libboost-program-options1.81-dev
  librdkafka-dev libprotobuf-dev protobuf-compiler libabsl-dev libyaml-cpp-dev zlib1g-dev
  libgtest-dev libgmock-dev libbenchmark-dev kcat prometheus
)
# The browser test (label browser) and the OpenAPI check: Chromium, PyYAML, and Node.js
# with npm — Debian's unless a node is installed already (a newer Node.js from elsewhere
# ships its own npm, which conflicts with Debian's). Only for `test`: the demo needs none.
if [ "$action" = test ]; then
  packages+=(chromium python3-yaml)
  command -v node >/dev/null || packages+=(nodejs)
  command -v npm >/dev/null || packages+=(npm)
fi

install_missing() {
  local missing=()
  for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "run.sh: installing ${missing[*]}" >&2
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "run.sh: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
    sudo=(sudo)
  fi
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

build() {
  cmake -S "$here" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build "$build_dir" -j "$(nproc)"
}

# The browser test's playwright-core, pinned by tests/browser/package-lock.json (from the
# npm registry; node_modules stays out of git). Skipped when the pinned version is there.
browser_deps() {
  local dir=$here/tests/browser
  local want have
  want=$(sed -n 's/.*"playwright-core": "\(.*\)".*/\1/p' "$dir/package.json")
  have=$(sed -n 's/.*"version": "\(.*\)".*/\1/p' "$dir/node_modules/playwright-core/package.json" 2>/dev/null | head -1) || true
  [ "$want" = "$have" ] && return 0
  echo "run.sh: npm ci in tests/browser (playwright-core $want)" >&2
  (cd "$dir" && npm ci --no-audit --no-fund) ||
    echo "run.sh: npm ci failed; browser_dashboard_test will say what is missing" >&2
}

install_missing
build
case "$action" in
  demo)  exec "$build_dir/services/cli/pqrflow" demo "$@" ;;
  test)  browser_deps; cd "$build_dir" && exec ctest --output-on-failure -j "$(nproc)" "$@" ;;
  build) ;;
  *) echo "usage: deploy/dev/run.sh demo|test|build [args]" >&2; exit 2 ;;
esac
