#!/usr/bin/env bash
# The Gaussian-data prediction (seed 000, section 3; GaussianPredictionJob): the linear
# network's optimum measured on Gaussian data beside its CGMT prediction, with the ReLU program
# and its bound Phi_lin(2 beta). Settings in conf/gaussian-prediction.properties; writes
# out/gaussian-prediction/{results.csv,report.md,*.png}. --help lists the options.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cvxrelu_run io.cvxrelu.job.GaussianPredictionJob "$@"
