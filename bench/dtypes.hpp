// SPDX-License-Identifier: Apache-2.0
// Benchmarks of low-precision parameters and state (dtypes.cpp).
#pragma once
#include <vector>

#include "cases.hpp"

namespace benchmark::internal {
class Benchmark;
}

namespace bench {

// Registers dtype/... rows for the given shapes; `policy` sets each one's timing.
void register_dtypes(const std::vector<shape>& shapes, void (*policy)(benchmark::internal::Benchmark*, const shape&));

}  // namespace bench
