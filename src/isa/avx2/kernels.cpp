// SPDX-License-Identifier: Apache-2.0
// AVX2 + FMA kernels (8 floats a vector).  Compiled with -mavx2 -mfma; only
// reached after dispatch.cpp has seen AVX2, FMA and OS support for YMM state.
// Every op xsimd provides for fma3<avx2> is IEEE (vfmadd, vsqrtps, vdivps),
// so no override is needed: the kernels are bit-identical to the reference.
#include "isa/xsimd_vec.hpp"
#include "isa/avx2/int_lanes.hpp"
#include "kernel/table.hpp"

namespace edgeopt::kernel {

using avx2_vec = simd::vec<xsimd::fma3<xsimd::avx2>>;

template <>
struct int_lanes<avx2_vec> : avx2_int_lanes<avx2_vec> {};

extern const table avx2_table = make_table<avx2_vec>(EDGEOPT_ISA_AVX2);

}  // namespace edgeopt::kernel
