// SPDX-License-Identifier: Apache-2.0
// deepspeed_form.cpp with 256-bit AVX2 vectors (bench/CMakeLists.txt sets the flags).
#define EDGEOPT_BENCH_DEEPSPEED_FACTORY make_deepspeed_avx2
#include "peers/deepspeed_form.cpp"
