#!/usr/bin/env bash
# Bartan and Pilanci, Fig. 1: recovery of a planted filter by the LP (9) with T random
# directions against gradient descent from R random starts, over k, f and n/f (one Spark task
# per cell). --quick runs the small grid in minutes; the full grid's settings are in
# conf/phase-transition.properties. Writes cells.csv, heat maps (PNG) and report.md to --out.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cvxrelu_run io.cvxrelu.job.PhaseTransitionJob "$@"
