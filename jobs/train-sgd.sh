#!/usr/bin/env bash
# Train the non-convex two-layer ReLU network by mini-batch SGD from several initialisations
# (one Spark task each) on the objective of train-convex.sh; --help lists the options.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# One BLAS thread per task: the initialisations already occupy the cores (see ../shared/STACK.md).
export OPENBLAS_NUM_THREADS="${OPENBLAS_NUM_THREADS:-1}"
cvxrelu_run io.cvxrelu.job.TrainSgdJob "$@"
