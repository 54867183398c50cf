#!/usr/bin/env bash
# Bartan and Pilanci's randomized convex relaxation of a one-hidden-layer CNN with --blocks K
# non-overlapping patches: the LP (9) (--beta 0) or QP (8) for --draws T random directions, one
# Spark task each, keeping the filter with the lowest training loss; summary.json and
# filter.csv in --out. --help lists the options; docs/cnn-relaxation.md explains them.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cvxrelu_run io.cvxrelu.job.CnnRelaxationJob "$@"
