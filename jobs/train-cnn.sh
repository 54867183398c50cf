#!/usr/bin/env bash
# Train a two-layer linear CNN through its convex program (nuclear norm over patches, or l1
# under the DFT for circular patches; Pilanci & Ergen 2020, section 5); --help lists the options.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cvxrelu_run io.cvxrelu.job.TrainCnnJob "$@"
