// The reference kernels: every optimizer's update<float>, one element at a
// time.  Also the fallback wherever no SIMD kernel applies.
#include "kernel/table.hpp"
#include "kernel/typed_table.hpp"

namespace edgeopt::kernel {

extern const table scalar_table = make_table<float>(EDGEOPT_ISA_SCALAR);
extern const typed_table scalar_typed_table = make_typed_table<float>();

}  // namespace edgeopt::kernel
