// SPDX-License-Identifier: Apache-2.0
// Every kernel on the board against the scalar reference, bit for bit: every
// optimizer and option (option_specs.cpp), lengths 0..19 (Helium's vector
// body and predicated tail), every misalignment of parameters, gradients and
// arena, 4 steps, canaries around every buffer and in the arena's gaps.
// Two data sets, which together are Helium's contract (src/isa/helium):
//   normal      nothing subnormal anywhere: every kernel == the reference;
//   subnormal   subnormal values, and values whose squares are: every kernel
//               == the reference in MVE arithmetic (ftz_model.hpp), and
//               Helium differs from the plain reference somewhere (else this
//               data would not show the difference the contract allows).
// On a board with no SIMD kernel (the M4) only the scalar runs and their
// canaries are checked.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>

#include "check.h"
#include "ftz_model.hpp"
#include "kernel/table.hpp"
#include "option_specs.hpp"
#include "spec.hpp"

namespace {

constexpr std::size_t max_length = 19;
constexpr std::size_t guard = 8;  // canary floats on each side of a buffer
constexpr int steps = 4;
constexpr float canary = -1234.5678f;
constexpr unsigned char arena_fill = 0xA5;

bool same_bits(float a, float b) { return (a != a && b != b) || std::memcmp(&a, &b, sizeof a) == 0; }

// Deterministic data (xorshift32): mixed magnitudes and signs, exact ±0.
class data_source {
public:
    data_source(std::uint32_t seed, bool subnormals) : state_(seed * 2654435761u | 1u), subnormals_(subnormals) {}
    float value(float scale) {
        switch (next() % 40) {
            case 0: return 0.0f;
            case 1: return -0.0f;
            case 2: return subnormals_ ? 1e-40f * unit() : unit();   // subnormal
            case 3: return subnormals_ ? 1e-20f * unit() : 1e4f * unit();  // its square underflows
            default: return scale * unit() * std::ldexp(1.0f, static_cast<int>(next() % 12) - 6);
        }
    }

private:
    std::uint32_t next() {
        state_ ^= state_ << 13;
        state_ ^= state_ >> 17;
        state_ ^= state_ << 5;
        return state_;
    }
    float unit() { return static_cast<float>(static_cast<std::int32_t>(next())) * 0x1p-31f; }  // [-1, 1)
    std::uint32_t state_;
    bool subnormals_;
};

// A float buffer `misalign` floats past a 16-byte boundary, between canaries.
class guarded_floats {
public:
    float* fill(data_source& data, float scale, std::size_t length, std::size_t misalign) {
        for (float& f : storage_) f = canary;
        offset_ = guard + misalign;
        length_ = length;
        for (std::size_t i = 0; i < length; ++i) storage_[offset_ + i] = data.value(scale);
        return storage_ + offset_;
    }
    bool intact() const {
        for (std::size_t i = 0; i < sizeof storage_ / sizeof storage_[0]; ++i)
            if ((i < offset_ || i >= offset_ + length_) && !same_bits(storage_[i], canary)) return false;
        return true;
    }

private:
    alignas(16) float storage_[guard + 3 + max_length + guard];
    std::size_t offset_ = 0, length_ = 0;
};

struct outcome {
    float params[max_length];
    float state[3][max_length];
    bool intact;
};

guarded_floats params, grad;
alignas(16) unsigned char arena[EDGEOPT_ARENA_BYTES_1(3, max_length) + 3];

// Every arena byte outside the lengths table and the state slices still holds the fill.
bool arena_gaps_intact(const edgeopt_optimizer& opt, std::size_t length) {
    const unsigned char* table = reinterpret_cast<const unsigned char*>(opt.lengths);
    for (std::size_t i = 0; i < sizeof arena; ++i) {
        const unsigned char* byte = arena + i;
        bool used = byte >= table && byte < table + sizeof(std::size_t);
        for (unsigned k = 0; k < 3; ++k) {
            const unsigned char* s = reinterpret_cast<const unsigned char*>(edgeopt_state_buffer(&opt, 0, k));
            used = used || (s && byte >= s && byte < s + length * sizeof(float));
        }
        if (!used && *byte != arena_fill) return false;
    }
    return true;
}

// One step of the optimizer in MVE arithmetic, on the library's state buffers.
void model_step(const edgeopt_optimizer& opt, std::uint64_t t, double& mu_product, float* p, const float* g,
                std::size_t length) {
    edgeopt_config config;
    edgeopt_get_config(&opt, &config);
    edgeopt::kernel::tensor_streams streams{p, g, {}, length};
    for (unsigned k = 0; k < 3; ++k) streams.state[k] = edgeopt_state_buffer(&opt, 0, k);
    edgeopt::optim::visit(
        config.algorithm,
        [&](auto tag) {
            using Opt = typename decltype(tag)::type;
            edgeopt::kernel::run<firmware::ftz_lane, Opt>(Opt::at_step(config, t, mu_product), streams);
        },
        [] {});
}

// Runs `steps` steps with a kernel (or, if model, the MVE arithmetic model).
void run(const edgeopt_config& config, edgeopt_isa isa, bool model, std::size_t length, std::size_t misalign,
         bool subnormals, outcome& out) {
    data_source data(static_cast<std::uint32_t>(length * 4 + misalign), subnormals);
    float* p = params.fill(data, 4.0f, length, misalign);
    std::memset(arena, arena_fill, sizeof arena);
    edgeopt_optimizer opt;
    CHECK(edgeopt_init(&opt, &config, &length, 1, arena + misalign, sizeof arena - misalign) == EDGEOPT_OK &&
          edgeopt_set_isa(&opt, isa) == EDGEOPT_OK);
    double mu_product = 1.0;
    out.intact = true;
    for (int s = 1; s <= steps; ++s) {
        const float* g = grad.fill(data, 1.0f, length, (misalign + 1) % 4);
        const edgeopt_tensor tensor{p, g, length};
        if (model)
            model_step(opt, static_cast<std::uint64_t>(s), mu_product, p, g, length);
        else
            CHECK(edgeopt_step(&opt, &tensor, 1) == EDGEOPT_OK);
        out.intact = out.intact && grad.intact();
    }
    out.intact = out.intact && params.intact() && arena_gaps_intact(opt, length);
    std::memcpy(out.params, p, length * sizeof(float));
    for (unsigned k = 0; k < 3; ++k) {
        const float* s = edgeopt_state_buffer(&opt, 0, k);
        for (std::size_t i = 0; i < length; ++i) out.state[k][i] = s ? s[i] : 0.0f;
    }
}

// Elements (parameters and state) whose bits differ.
unsigned differences(const outcome& a, const outcome& b, std::size_t length) {
    unsigned count = 0;
    for (std::size_t i = 0; i < length; ++i) {
        count += same_bits(a.params[i], b.params[i]) ? 0 : 1;
        for (unsigned k = 0; k < 3; ++k) count += same_bits(a.state[k][i], b.state[k][i]) ? 0 : 1;
    }
    return count;
}

outcome want, modelled, got;

}  // namespace

int main() {
    edgeopt_isa kernels[EDGEOPT_ISA_COUNT];
    std::size_t kernel_count = 0;
    for (int i = EDGEOPT_ISA_SCALAR + 1; i < EDGEOPT_ISA_COUNT; ++i)
        if (edgeopt_isa_available(static_cast<edgeopt_isa>(i))) kernels[kernel_count++] = static_cast<edgeopt_isa>(i);
    unsigned runs = 0, flushed = 0;
    for (std::size_t c = 0; c < firmware::option_spec_count; ++c) {
        edgeopt_config config;
        check_context("%s", firmware::option_specs[c]);
        if (!CHECK(firmware::parse_spec(firmware::option_specs[c], config) == nullptr)) continue;
        for (int subnormals = 0; subnormals <= 1; ++subnormals) {
            for (std::size_t length = 0; length <= max_length; ++length) {
                for (std::size_t misalign = 0; misalign < 4; ++misalign) {
                    check_context("%s, %s data, length %u, misalign %u", firmware::option_specs[c],
                                  subnormals ? "subnormal" : "normal", unsigned(length), unsigned(misalign));
                    run(config, EDGEOPT_ISA_SCALAR, false, length, misalign, subnormals, want);
                    CHECK(want.intact);
                    if (kernel_count == 0) continue;
                    run(config, EDGEOPT_ISA_SCALAR, true, length, misalign, subnormals, modelled);
                    if (!subnormals) CHECK(differences(modelled, want, length) == 0);
                    for (std::size_t k = 0; k < kernel_count; ++k) {
                        run(config, kernels[k], false, length, misalign, subnormals, got);
                        CHECK(got.intact);
                        CHECK(differences(got, modelled, length) == 0);
                        ++runs;
                        flushed += subnormals ? differences(got, want, length) : 0;
                    }
                }
            }
        }
    }
    check_context("the subnormal data");
    if (kernel_count > 0) CHECK(flushed > 0);
    std::printf("sweep: %u SIMD kernel(s), %u runs compared; on subnormal data %u values differ from the plain reference\n",
                unsigned(kernel_count), runs, flushed);
    return check_summary("sweep");
}
