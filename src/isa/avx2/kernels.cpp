// SPDX-License-Identifier: Apache-2.0
// AVX2 + FMA kernels (8 floats a vector).  Compiled with -mavx2 -mfma -mf16c;
// only reached after dispatch.cpp has seen AVX2, FMA, F16C and OS support for
// YMM state.  F16C is required rather than given a table of its own: every
// AVX2 CPU made has it (Intel from Ivy Bridge, AMD from Piledriver), so a
// second table would only add code.
// Every op xsimd provides for fma3<avx2> is IEEE (vfmadd, vsqrtps, vdivps),
// so no override is needed: the kernels are bit-identical to the reference.
#include "isa/xsimd_vec.hpp"
#include "isa/avx2/int_lanes.hpp"
#include "kernel/table.hpp"

namespace edgeopt::kernel {

using avx2_vec = simd::vec<xsimd::fma3<xsimd::avx2>>;

template <>
struct int_lanes<avx2_vec> : avx2_int_lanes<avx2_vec> {};
template <>
struct native_convert<avx2_vec> : avx2_native_convert<avx2_vec> {};

extern const table avx2_table = make_table<avx2_vec>(EDGEOPT_ISA_AVX2);

}  // namespace edgeopt::kernel
