// SPDX-License-Identifier: Apache-2.0
// Stands in for xsimd 8.1's memory/xsimd_aligned_allocator.hpp, which
// xsimd.hpp includes unconditionally.  Its allocate() has a
// `throw std::bad_alloc()` that clang rejects under -fno-exceptions (GCC
// accepts it because the template is never instantiated).  edgeopt never
// allocates through xsimd: the only use of the allocator inside xsimd's
// headers is as a tag in xsimd_alignment.hpp's allocator_alignment trait,
// for which a declaration is enough.  cmake/xsimd.cmake puts this file in
// the shim in place of the original.
#ifndef XSIMD_ALIGNED_ALLOCATOR_HPP
#define XSIMD_ALIGNED_ALLOCATOR_HPP

#include <cstddef>

#include "../config/xsimd_arch.hpp"

namespace xsimd {
template <class T, std::size_t Align = default_arch::alignment()>
class aligned_allocator;
}  // namespace xsimd

#endif
