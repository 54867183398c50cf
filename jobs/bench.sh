#!/usr/bin/env bash
# Benchmark suite (issue 6): dgemm GFLOP/s of this machine's BLAS backend, then the synthetic
# n = 10,000 / d = 100 / P = 1,000 gated and ReLU solves, the syn_n1000_d20_P100 fixture,
# CIFAR-10 airplane vs automobile (P = 200) and the n = 10^4..10^6 scaling runs; writes
# bench/results.json and bench/results.md. --quick caps every workload tighter, drops n = 10^6
# and finishes in under 5 minutes.
# Usage: jobs/bench.sh [--quick] [--out DIR] [--fixtures DIR] [--cifar DIR]
#        jobs/bench.sh --scale [--quick] [--out DIR] [--only gated|relu|logistic|cores]
#                      [--sizes N1,N2] [--cores-partitions N|cores]   (issue 15's scale-out measurements: n = 10^5 and
#        10^6, gated and ReLU, in local-cluster mode with executors in JVMs of their own;
#        writes DIR/runs.jsonl and DIR/scale.md, default bench/scale)
#        jobs/bench.sh --main CLASS ARGS...   (another program of the bench source set,
#        src/bench/java/io/cvxrelu/bench, e.g. FixtureBench, ScaleBench, DistributedScaleBench,
#        SgdThroughputBench, CifarGatedStudy; each class comment gives its arguments)
# The bench is in neither jar: it runs embedded from target/test-classes, also with SPARK_HOME.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$CVXRELU_HOME"

# cvxrelu_scale_bench [--quick] [--out DIR]: ScaleOutBench runs, each in a JVM of its own, on
# Spark's local-cluster master: a standalone master and workers inside the driver's JVM whose
# executors are separate JVMs, so the driver's peak heap is the driver's alone. There is no
# Spark distribution here, so SPARK_HOME is target/spark-home with jars/ linking the runtime
# classpath (what a distribution's jars/ holds).
cvxrelu_scale_bench() {
  local out=bench/scale quick=false only="" only_sizes="" cores_partitions=cores
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --quick) quick=true ;;
      --out) out="$2"; shift ;;
      --only) only="$2"; shift ;;
      --sizes) only_sizes="$2"; shift ;;
      --cores-partitions) cores_partitions="$2"; shift ;;
      *) echo "bench.sh --scale: unknown option $1" >&2; exit 2 ;;
    esac
    shift
  done
  cvxrelu_build_if_needed bench
  local home="$CVXRELU_HOME/target/spark-home"
  mkdir -p "$home/jars" "$out"
  tr ':' '\n' < "$CVXRELU_HOME/target/runtime.classpath" | while read -r jar; do
    [[ -n "$jar" ]] && ln -sf "$jar" "$home/jars/"
  done
  out="$(cd "$out" && pwd)"
  rm -f "$out/runs.jsonl"
  # The driver's heap stays below the 0.8 GB of X at n = 10^6, d = 100.
  export SPARK_HOME="$home" SPARK_SCALA_VERSION=2.13 \
    CVXRELU_DRIVER_MEMORY="${CVXRELU_DRIVER_MEMORY:-768m}"
  local tool_options="-Dspark.executor.extraClassPath=$CVXRELU_BENCH_CLASSES:$(cvxrelu_jar) -Dspark.executorEnv.OPENBLAS_NUM_THREADS=1 -Dlog4j2.configurationFile=$CVXRELU_HOME/src/main/resources/log4j2.properties"
  local cp="$CVXRELU_BENCH_CLASSES:$(cvxrelu_jar):$(cat "$CVXRELU_HOME/target/runtime.classpath")"
  local mem=7168 sizes="100000 1000000" cap=1800 steps=100
  if [[ "$quick" == true ]]; then mem=2048; sizes="20000 100000"; cap=120; steps=20; fi
  [[ -n "$only_sizes" ]] && sizes="${only_sizes//,/ }"
  run() {
    local master="$1"; shift
    # --only gated|relu|logistic|cores keeps the runs of that kind.
    local kind="$4"
    [[ "$5" == logistic ]] && kind=logistic
    [[ "$6" == 1e-12 ]] && kind=cores
    if [[ -n "$only" && "$only" != "$kind" ]]; then return 0; fi
    local mib="${master##*,}"
    mib="${mib%]}"
    export JAVA_TOOL_OPTIONS="$tool_options -Dspark.executor.memory=${mib}m"
    echo "bench.sh --scale: $master $*" >&2
    (CVXRELU_MASTER="$master" cvxrelu_java "$cp" io.cvxrelu.bench.ScaleOutBench "$@" \
      "$out/runs.jsonl") | grep '^SCALE ' || echo "bench.sh --scale: run failed: $*" >&2
  }
  local n
  for n in $sizes; do
    run "local-cluster[2,1,$mem]" "$n" 100 128 gated squared 1e-6 "$cap" 4 10000000
    run "local-cluster[2,1,$mem]" "$n" 20 100 relu squared 1e-6 "$cap" 4 10000000
    run "local-cluster[2,1,$mem]" "$n" 20 100 gated logistic 1e-4 "$cap" 4 10000000
  done
  # Seconds per pass with one executor core and with two (same executor memory, one partition
  # per core by default, as the jobs' default parallelism lays the rows out).
  local cores_n=200000
  [[ "$quick" == true ]] && cores_n=50000
  # --cores-partitions cores (the default): one partition per executor core (the jobs' default
  # parallelism); --cores-partitions N: N in both runs.
  local one_p="$cores_partitions" two_p="$cores_partitions"
  if [[ "$cores_partitions" == cores ]]; then one_p=1; two_p=2; fi
  run "local-cluster[1,1,$mem]" "$cores_n" 100 128 gated squared 1e-12 "$cap" "$one_p" "$steps"
  run "local-cluster[1,2,$mem]" "$cores_n" 100 128 gated squared 1e-12 "$cap" "$two_p" "$steps"
  (cvxrelu_java "$cp" io.cvxrelu.bench.ScaleOutBench --report "$out/runs.jsonl" "$out/scale.md")
  rm -rf "$home/work"
  echo "wrote $out/scale.md" >&2
}
if [[ "${1:-}" == "--main" ]]; then
  [[ $# -ge 2 ]] || { echo "bench.sh: --main needs a class name" >&2; exit 2; }
  main="$2"; shift 2
  [[ "$main" == *.* ]] || main="io.cvxrelu.bench.$main"
  cvxrelu_run_bench "$main" "$@"
fi
if [[ "${1:-}" == "--scale" ]]; then
  shift
  cvxrelu_scale_bench "$@"
  exit 0
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
