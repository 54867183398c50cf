#!/usr/bin/env bash
# Benchmarks: dgemm GFLOP/s of this machine's BLAS backend, then time to a certified 1e-6 gap
# on every reference instance.
# Usage: jobs/bench.sh [FIXTURES_DIR] [REPEATS] [OUT_DIR] [MAX_SECONDS_PER_SOLVE]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$CVXRELU_HOME"
# Scale workload first (gated, n = 10,000, d = 100, P = 1,000), then the fixtures.
SCALE_SECONDS="${CVXRELU_BENCH_SCALE_SECONDS:-120}"
(cvxrelu_run io.cvxrelu.bench.ScaleBench 10000 100 1000 "$SCALE_SECONDS" "${3:-bench}")
cvxrelu_run io.cvxrelu.bench.FixtureBench "${1:-../shared/fixtures}" "${2:-3}" "${3:-bench}" "${4:-300}"
