// SPDX-License-Identifier: Apache-2.0
// A multi-tensor model in any dtype combination, for the ranged-step tests:
// two copies stepped two ways must end with the same bytes everywhere.
#pragma once
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

#include "support.hpp"

namespace test {

struct dtype_combo {
    const char* name;
    edgeopt_dtype param, grad, state[3];
    edgeopt_rounding rounding;
};

// float32, then test_dtype_kernels.cpp's ten low-precision combinations.
inline std::vector<dtype_combo> dtype_combos() {
    constexpr edgeopt_dtype F32 = EDGEOPT_F32, BF16 = EDGEOPT_BF16, F16 = EDGEOPT_F16, Q8 = EDGEOPT_Q8;
    return {
        {"f32", F32, F32, {F32, F32, F32}, EDGEOPT_ROUND_NEAREST},
        {"bf16 tensors", BF16, BF16, {F32, F32, F32}, EDGEOPT_ROUND_NEAREST},
        {"bf16 tensors, stochastic", BF16, BF16, {F32, F32, F32}, EDGEOPT_ROUND_STOCHASTIC},
        {"f16 tensors", F16, F16, {F32, F32, F32}, EDGEOPT_ROUND_NEAREST},
        {"f32 params, bf16 grads", F32, BF16, {F32, F32, F32}, EDGEOPT_ROUND_NEAREST},
        {"bf16 state", F32, F32, {BF16, BF16, BF16}, EDGEOPT_ROUND_NEAREST},
        {"f16 state", F32, F32, {F16, F16, F16}, EDGEOPT_ROUND_NEAREST},
        {"q8 state", F32, F32, {Q8, Q8, Q8}, EDGEOPT_ROUND_NEAREST},
        {"bf16 tensors, q8 state, stochastic", BF16, BF16, {Q8, Q8, Q8}, EDGEOPT_ROUND_STOCHASTIC},
        {"f16 params, f32 grads, q8/bf16/f16 state", F16, F32, {Q8, BF16, F16}, EDGEOPT_ROUND_NEAREST},
        {"bf16 params, f16 grads, bf16/q8/q8 state", BF16, F16, {BF16, Q8, Q8}, EDGEOPT_ROUND_STOCHASTIC},
    };
}

inline std::size_t element_size(edgeopt_dtype d) { return d == EDGEOPT_F32 ? 4 : 2; }

class model {
public:
    model(edgeopt_config config, const dtype_combo& combo, const std::vector<std::size_t>& lengths)
        : combo_(combo), lengths_(lengths) {
        for (unsigned k = 0; k < 3; ++k) config.state_dtype[k] = combo.state[k];
        config.param_rounding = combo.rounding;
        config.seed = 0x5EED;
        const std::size_t need = edgeopt_state_bytes(&config, lengths.data(), lengths.size());
        arena_.assign(need + 64, 0);
        const auto address = reinterpret_cast<std::uintptr_t>(arena_.data());
        arena_offset_ = (64 - address % 64) % 64;  // the same layout in every model, so bytes compare
        arena_bytes_ = need;
        for (std::size_t i = 0; i < lengths.size(); ++i) {
            std::vector<float> values = random_values(lengths[i], 7 + static_cast<std::uint32_t>(i));
            params_.emplace_back(lengths[i] * element_size(combo.param) + 1);  // + 1: never empty
            grads_.emplace_back(lengths[i] * element_size(combo.grad) + 1);
            edgeopt_convert(values.data(), EDGEOPT_F32, params_.back().data(), combo.param, lengths[i]);
        }
        for (std::size_t i = 0; i < lengths.size(); ++i)
            tensors_.push_back(edgeopt_tensor_of(params_[i].data(), combo.param, grads_[i].data(), combo.grad, lengths[i]));
        status_ = edgeopt_init(&opt_, &config, lengths.data(), lengths.size(), arena_.data() + arena_offset_, arena_bytes_);
    }
    model(const model&) = delete;

    edgeopt_status status() const { return status_; }
    edgeopt_optimizer* opt() { return &opt_; }
    const edgeopt_tensor* tensors() const { return tensors_.data(); }
    std::size_t count() const { return tensors_.size(); }
    std::size_t total() const {
        std::size_t n = 0;
        for (std::size_t length : lengths_) n += length;
        return n;
    }

    // The gradients of a step: the same for every model given the same seed.
    void set_grads(std::uint32_t seed) {
        for (std::size_t i = 0; i < lengths_.size(); ++i) {
            const std::vector<float> values = random_values(lengths_[i], seed * 31 + static_cast<std::uint32_t>(i), 2.0f);
            edgeopt_convert(values.data(), EDGEOPT_F32, grads_[i].data(), combo_.grad, lengths_[i]);
        }
    }

    // Everything a step may write, and the optimizer object (pointers aside).
    struct bytes {
        std::vector<std::vector<unsigned char>> params, grads;
        std::vector<unsigned char> arena;
        std::uint64_t step;
        double mu_product;
        bool operator==(const bytes& o) const {
            return params == o.params && grads == o.grads && arena == o.arena && step == o.step &&
                   std::memcmp(&mu_product, &o.mu_product, sizeof mu_product) == 0;
        }
    };
    bytes snapshot() const {
        const auto arena = arena_.begin() + static_cast<std::ptrdiff_t>(arena_offset_);
        return {params_, grads_, std::vector<unsigned char>(arena, arena + static_cast<std::ptrdiff_t>(arena_bytes_)),
                opt_.step, opt_.nadam_mu_product};
    }

    // Flat index ranges [first, last) of tensor i in the flattened space.
    std::size_t start_of(std::size_t tensor) const {
        std::size_t n = 0;
        for (std::size_t i = 0; i < tensor; ++i) n += lengths_[i];
        return n;
    }
    const std::vector<std::size_t>& lengths() const { return lengths_; }
    bool q8() const {
        for (unsigned k = 0; k < 3; ++k)
            if (combo_.state[k] == EDGEOPT_Q8) return true;
        return false;
    }
    // Every place a range may start or end: anywhere without q8 state, else
    // block boundaries and tensor ends.
    std::vector<std::size_t> cut_points() const {
        std::vector<std::size_t> cuts;
        std::size_t start = 0;
        for (std::size_t length : lengths_) {
            for (std::size_t local = 0; local <= length; ++local)
                if (!q8() || local % EDGEOPT_Q8_BLOCK == 0 || local == length) cuts.push_back(start + local);
            start += length;
        }
        cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
        return cuts;
    }

private:
    dtype_combo combo_;
    std::vector<std::size_t> lengths_;
    std::vector<std::vector<unsigned char>> params_, grads_;
    std::vector<unsigned char> arena_;
    std::size_t arena_offset_ = 0, arena_bytes_ = 0;
    std::vector<edgeopt_tensor> tensors_;
    edgeopt_optimizer opt_;
    edgeopt_status status_;
};

// A random partition of [0, total) into 1..max_parts ranges cut at legal
// points, in a random order (sometimes reversed).
inline std::vector<std::pair<std::size_t, std::size_t>> random_partition(const model& m, std::mt19937& rng,
                                                                         std::size_t max_parts) {
    const std::vector<std::size_t> cuts = m.cut_points();
    const std::size_t parts = std::uniform_int_distribution<std::size_t>(1, max_parts)(rng);
    std::vector<std::size_t> chosen{0, m.total()};
    for (std::size_t i = 1; i < parts; ++i) chosen.push_back(cuts[std::uniform_int_distribution<std::size_t>(0, cuts.size() - 1)(rng)]);
    std::sort(chosen.begin(), chosen.end());
    std::vector<std::pair<std::size_t, std::size_t>> ranges;
    for (std::size_t i = 0; i + 1 < chosen.size(); ++i) ranges.push_back({chosen[i], chosen[i + 1]});
    if (rng() % 2) std::reverse(ranges.begin(), ranges.end());
    else std::shuffle(ranges.begin(), ranges.end(), rng);
    return ranges;
}

}  // namespace test
