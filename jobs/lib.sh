#!/usr/bin/env bash
# Shared launcher for the jobs: builds the jar when needed, then runs a main class through
# spark-submit when SPARK_HOME is set, otherwise in embedded local mode with plain java.
set -euo pipefail

CVXRELU_HOME="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export SPARK_LOCAL_IP="${SPARK_LOCAL_IP:-127.0.0.1}"
# One BLAS thread per core, as Spark advises for native BLAS: Spark tasks already occupy the
# cores, and the driver's large kernels split across the cores themselves (linalg.Parallel).
export OPENBLAS_NUM_THREADS="${OPENBLAS_NUM_THREADS:-1}"

# The plain jar (our classes only) for embedded runs with target/runtime.classpath.
cvxrelu_jar() {
  ls "$CVXRELU_HOME"/target/cvxrelu-*.jar 2>/dev/null | grep -v -- '-original\|-spark\.jar' | head -n 1 || true
}

# The spark-submit jar: our classes plus netlib, Spark/Hadoop/Scala left to the cluster.
cvxrelu_spark_jar() {
  ls "$CVXRELU_HOME"/target/cvxrelu-*-spark.jar 2>/dev/null | head -n 1 || true
}

# The compiled bench source set (src/bench/java, built with the tests by `mvn package`, which
# compiles the tests even with -DskipTests).
CVXRELU_BENCH_CLASSES="$CVXRELU_HOME/target/test-classes"

# cvxrelu_build_if_needed [bench]: runs `mvn package` when a jar or the runtime classpath is
# missing or older than the sources; with "bench", also when the bench classes are.
cvxrelu_build_if_needed() {
  local jar spark_jar stamp sources=("$CVXRELU_HOME/src/main" "$CVXRELU_HOME/pom.xml")
  jar="$(cvxrelu_jar)"
  spark_jar="$(cvxrelu_spark_jar)"
  stamp="$spark_jar"
  if [[ "${1:-}" == bench ]]; then
    stamp="$CVXRELU_BENCH_CLASSES/io/cvxrelu/bench/BenchSuite.class"
    sources+=("$CVXRELU_HOME/src/bench")
  fi
  if [[ -z "$jar" || -z "$spark_jar" || ! -f "$stamp" \
      || ! -f "$CVXRELU_HOME/target/runtime.classpath" ]] \
      || [[ -n "$(find "${sources[@]}" -newer "$stamp" -print -quit)" ]]; then
    echo "building cvxrelu (mvn package)..." >&2
    (cd "$CVXRELU_HOME" && mvn -B -q -DskipTests package >&2)
  fi
}

# cvxrelu_java CLASSPATH MAIN_CLASS ARGS...: an embedded run (Spark in local mode inside this
# JVM) with the module flags Spark 4 needs on Java 17 (the list spark-submit adds itself).
cvxrelu_java() {
  local classpath="$1" main="$2"; shift 2
  exec java -Xmx"${CVXRELU_DRIVER_MEMORY:-4g}" \
    -XX:+IgnoreUnrecognizedVMOptions --add-modules=jdk.incubator.vector \
    --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.lang.invoke=ALL-UNNAMED \
    --add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED \
    --add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED \
    --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED \
    --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED \
    --add-opens=java.base/jdk.internal.ref=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED \
    --add-opens=java.base/sun.nio.cs=ALL-UNNAMED --add-opens=java.base/sun.security.action=ALL-UNNAMED \
    --add-opens=java.base/sun.util.calendar=ALL-UNNAMED \
    -cp "$classpath" "$main" "$@"
}

# cvxrelu_run MAIN_CLASS ARGS...
cvxrelu_run() {
  local main="$1"; shift
  cvxrelu_build_if_needed
  if [[ -n "${SPARK_HOME:-}" ]]; then
    # The job runs on spark-submit's master (it wins over the job's own --master).
    exec "$SPARK_HOME/bin/spark-submit" --class "$main" \
      --master "${CVXRELU_MASTER:-local[*]}" \
      --driver-memory "${CVXRELU_DRIVER_MEMORY:-4g}" \
      --driver-java-options "-Dlog4j2.configurationFile=$CVXRELU_HOME/src/main/resources/log4j2.properties" \
      --conf spark.executorEnv.OPENBLAS_NUM_THREADS=1 \
      "$(cvxrelu_spark_jar)" "$@"
  fi
  cvxrelu_java "$(cvxrelu_jar):$(cat "$CVXRELU_HOME/target/runtime.classpath")" "$main" "$@"
}

# cvxrelu_run_bench MAIN_CLASS ARGS...: a class of the bench source set. It is in neither jar,
# so it always runs embedded (also when SPARK_HOME is set), from the compiled bench classes on
# the runtime classpath.
cvxrelu_run_bench() {
  local main="$1"; shift
  cvxrelu_build_if_needed bench
  cvxrelu_java "$CVXRELU_BENCH_CLASSES:$(cvxrelu_jar):$(cat "$CVXRELU_HOME/target/runtime.classpath")" \
    "$main" "$@"
}

# cvxrelu_sweep_1d CONF DEFAULT_OUT "N1 N2 ..." ARGS...
# One compare report per n on the one-dimensional task (GenerateSyntheticData --task oned: n training
# rows, 200 test rows, seeded by n), in OUT/n<N>, with the data in OUT/data. ARGS may set
# --out DIR and --sizes "N1 N2 ..."; the rest go to compare.sh (they override CONF). Prints
# each report's checks; fails when a compare run fails.
cvxrelu_sweep_1d() {
  local conf="$1" out="$2" sizes="$3"; shift 3
  local rest=()
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --out) out="$2"; shift 2 ;;
      --sizes) sizes="$2"; shift 2 ;;
      --help|-h)
        echo "Usage: $(basename "$0") [--out DIR] [--sizes \"N1 N2 ...\"] [compare.sh options]"
        echo "Runs jobs/compare.sh --conf ${conf#"$CVXRELU_HOME"/} on 1-D data with a bias for"
        echo "each n (default: $sizes) and writes one report per n in DIR/n<N> (default $out)."
        return 0 ;;
      *) rest+=("$1"); shift ;;
    esac
  done
  mkdir -p "$out/data"
  local n
  for n in $sizes; do
    (cvxrelu_run io.cvxrelu.job.GenerateSyntheticData --task oned \
      --train "$out/data/train_n$n.csv" --test "$out/data/test_n$n.csv" --n-train "$n" \
      --n-test 200 --seed "$n")
    "$CVXRELU_HOME/jobs/compare.sh" --conf "$conf" --train "$out/data/train_n$n.csv" \
      --test "$out/data/test_n$n.csv" --out "$out/n$n" --overwrite ${rest[@]+"${rest[@]}"}
    echo "n = $n: $out/n$n/report.md"
    sed -n '/^## Checks/,/^## Plots/p' "$out/n$n/report.md" | grep '^- ' || true
  done
}
