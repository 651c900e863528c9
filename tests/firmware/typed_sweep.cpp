// SPDX-License-Identifier: Apache-2.0
// Low-precision tensors and state on the board: every kernel against the
// scalar reference, bit for bit, for every optimizer and option, a set of
// dtype combinations, lengths across the vector tail and the q8 block edge.
// Normal data only (no value or product below 2^-126): there Helium's
// contract is bit identity, as for float32.  Static buffers, no heap.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>

#include "check.h"
#include "kernel/convert.hpp"
#include "option_specs.hpp"
#include "spec.hpp"

namespace {

constexpr std::size_t max_length = 130;
constexpr int steps = 3;

struct combo {
    const char* name;
    edgeopt_dtype param, grad, state;
    edgeopt_rounding rounding;
};

const combo combos[] = {
    {"bf16 tensors, f32 state", EDGEOPT_BF16, EDGEOPT_BF16, EDGEOPT_F32, EDGEOPT_ROUND_NEAREST},
    {"f16 tensors, f16 state", EDGEOPT_F16, EDGEOPT_F16, EDGEOPT_F16, EDGEOPT_ROUND_NEAREST},
    {"f32 tensors, bf16 state", EDGEOPT_F32, EDGEOPT_F32, EDGEOPT_BF16, EDGEOPT_ROUND_NEAREST},
    {"f32 tensors, q8 state", EDGEOPT_F32, EDGEOPT_F32, EDGEOPT_Q8, EDGEOPT_ROUND_NEAREST},
    {"bf16 tensors, q8 state, stochastic", EDGEOPT_BF16, EDGEOPT_BF16, EDGEOPT_Q8, EDGEOPT_ROUND_STOCHASTIC},
};

const std::size_t lengths[] = {0, 1, 3, 4, 5, 7, 9, 63, 64, 65, 130};

// Values in ±[2^-6, 2^6) and exact zeros: nothing the update makes is subnormal.
class data_source {
public:
    explicit data_source(std::uint32_t seed) : state_(seed * 2654435761u | 1u) {}
    float value() {
        const std::uint32_t r = next();
        if (r % 16 == 0) return 0.0f;
        const float unit = static_cast<float>(static_cast<std::int32_t>(next())) * 0x1p-31f;
        return std::ldexp(unit < 0 ? unit - 0.5f : unit + 0.5f, static_cast<int>(r % 11) - 5);
    }

private:
    std::uint32_t next() {
        state_ ^= state_ << 13;
        state_ ^= state_ >> 17;
        state_ ^= state_ << 5;
        return state_;
    }
    std::uint32_t state_;
};

void store(void* base, edgeopt_dtype dtype, std::size_t i, float v) {
    using namespace edgeopt::kernel;
    if (dtype == EDGEOPT_F32) {
        static_cast<float*>(base)[i] = v;
        return;
    }
    static_cast<std::uint16_t*>(base)[i] =
        static_cast<std::uint16_t>(dtype == EDGEOPT_BF16 ? bf16_narrow<float>(v) : f16_narrow<float>(v));
}

alignas(16) unsigned char param_bytes[4 * max_length + 64], grad_bytes[4 * max_length + 64];
alignas(16) unsigned char arena[EDGEOPT_ARENA_BYTES_1(3, max_length)];
unsigned char want_params[4 * max_length];
float want_state[3][max_length], got_state[3][max_length];

// Runs the optimizer; leaves the parameters in param_bytes and the state (widened) in `state`.
bool run(edgeopt_config config, const combo& c, edgeopt_isa isa, std::size_t length, float (&state)[3][max_length]) {
    for (edgeopt_dtype& d : config.state_dtype) d = c.state;
    config.param_rounding = c.rounding;
    config.seed = 99;
    data_source data(static_cast<std::uint32_t>(length) + 1);
    for (std::size_t i = 0; i < length; ++i) store(param_bytes, c.param, i, 4.0f * data.value());
    edgeopt_optimizer opt;
    if (!CHECK(edgeopt_init(&opt, &config, &length, 1, arena, sizeof arena) == EDGEOPT_OK &&
               edgeopt_set_isa(&opt, isa) == EDGEOPT_OK))
        return false;
    for (int s = 0; s < steps; ++s) {
        for (std::size_t i = 0; i < length; ++i) store(grad_bytes, c.grad, i, data.value());
        const edgeopt_tensor t = edgeopt_tensor_of(param_bytes, c.param, grad_bytes, c.grad, length);
        if (!CHECK(edgeopt_step(&opt, &t, 1) == EDGEOPT_OK)) return false;
    }
    for (unsigned k = 0; k < 3; ++k)
        if (edgeopt_state_read(&opt, 0, k, state[k]) != EDGEOPT_OK) std::memset(state[k], 0, sizeof state[k]);
    return true;
}

}  // namespace

int main() {
    unsigned runs = 0;
    for (std::size_t s = 0; s < firmware::option_spec_count; ++s) {
        edgeopt_config config;
        check_context("%s", firmware::option_specs[s]);
        if (!CHECK(firmware::parse_spec(firmware::option_specs[s], config) == nullptr)) continue;
        for (const combo& c : combos) {
            for (std::size_t length : lengths) {
                check_context("%s, %s, length %u", firmware::option_specs[s], c.name, unsigned(length));
                if (!run(config, c, EDGEOPT_ISA_SCALAR, length, want_state)) continue;
                std::memcpy(want_params, param_bytes, sizeof want_params);
                for (int i = EDGEOPT_ISA_SCALAR + 1; i < EDGEOPT_ISA_COUNT; ++i) {
                    const auto isa = static_cast<edgeopt_isa>(i);
                    if (!edgeopt_isa_available(isa) || !run(config, c, isa, length, got_state)) continue;
                    const std::size_t bytes = length * (c.param == EDGEOPT_F32 ? 4 : 2);
                    CHECK(std::memcmp(want_params, param_bytes, bytes) == 0);
                    CHECK(std::memcmp(want_state, got_state, sizeof want_state) == 0);
                    ++runs;
                }
            }
        }
    }
    std::printf("typed sweep: %u SIMD kernel runs compared with the reference\n", runs);
    return check_summary("typed sweep");
}
