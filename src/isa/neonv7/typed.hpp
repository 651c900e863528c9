// SPDX-License-Identifier: Apache-2.0
// ARMv7 NEON kernels for low-precision tensors and state (typed_driver.hpp),
// with the float32 kernels' exactness: included by kernels.cpp, whose FPSCR
// helpers it uses, before its table is made.  The conversions are integer NEON, or float
// operations that give the reference's result even when NEON flushes
// (kernel/convert.hpp); the update's arithmetic is checked after each vector
// (flush_detection below) and redone by the reference when NEON flushed.
#pragma once
#include "isa/neon_int_lanes.hpp"
#include "kernel/table.hpp"

namespace edgeopt::kernel {

template <>
struct int_lanes<simd::neonv7_vec> : neon_int_lanes<simd::neonv7_vec> {};

template <>
struct flush_detection<simd::neonv7_vec> {
    static constexpr bool enabled = true;
    static void clear() { write_fpscr(read_fpscr() & ~flushed_flags); }
    static bool flushed(const simd::neonv7_vec& p, const simd::neonv7_vec (&s)[max_slots]) {
        return (fpscr_after(p.b, s[0].b, s[1].b, s[2].b) & flushed_flags) != 0;
    }
};

namespace {

// The caller's flags as they were: the vectors' flags were either overruled
// (redone) or raised by conversions whose results are exact.
template <class Opt>
void typed_checked_run(const typename Opt::coeffs& c, const typed_streams& t) {
    const std::uint32_t entry = read_fpscr();
    run_typed<simd::neonv7_vec, Opt>(c, t);
    write_fpscr((read_fpscr() & ~flushed_flags) | (entry & flushed_flags));
}

}  // namespace


}  // namespace edgeopt::kernel
