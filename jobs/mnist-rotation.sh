#!/usr/bin/env bash
# Bartan and Pilanci, Table 1: rotation regression on MNIST (../shared/data/mnist-10k by
# default): ridge on pixels against ridge on pixels plus the features (X_ij w)_+ of a filter
# learned by the CNN relaxation on 7x7 patches. Settings in conf/mnist-rotation.properties;
# writes results.csv, filter.png, summary.json and report.md to --out.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cvxrelu_run io.cvxrelu.job.MnistRotationJob "$@"
