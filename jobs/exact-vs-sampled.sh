#!/usr/bin/env bash
# Larger n (50, 100, 200; 1-D data with a bias, so the arrangement can be enumerated): the exact
# convex program over every sign pattern, the approximate program over a few sampled patterns
# and SGD from several initialisations, all on the same objective and beta. One compare report
# per n in out/exact-vs-sampled/n<N> (settings in conf/exact-vs-sampled.properties).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cvxrelu_sweep_1d "$CVXRELU_HOME/conf/exact-vs-sampled.properties" out/exact-vs-sampled \
  "50 100 200" "$@"
