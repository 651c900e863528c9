// SPDX-License-Identifier: Apache-2.0
// edgeopt-bench --check: every peer computes what edgeopt computes.  Runs
// each peer and the scalar reference for a few steps from the same start
// and compares the parameters; a peer that did less work than edgeopt
// would otherwise look fast.
#pragma once

namespace bench {

// Prints one line per (case, peer); returns the number of mismatches.
int check_peers();

}  // namespace bench
