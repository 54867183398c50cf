#!/usr/bin/env bash
# Score data with a saved model (a train-convex output or a Spark ML model); --help lists the
# options.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cvxrelu_run io.cvxrelu.job.PredictJob "$@"
