#!/usr/bin/env bash
# Benchmark suite (issue 6): dgemm GFLOP/s of this machine's BLAS backend, then the synthetic
# n = 10,000 / d = 100 / P = 1,000 gated and ReLU solves, the syn_n1000_d20_P100 fixture,
# CIFAR-10 airplane vs automobile (P = 200) and the n = 10^4..10^6 scaling runs; writes
# bench/results.json and bench/results.md. --quick caps every workload tighter, drops n = 10^6
# and finishes in under 5 minutes.
# Usage: jobs/bench.sh [--quick] [--out DIR] [--fixtures DIR] [--cifar DIR]
#        jobs/bench.sh --main CLASS ARGS...   (another program of the bench source set,
#        src/bench/java/io/cvxrelu/bench, e.g. FixtureBench, ScaleBench, DistributedScaleBench,
#        SgdThroughputBench, CifarGatedStudy; each class comment gives its arguments)
# The bench is in neither jar: it runs embedded from target/test-classes, also with SPARK_HOME.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$CVXRELU_HOME"
if [[ "${1:-}" == "--main" ]]; then
  [[ $# -ge 2 ]] || { echo "bench.sh: --main needs a class name" >&2; exit 2; }
  main="$2"; shift 2
  [[ "$main" == *.* ]] || main="io.cvxrelu.bench.$main"
  cvxrelu_run_bench "$main" "$@"
fi
quick=false
for a in "$@"; do [[ "$a" == "--quick" ]] && quick=true; done
# The ReLU solve at n = 10,000 (ADMM) holds n x n factors (0.8 GB each) next to the n x 2P
# products; n = 10^6 at d = 100 holds X (0.8 GB) and several n x P buffers (1 GB each).
if [[ "$quick" == true ]]; then
  export CVXRELU_DRIVER_MEMORY="${CVXRELU_DRIVER_MEMORY:-8g}"
else
  export CVXRELU_DRIVER_MEMORY="${CVXRELU_DRIVER_MEMORY:-12g}"
fi
cvxrelu_run_bench io.cvxrelu.bench.BenchSuite "$@"
