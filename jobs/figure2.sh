#!/usr/bin/env bash
# Pilanci and Ergen (2020), Figure 2: on 1-D data with a bias (n = 5, 10, 15, 20) the convex
# program over every sign pattern is the global optimum; SGD with m = 5 and m = 20 neurons from
# 10 initialisations each ends at or above it. One compare report per n in out/figure2/n<N>
# (settings in conf/figure2.properties); --help lists the options.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cvxrelu_sweep_1d "$CVXRELU_HOME/conf/figure2.properties" out/figure2 "5 10 15 20" "$@"
