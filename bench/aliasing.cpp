// SPDX-License-Identifier: Apache-2.0
// edgeopt-bench-aliasing: one optimizer's step out of cache, to show what
// the distance between its streams costs.  The arena puts a tensor's state
// slices back to back, so at 2^24 parameters Adam's exp_avg and exp_avg_sq
// start exactly 64 MiB apart.
//   1. Lengths a little past 2^24: a few KiB more moves the slices (and the
//      separately allocated parameters and gradients) off that alignment.
//   2. Length 2^24, with the parameters, the gradients and the arena placed
//      in one allocation at 256 MiB + k·step from each other (k = 0, 1, 2):
//      step 0 lines all four streams up, larger steps stagger them.
//
//   edgeopt-bench-aliasing [--algorithm=adam] [--isa=avx2] [--smoke]
//
// Prints params/s (the best of 7 steps, after 2 warm ones) for each case.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "edgeopt/edgeopt.h"

namespace {

struct buffer {
    void* data;
    explicit buffer(std::size_t bytes) : data(std::aligned_alloc(64, (bytes + 63) / 64 * 64)) {}
    ~buffer() { std::free(data); }
    buffer(const buffer&) = delete;
    buffer& operator=(const buffer&) = delete;
};

// Where the three buffers go: separate allocations (step 0 and not placed),
// or one allocation with region + k·step between them.
struct placement {
    bool placed;
    std::size_t step;
};

double params_per_second(edgeopt_algorithm algorithm, edgeopt_isa isa, std::size_t n, placement where) {
    edgeopt_config config = edgeopt_defaults(algorithm);
    if (algorithm == EDGEOPT_SGD) config.sgd.lr = 0.01;
    const std::size_t bytes = edgeopt_state_bytes(&config, &n, 1);
    std::size_t region = std::size_t{1} << 20;
    while (region < bytes || region < n * sizeof(float)) region *= 2;
    const std::size_t room = where.placed ? 3 * region + 3 * where.step : 0;
    buffer all(room), arena_alone(where.placed ? 0 : bytes), params_alone(where.placed ? 0 : n * sizeof(float)),
        grads_alone(where.placed ? 0 : n * sizeof(float));
    auto* base = static_cast<unsigned char*>(all.data);
    auto* p = static_cast<float*>(where.placed ? base : params_alone.data);
    auto* g = static_cast<float*>(where.placed ? base + region + where.step : grads_alone.data);
    void* arena = where.placed ? base + 2 * (region + where.step) : arena_alone.data;
    if (!arena || !p || !g) return 0.0;
    for (std::size_t i = 0; i < n; ++i) p[i] = 0.1f * static_cast<float>(i % 7), g[i] = 0.01f * static_cast<float>(i % 13);
    edgeopt_optimizer opt;
    if (edgeopt_init(&opt, &config, &n, 1, arena, bytes) != EDGEOPT_OK || edgeopt_set_isa(&opt, isa) != EDGEOPT_OK)
        return 0.0;
    const edgeopt_tensor t = edgeopt_tensor_f32(p, g, n);
    for (int i = 0; i < 2; ++i) edgeopt_step(&opt, &t, 1);
    double best = 1e30;
    for (int r = 0; r < 7; ++r) {
        const auto start = std::chrono::steady_clock::now();
        edgeopt_step(&opt, &t, 1);
        best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
    return static_cast<double>(n) / best;
}

}  // namespace

int main(int argc, char** argv) {
    edgeopt_algorithm algorithm = EDGEOPT_ADAM;
    edgeopt_isa isa = EDGEOPT_ISA_AUTO;
    std::size_t base = std::size_t{1} << 24;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg.rfind("--algorithm=", 0) == 0 && edgeopt_algorithm_parse(arg.c_str() + 12, &algorithm)) continue;
        if (arg.rfind("--isa=", 0) == 0 && edgeopt_isa_parse(arg.c_str() + 6, &isa)) continue;
        if (arg == "--smoke") {
            base = std::size_t{1} << 16;
            continue;
        }
        std::fprintf(stderr, "edgeopt-bench-aliasing: bad argument '%s' (usage: [--algorithm=NAME] [--isa=NAME] [--smoke])\n",
                     argv[i]);
        return 2;
    }
    std::printf("%s, kernel %s, length 2^%d + extra\n", edgeopt_algorithm_name(algorithm), edgeopt_isa_name(isa),
                base == (std::size_t{1} << 24) ? 24 : 16);
    for (std::size_t extra : {0u, 16u, 256u, 1024u, 4096u, 65536u}) {
        const double rate = params_per_second(algorithm, isa, base + extra, {false, 0});
        if (rate == 0.0) return 1;
        std::printf("  +%-6zu %.3f G params/s\n", extra, rate / 1e9);
    }
    std::printf("length 2^%d, parameters, gradients and arena in one allocation, a region + k * step apart\n",
                base == (std::size_t{1} << 24) ? 24 : 16);
    for (std::size_t step : {0u, 1024u, 4096u, 16384u, 65536u}) {
        const double rate = params_per_second(algorithm, isa, base, {true, step});
        if (rate == 0.0) return 1;
        std::printf("  step %-6zu %.3f G params/s\n", step, rate / 1e9);
    }
    return 0;
}
