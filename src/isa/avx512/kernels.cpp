// SPDX-License-Identifier: Apache-2.0
// AVX-512F kernels (16 floats a vector).  Compiled with -mavx512f; only
// reached after dispatch.cpp has seen AVX-512F and OS support for ZMM state.
// The lane type and its overrides of xsimd are in vec.hpp; kernels_bf16.cpp
// is the same table with AVX512_BF16's narrowing, chosen when the CPU has it.
#include "isa/avx512/vec.hpp"
#include "isa/avx512/int_lanes.hpp"
#include "kernel/table.hpp"

namespace edgeopt::kernel {

template <>
struct int_lanes<simd::avx512_vec> : avx512_int_lanes<simd::avx512_vec> {};
template <>
struct native_convert<simd::avx512_vec> : avx512_native_convert<simd::avx512_vec> {};

extern const table avx512_table = make_table<simd::avx512_vec>(EDGEOPT_ISA_AVX512);

}  // namespace edgeopt::kernel
