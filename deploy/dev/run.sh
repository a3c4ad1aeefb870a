#!/usr/bin/env bash
# One entry point for a fresh Debian 12 machine (even a minimal one without a
# compiler): installs what is missing from Debian's archive, builds, then runs
#   demo   `pqrflow demo`: the embedded broker, the three services and a live feed
#   test   every test suite through ctest (unit, reference cross-check, end to end)
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
  librdkafka-dev libprotobuf-dev protobuf-compiler libabsl-dev libyaml-cpp-dev
  libgtest-dev libgmock-dev libbenchmark-dev kcat prometheus
)

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

install_missing
build
case "$action" in
  demo)  exec "$build_dir/services/cli/pqrflow" demo "$@" ;;
  test)  cd "$build_dir" && exec ctest --output-on-failure -j "$(nproc)" "$@" ;;
  build) ;;
  *) echo "usage: deploy/dev/run.sh demo|test|build [args]" >&2; exit 2 ;;
esac
