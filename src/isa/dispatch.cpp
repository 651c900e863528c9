// SPDX-License-Identifier: Apache-2.0
// Which kernel table runs: the compiled-in tables, filtered by what the CPU
// supports, chosen per algorithm or forced by name.
//
// CMake defines EDGEOPT_HAVE_<ISA> for each kernels.cpp it compiles.
#include "isa/cpu_features.hpp"
#include "kernel/table.hpp"

#ifdef EDGEOPT_HAVE_AVX512_BF16
#include <atomic>
#include <cstdlib>
#include <cstring>
#endif

namespace edgeopt::kernel {

extern const table scalar_table;
#define EDGEOPT_DECLARE_TABLE(name) extern const table name##_table;
#ifdef EDGEOPT_HAVE_SSE2
EDGEOPT_DECLARE_TABLE(sse2)
#endif
#ifdef EDGEOPT_HAVE_AVX2
EDGEOPT_DECLARE_TABLE(avx2)
#endif
#ifdef EDGEOPT_HAVE_AVX512
EDGEOPT_DECLARE_TABLE(avx512)
#endif
#ifdef EDGEOPT_HAVE_NEON64
EDGEOPT_DECLARE_TABLE(neon64)
#endif
#ifdef EDGEOPT_HAVE_NEONV7
EDGEOPT_DECLARE_TABLE(neonv7)
#endif
#ifdef EDGEOPT_HAVE_HELIUM
EDGEOPT_DECLARE_TABLE(helium)
#endif

#ifdef EDGEOPT_HAVE_AVX512_BF16
EDGEOPT_DECLARE_TABLE(avx512_bf16)

namespace {

// Whether EDGEOPT_ISA_AVX512 runs kernels_bf16.cpp's table: when the CPU has
// AVX512_BF16, unless EDGEOPT_NO_AVX512_BF16 is set (to anything but "" or
// "0") or a test chose (use_avx512_bf16).  Decided once: 0 not yet, 1 no,
// 2 yes.  Relaxed order is enough, as every thread would decide the same.
std::atomic<unsigned char> avx512_bf16_choice{0};

bool avx512_bf16_allowed() {
#ifndef EDGEOPT_FREESTANDING
    const char* off = std::getenv("EDGEOPT_NO_AVX512_BF16");
    if (off && *off && std::strcmp(off, "0") != 0) return false;
#endif
    return true;
}

const table* avx512_kernels() {
    unsigned char choice = avx512_bf16_choice.load(std::memory_order_relaxed);
    if (choice == 0) {
        choice = avx512_bf16_allowed() && cpu::detect().avx512_bf16 ? 2 : 1;
        avx512_bf16_choice.store(choice, std::memory_order_relaxed);
    }
    return choice == 2 ? &avx512_bf16_table : &avx512_table;
}

}  // namespace

bool use_avx512_bf16(bool on) {
    const bool can = on && cpu::detect().avx512_bf16;
    avx512_bf16_choice.store(can ? 2 : 1, std::memory_order_relaxed);
    return can;
}
#else
bool use_avx512_bf16(bool) { return false; }
#endif

const table* compiled_table(edgeopt_isa isa) {
    switch (isa) {
        case EDGEOPT_ISA_SCALAR: return &scalar_table;
#ifdef EDGEOPT_HAVE_SSE2
        case EDGEOPT_ISA_SSE2: return &sse2_table;
#endif
#ifdef EDGEOPT_HAVE_AVX2
        case EDGEOPT_ISA_AVX2: return &avx2_table;
#endif
#if defined(EDGEOPT_HAVE_AVX512_BF16)
        case EDGEOPT_ISA_AVX512: return avx512_kernels();
#elif defined(EDGEOPT_HAVE_AVX512)
        case EDGEOPT_ISA_AVX512: return &avx512_table;
#endif
#ifdef EDGEOPT_HAVE_NEON64
        case EDGEOPT_ISA_NEON64: return &neon64_table;
#endif
#ifdef EDGEOPT_HAVE_NEONV7
        case EDGEOPT_ISA_NEONV7: return &neonv7_table;
#endif
#ifdef EDGEOPT_HAVE_HELIUM
        case EDGEOPT_ISA_HELIUM: return &helium_table;
#endif
        default: return nullptr;
    }
}

// Asks the CPU every time (a few hundred cycles, at init only) rather than
// caching in a function-local static, which would need a thread-safe guard.
const table* table_for(edgeopt_isa isa) {
    const table* compiled = compiled_table(isa);
    if (!compiled) return nullptr;
    const cpu::features f = cpu::detect();
    switch (isa) {
        case EDGEOPT_ISA_SCALAR: return compiled;
        case EDGEOPT_ISA_SSE2: return f.sse2 ? compiled : nullptr;
        case EDGEOPT_ISA_AVX2: return f.avx2_fma ? compiled : nullptr;
        case EDGEOPT_ISA_AVX512: return f.avx512f ? compiled : nullptr;
        case EDGEOPT_ISA_NEON64: return f.neon64 ? compiled : nullptr;
        case EDGEOPT_ISA_NEONV7: return f.neonv7 ? compiled : nullptr;
        case EDGEOPT_ISA_HELIUM: return f.helium ? compiled : nullptr;
        default: return nullptr;
    }
}

// Fastest first, per algorithm, from bench/results (Sapphire Rapids, 2 cores):
// AVX-512 leads in cache (SGD 4K: 6.8 vs 2.5 G params/s, AdaMax 2.2 vs 1.2,
// RMSprop 1.7 vs 1.2) and ties out of cache; AdaGrad and NAdam ran slightly
// faster on AVX2 (1.78 vs 1.69, 0.86 vs 0.86 G params/s at 4K; 1.23 vs 1.05 at
// 16M for AdaGrad).  Rerun bench/run.sh on another CPU before trusting this there.
edgeopt_isa default_isa(edgeopt_algorithm algorithm) {
    const bool avx2_first = algorithm == EDGEOPT_ADAGRAD || algorithm == EDGEOPT_NADAM;
    const edgeopt_isa x86_best = avx2_first ? EDGEOPT_ISA_AVX2 : EDGEOPT_ISA_AVX512;
    const edgeopt_isa x86_next = avx2_first ? EDGEOPT_ISA_AVX512 : EDGEOPT_ISA_AVX2;
    const edgeopt_isa preference[] = {x86_best,           x86_next,          EDGEOPT_ISA_NEON64, EDGEOPT_ISA_NEONV7,
                                      EDGEOPT_ISA_HELIUM, EDGEOPT_ISA_SSE2, EDGEOPT_ISA_SCALAR};
    for (edgeopt_isa isa : preference)
        if (table_for(isa)) return isa;
    return EDGEOPT_ISA_SCALAR;
}

}  // namespace edgeopt::kernel
