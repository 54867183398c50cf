#!/usr/bin/env bash
# Train a two-layer ReLU network through its convex reformulation; --help lists the options.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cvxrelu_run io.cvxrelu.job.TrainConvexJob "$@"
