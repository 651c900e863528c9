// SPDX-License-Identifier: Apache-2.0
#include "workload.hpp"

#include <cstdlib>
#include <cstring>
#include <new>

namespace bench {

float_buffer::float_buffer(std::size_t count) : size_(count) {
    const std::size_t bytes = (count * sizeof(float) + 63) / 64 * 64;
    void* memory = std::aligned_alloc(64, bytes == 0 ? 64 : bytes);
    if (!memory) throw std::bad_alloc();
    data_.reset(static_cast<float*>(memory));
}

void float_buffer::release::operator()(float* p) const { std::free(p); }

namespace {

// Deterministic, cheap, and different for every element (xorshift32).
void fill_uniform(float* out, std::size_t count, float scale, std::uint32_t seed) {
    std::uint32_t x = seed;
    for (std::size_t i = 0; i < count; ++i) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        out[i] = scale * (static_cast<float>(x >> 8) * (2.0f / 16777216.0f) - 1.0f);
    }
}

}  // namespace

workload::workload(const std::vector<std::size_t>& lengths, unsigned state_slots) : lengths_(lengths) {
    std::size_t padded = 0;
    for (std::size_t n : lengths_) {
        offsets_.push_back(padded);
        padded += (n + 15) / 16 * 16;
        total_ += n;
    }
    params_ = float_buffer(padded);
    grads_ = float_buffer(padded);
    fill_uniform(params_.data(), padded, 0.1f, 0x1234567u);
    fill_uniform(grads_.data(), padded, 0.01f, 0x89abcdeu);
    for (unsigned k = 0; k < state_slots; ++k) {
        state_[k] = float_buffer(padded);
        std::memset(state_[k].data(), 0, padded * sizeof(float));
    }
    for (std::size_t i = 0; i < count(); ++i) tensors_.push_back({param(i), grad(i), lengths_[i], EDGEOPT_F32, EDGEOPT_F32});
}

}  // namespace bench
