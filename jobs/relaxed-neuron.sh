#!/usr/bin/env bash
# The relaxed single-neuron loss (survey seed, section 2.2; RelaxedNeuronJob): gradient descent
# on L and on the convex L_r from the same starts on planted data. Settings in
# conf/relaxed-neuron.properties; --help lists the options.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cvxrelu_run io.cvxrelu.job.RelaxedNeuronJob "$@"
