// SPDX-License-Identifier: Apache-2.0
// Shared test helpers: deterministic data, bit comparison, canary-guarded
// buffers.
#pragma once
#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "edgeopt/edgeopt.h"

namespace test {

// Bit-identical, or both NaN (NaN payloads may differ between ISAs).
inline bool same_bits(float a, float b) {
    if (std::isnan(a) && std::isnan(b)) return true;
    std::uint32_t x, y;
    std::memcpy(&x, &a, 4);
    std::memcpy(&y, &b, 4);
    return x == y;
}

// Distance in units in the last place between two finite floats.
inline std::int64_t ulp_distance(float a, float b) {
    auto key = [](float f) {
        std::int32_t i;
        std::memcpy(&i, &f, 4);
        return i < 0 ? static_cast<std::int64_t>(INT32_MIN) - i : static_cast<std::int64_t>(i);
    };
    const std::int64_t d = key(a) - key(b);
    return d < 0 ? -d : d;
}

// Floats of mixed magnitude and sign, with some exact zeros, negative zeros
// and subnormals: the values where ISAs most often disagree.
inline std::vector<float> random_values(std::size_t n, std::uint32_t seed, float scale = 1.0f) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> unit(-1.0f, 1.0f);
    std::uniform_int_distribution<int> pick(0, 39);
    std::vector<float> v(n);
    for (float& x : v) {
        switch (pick(rng)) {
            case 0: x = 0.0f; break;
            case 1: x = -0.0f; break;
            case 2: x = 1e-40f * unit(rng); break;
            case 3: x = 1e4f * unit(rng); break;
            default: x = scale * unit(rng) * std::exp2(static_cast<float>(pick(rng) % 12) - 6.0f); break;
        }
    }
    return v;
}

// A float buffer at a chosen misalignment (in floats from a 64-byte
// boundary), followed by canaries that must survive every call.
class guarded_buffer {
public:
    static constexpr std::size_t canaries = 16;
    static constexpr float canary = -1234.5678f;

    guarded_buffer(const std::vector<float>& values, std::size_t misalign)
        : storage_(16 + misalign + values.size() + canaries, canary), offset_(first_aligned() + misalign),
          size_(values.size()) {
        if (size_ != 0) std::memcpy(data(), values.data(), size_ * sizeof(float));  // an empty vector may hold null
    }
    float* data() { return storage_.data() + offset_; }
    std::size_t size() const { return size_; }
    std::vector<float> values() const {
        return std::vector<float>(storage_.begin() + offset_, storage_.begin() + offset_ + size_);
    }
    bool canaries_intact() const {
        for (std::size_t i = 0; i < offset_; ++i)
            if (!same_bits(storage_[i], canary)) return false;
        for (std::size_t i = offset_ + size_; i < storage_.size(); ++i)
            if (!same_bits(storage_[i], canary)) return false;
        return true;
    }

private:
    std::size_t first_aligned() const {
        const auto address = reinterpret_cast<std::uintptr_t>(storage_.data());
        return ((64 - address % 64) % 64) / sizeof(float);
    }
    std::vector<float> storage_;
    std::size_t offset_;
    std::size_t size_;
};

// Every available ISA (scalar first).
inline std::vector<edgeopt_isa> available_isas() {
    std::vector<edgeopt_isa> isas;
    for (int i = EDGEOPT_ISA_SCALAR; i < EDGEOPT_ISA_COUNT; ++i)
        if (edgeopt_isa_available(static_cast<edgeopt_isa>(i))) isas.push_back(static_cast<edgeopt_isa>(i));
    return isas;
}

// One config per option combination worth testing separately, for sweeps.
struct named_config {
    std::string name;
    edgeopt_config config;
};
std::vector<named_config> option_matrix();

}  // namespace test
