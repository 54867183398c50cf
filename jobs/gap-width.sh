#!/usr/bin/env bash
# The gap between SGD at width m and the certified global optimum, against m (survey seed,
# section 3: width and multi-branch networks; GapWidthJob). Settings in
# conf/gap-width.properties; --help lists the options.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cvxrelu_run io.cvxrelu.job.GapWidthJob "$@"
