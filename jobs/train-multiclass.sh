#!/usr/bin/env bash
# Train the vector-output gated convex ReLU network (group lasso over d x c blocks), or with
# --model relu the cone-constrained ReLU program, on c classes of CIFAR-10 or an IDX image set,
# certified by its duality gap; --help lists the options.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cvxrelu_run io.cvxrelu.job.TrainMulticlassJob "$@"
