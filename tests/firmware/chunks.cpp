// SPDX-License-Identifier: Apache-2.0
// A step in pieces on the board: for every optimizer and option, float32,
// bf16 and q8 layouts, and every kernel, a step taken in bounded chunks
// (edgeopt_step_chunk) or as ranges in reverse order gives edgeopt_step's
// bytes, parameters and arena alike; and the misuse errors change nothing.
// Static buffers, no heap.
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <initializer_list>

#include "check.h"
#include "option_specs.hpp"
#include "spec.hpp"

namespace {

constexpr std::size_t tensor_count = 3;
const std::size_t lengths[tensor_count] = {67, 130, 5};  // crossing q8 blocks and tensors
constexpr std::size_t total = 67 + 130 + 5;
constexpr int steps = 3;

struct combo {
    const char* name;
    edgeopt_dtype tensors, state;
    edgeopt_rounding rounding;
};

const combo combos[] = {
    {"f32", EDGEOPT_F32, EDGEOPT_F32, EDGEOPT_ROUND_NEAREST},
    {"f32 tensors, q8 state", EDGEOPT_F32, EDGEOPT_Q8, EDGEOPT_ROUND_NEAREST},
    {"bf16 tensors, q8 state, stochastic", EDGEOPT_BF16, EDGEOPT_Q8, EDGEOPT_ROUND_STOCHASTIC},
};

enum class way { whole, chunks_64, chunks_100, chunks_256, reversed_ranges };

// Values in ±[2^-6, 2^6) and zeros: no subnormal anywhere (Helium's contract).
std::uint32_t next(std::uint32_t& s) {
    s ^= s << 13;
    s ^= s >> 17;
    s ^= s << 5;
    return s;
}
float value(std::uint32_t& s) {
    const std::uint32_t r = next(s);
    if (r % 16 == 0) return 0.0f;
    const float unit = static_cast<float>(static_cast<std::int32_t>(next(s))) * 0x1p-31f;
    return (unit < 0 ? unit - 0.5f : unit + 0.5f) * static_cast<float>(1u << (r % 6)) / 8.0f;
}

struct model {
    alignas(16) float params[total], grads[total];
    alignas(64) unsigned char arena[EDGEOPT_ARENA_BYTES(3, tensor_count, total) + 64];
    edgeopt_optimizer opt;
    edgeopt_tensor tensors[tensor_count];
};
model models[2];

bool setup(model& m, edgeopt_config config, const combo& c, edgeopt_isa isa) {
    for (edgeopt_dtype& d : config.state_dtype) d = c.state;
    config.param_rounding = c.rounding;
    config.seed = 7;
    std::memset(&m, 0, sizeof m);
    std::uint32_t seed = 12345;
    // bf16 tensors live in the same float arrays, as uint16_t halves.
    for (std::size_t i = 0; i < total; ++i) {
        const float v = value(seed);
        if (c.tensors == EDGEOPT_F32) {
            m.params[i] = v;
        } else {
            std::uint32_t bits;
            std::memcpy(&bits, &v, 4);
            reinterpret_cast<std::uint16_t*>(m.params)[i] = static_cast<std::uint16_t>(bits >> 16);
        }
    }
    std::size_t start = 0;
    for (std::size_t t = 0; t < tensor_count; ++t) {
        const std::size_t scale = c.tensors == EDGEOPT_F32 ? 1 : 2;  // floats per element: 1, or 1/2
        m.tensors[t] = edgeopt_tensor_of(reinterpret_cast<unsigned char*>(m.params) + start * 4 / scale, c.tensors,
                                         reinterpret_cast<unsigned char*>(m.grads) + start * 4 / scale, c.tensors,
                                         lengths[t]);
        start += lengths[t];
    }
    return CHECK(edgeopt_init(&m.opt, &config, lengths, tensor_count, m.arena, sizeof m.arena) == EDGEOPT_OK) &&
           CHECK(edgeopt_set_isa(&m.opt, isa) == EDGEOPT_OK);
}

void set_grads(model& m, const combo& c, int step) {
    std::uint32_t seed = 777u + static_cast<std::uint32_t>(step);
    for (std::size_t i = 0; i < total; ++i) {
        const float v = value(seed);
        if (c.tensors == EDGEOPT_F32) {
            m.grads[i] = v;
        } else {
            std::uint32_t bits;
            std::memcpy(&bits, &v, 4);
            reinterpret_cast<std::uint16_t*>(m.grads)[i] = static_cast<std::uint16_t>(bits >> 16);
        }
    }
}

bool step(model& m, way how) {
    if (how == way::whole) return CHECK(edgeopt_step(&m.opt, m.tensors, tensor_count) == EDGEOPT_OK);
    if (how == way::reversed_ranges) {  // 128-element ranges from the end: block-aligned in the first two tensors
        edgeopt_step_plan plan;
        if (!CHECK(edgeopt_step_begin(&m.opt, m.tensors, tensor_count, &plan) == EDGEOPT_OK)) return false;
        const std::size_t cuts[] = {0, 64, 67, 67 + 64, 67 + 128, total};
        for (std::size_t i = sizeof cuts / sizeof cuts[0] - 1; i > 0; --i)
            if (!CHECK(edgeopt_step_run(&m.opt, &plan, cuts[i - 1], cuts[i]) == EDGEOPT_OK)) return false;
        return CHECK(edgeopt_step_end(&m.opt, &plan) == EDGEOPT_OK);
    }
    const std::size_t max = how == way::chunks_64 ? 64 : how == way::chunks_100 ? 100 : 256;
    edgeopt_step_chunks chunks;
    if (!CHECK(edgeopt_step_chunks_begin(&m.opt, m.tensors, tensor_count, &chunks) == EDGEOPT_OK)) return false;
    bool done = false;
    for (std::size_t calls = 0; !done; ++calls) {
        const std::size_t before = chunks.next;
        if (!CHECK(edgeopt_step_chunk(&m.opt, &chunks, max, &done) == EDGEOPT_OK) ||
            !CHECK(chunks.next - before <= max && calls <= total))
            return false;
    }
    return CHECK(chunks.next == total);
}

// Misuse on the board: each refused by name, nothing changed.
void check_misuse() {
    edgeopt_config config = edgeopt_defaults(EDGEOPT_ADAM);
    config.state_dtype[0] = config.state_dtype[1] = EDGEOPT_Q8;
    const combo q8 = {"q8", EDGEOPT_F32, EDGEOPT_Q8, EDGEOPT_ROUND_NEAREST};
    check_context("misuse");
    if (!setup(models[0], config, q8, EDGEOPT_ISA_SCALAR) || !setup(models[1], config, q8, EDGEOPT_ISA_SCALAR)) return;
    model& m = models[0];
    set_grads(m, q8, 0);
    static unsigned char before[sizeof(model)];
    std::memcpy(before, &m, sizeof m);
    edgeopt_step_plan plan;
    std::memset(&plan, 0, sizeof plan);
    CHECK(edgeopt_step_run(&m.opt, &plan, 0, total) == EDGEOPT_ERR_STEP_NOT_BEGUN);
    CHECK(edgeopt_step_begin(&m.opt, m.tensors, tensor_count, &plan) == EDGEOPT_OK);
    std::memcpy(before, &m, sizeof m);  // begin changes nothing but the plan
    CHECK(edgeopt_step_run(&m.opt, &plan, 0, total + 1) == EDGEOPT_ERR_RANGE_OUTSIDE);
    CHECK(edgeopt_step_run(&m.opt, &plan, 10, 64) == EDGEOPT_ERR_RANGE_SPLITS_BLOCK);
    CHECK(edgeopt_step_run(&m.opt, &plan, 0, 67 + 70) == EDGEOPT_ERR_RANGE_SPLITS_BLOCK);
    CHECK(edgeopt_step_run(&models[1].opt, &plan, 0, total) == EDGEOPT_ERR_PLAN_FOREIGN);
    CHECK(std::memcmp(before, &m, sizeof m) == 0);
    CHECK(edgeopt_set_lr(&m.opt, 1e-4) == EDGEOPT_OK);
    std::memcpy(before, &m, sizeof m);
    CHECK(edgeopt_step_run(&m.opt, &plan, 0, total) == EDGEOPT_ERR_CHANGED_MID_STEP);
    CHECK(edgeopt_step_end(&m.opt, &plan) == EDGEOPT_ERR_CHANGED_MID_STEP);
    CHECK(std::memcmp(before, &m, sizeof m) == 0);
    CHECK(edgeopt_step(&m.opt, m.tensors, tensor_count) == EDGEOPT_OK);
    std::memcpy(before, &m, sizeof m);
    CHECK(edgeopt_step_run(&m.opt, &plan, 0, total) == EDGEOPT_ERR_PLAN_STALE);
    edgeopt_step_chunks chunks;
    bool done = false;
    CHECK(edgeopt_step_chunks_begin(&m.opt, m.tensors, tensor_count, &chunks) == EDGEOPT_OK);
    CHECK(edgeopt_step_chunk(&m.opt, &chunks, 63, &done) == EDGEOPT_ERR_CHUNK_TOO_SMALL);
    CHECK(std::memcmp(before, &m, sizeof m) == 0);
}

}  // namespace

int main() {
    unsigned compared = 0;
    for (std::size_t s = 0; s < firmware::option_spec_count; ++s) {
        edgeopt_config config;
        check_context("%s", firmware::option_specs[s]);
        if (!CHECK(firmware::parse_spec(firmware::option_specs[s], config) == nullptr)) continue;
        for (const combo& c : combos) {
            for (int i = EDGEOPT_ISA_SCALAR; i < EDGEOPT_ISA_COUNT; ++i) {
                const auto isa = static_cast<edgeopt_isa>(i);
                if (!edgeopt_isa_available(isa)) continue;
                for (way how : {way::chunks_64, way::chunks_100, way::chunks_256, way::reversed_ranges}) {
                    check_context("%s, %s, %s, way %d", firmware::option_specs[s], c.name, edgeopt_isa_name(isa),
                                  static_cast<int>(how));
                    if (!setup(models[0], config, c, isa) || !setup(models[1], config, c, isa)) continue;
                    bool ok = true;
                    for (int t = 0; t < steps && ok; ++t) {
                        set_grads(models[0], c, t);
                        set_grads(models[1], c, t);
                        ok = step(models[0], way::whole) && step(models[1], how);
                    }
                    if (!ok) continue;
                    CHECK(std::memcmp(models[0].params, models[1].params, sizeof models[0].params) == 0);
                    CHECK(std::memcmp(models[0].arena, models[1].arena, sizeof models[0].arena) == 0);
                    CHECK(edgeopt_step_count(&models[1].opt) == steps);
                    ++compared;
                }
            }
        }
    }
    check_misuse();
    std::printf("chunks: %u chunked or ranged runs compared with edgeopt_step\n", compared);
    return check_summary("chunks");
}
