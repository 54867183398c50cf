#!/usr/bin/env bash
# Train a two-layer CNN through its convex program (Pilanci & Ergen 2020, section 5; Ergen &
# Pilanci 2021): linear, circular, separable or shared-filter pooled CNN (gated or ReLU), with
# a certificate; --help lists the options.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cvxrelu_run io.cvxrelu.job.TrainCnnJob "$@"
