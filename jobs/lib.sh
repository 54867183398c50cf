#!/usr/bin/env bash
# Shared launcher for the jobs: builds the jar when needed, then runs a main class through
# spark-submit when SPARK_HOME is set, otherwise in embedded local mode with plain java.
set -euo pipefail

CVXRELU_HOME="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export SPARK_LOCAL_IP="${SPARK_LOCAL_IP:-127.0.0.1}"

cvxrelu_jar() {
  ls "$CVXRELU_HOME"/target/cvxrelu-*.jar 2>/dev/null | grep -v -- '-original' | head -n 1 || true
}

cvxrelu_build_if_needed() {
  local jar
  jar="$(cvxrelu_jar)"
  if [[ -z "$jar" || ! -f "$CVXRELU_HOME/target/runtime.classpath" ]] \
      || [[ -n "$(find "$CVXRELU_HOME/src/main" "$CVXRELU_HOME/pom.xml" -newer "$jar" -print -quit)" ]]; then
    echo "building cvxrelu (mvn package)..." >&2
    (cd "$CVXRELU_HOME" && mvn -B -q -DskipTests package >&2)
  fi
}

# cvxrelu_run MAIN_CLASS ARGS...
cvxrelu_run() {
  local main="$1"; shift
  cvxrelu_build_if_needed
  local jar
  jar="$(cvxrelu_jar)"
  if [[ -n "${SPARK_HOME:-}" ]]; then
    exec "$SPARK_HOME/bin/spark-submit" --class "$main" \
      --master "${CVXRELU_MASTER:-local[*]}" \
      --driver-memory "${CVXRELU_DRIVER_MEMORY:-4g}" \
      --conf spark.executorEnv.OPENBLAS_NUM_THREADS=1 \
      "$jar" "$@"
  fi
  exec java -Xmx"${CVXRELU_DRIVER_MEMORY:-4g}" \
    -XX:+IgnoreUnrecognizedVMOptions --add-modules=jdk.incubator.vector \
    --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED \
    --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/java.util=ALL-UNNAMED \
    -cp "$jar:$(cat "$CVXRELU_HOME/target/runtime.classpath")" "$main" "$@"
}
