#!/usr/bin/env bash
# Diagnostics of a data set from the seeds' theory (DiagnoseJob): --check spike-free prints
# whether the training features are spike-free, with its evidence; --help lists the options.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cvxrelu_run io.cvxrelu.job.DiagnoseJob "$@"
