#!/usr/bin/env bash
# Closed-form optima of deep ReLU networks (whitened CIFAR-10, one-hot; whitened Gaussian;
# rank-one) against the convex program (L = 2) and the L-layer trainer, seed 003's Figure 2,
# and the 1-D spline panel with free biases (--spline N, Figure 1);
# --help lists the options. Settings: conf/deep-closed-form.properties.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cvxrelu_run io.cvxrelu.job.DeepClosedFormJob "$@"
