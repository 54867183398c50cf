#!/usr/bin/env bash
# Prepares a fresh machine: native OpenBLAS for netlib (when apt is available) and the build:
# target/cvxrelu-VERSION.jar + target/runtime.classpath (embedded runs),
# target/cvxrelu-VERSION-spark.jar (the shaded jar jobs/*.sh hand to spark-submit) and the
# bench source set in target/test-classes (jobs/bench.sh; -DskipTests still compiles it).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if command -v apt-get >/dev/null 2>&1 && ! ldconfig -p 2>/dev/null | grep -q libopenblas; then
  SUDO=""
  [[ "$(id -u)" != 0 ]] && command -v sudo >/dev/null 2>&1 && SUDO="sudo"
  echo "installing libopenblas0-pthread (native BLAS)..." >&2
  $SUDO apt-get install -y -q libopenblas0-pthread >/dev/null 2>&1 \
    || { $SUDO apt-get update -q >/dev/null 2>&1 && $SUDO apt-get install -y -q libopenblas0-pthread >/dev/null 2>&1; } \
    || echo "warning: could not install libopenblas0-pthread; netlib will use its Java BLAS" >&2
fi
(cd "$HERE" && mvn -B -q -DskipTests package)
