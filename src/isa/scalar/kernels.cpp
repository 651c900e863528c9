// SPDX-License-Identifier: Apache-2.0
// The reference kernels: every optimizer's update<float>, one element at a
// time.  Also the fallback wherever no SIMD kernel applies.
#include "kernel/table.hpp"

namespace edgeopt::kernel {

extern const table scalar_table = make_table<float>(EDGEOPT_ISA_SCALAR);

}  // namespace edgeopt::kernel
