// SPDX-License-Identifier: Apache-2.0
// deepspeed_form.cpp with 512-bit vectors (bench/CMakeLists.txt sets the flags).
#define EDGEOPT_BENCH_DEEPSPEED_FACTORY make_deepspeed_avx512
#include "peers/deepspeed_form.cpp"
