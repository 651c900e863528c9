// SPDX-License-Identifier: Apache-2.0
// The memory a benchmark steps: parameters and gradients for a list of
// tensors, and optionally state buffers laid out the same way (for peers;
// edgeopt keeps its state in its own arena).
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "edgeopt/edgeopt.h"

namespace bench {

// 64-byte-aligned floats (as torch's CPU allocator and edgeopt's arena align).
class float_buffer {
public:
    float_buffer() = default;
    explicit float_buffer(std::size_t count);
    float* data() const { return data_.get(); }
    std::size_t size() const { return size_; }

private:
    struct release {
        void operator()(float* p) const;
    };
    std::unique_ptr<float, release> data_;
    std::size_t size_ = 0;
};

// Tensors packed into one allocation, each starting on a 64-byte boundary.
class workload {
public:
    // Parameters in [-0.1, 0.1), gradients in [-0.01, 0.01), state zero.
    workload(const std::vector<std::size_t>& lengths, unsigned state_slots);

    std::size_t count() const { return lengths_.size(); }
    std::size_t length(std::size_t i) const { return lengths_[i]; }
    const std::vector<std::size_t>& lengths() const { return lengths_; }
    std::size_t total() const { return total_; }
    float* param(std::size_t i) const { return params_.data() + offsets_[i]; }
    float* grad(std::size_t i) const { return grads_.data() + offsets_[i]; }
    // Null for a slot the workload was not given.
    float* state(unsigned slot, std::size_t i) const {
        return state_[slot].data() ? state_[slot].data() + offsets_[i] : nullptr;
    }
    // The edgeopt_step() argument.
    const std::vector<edgeopt_tensor>& tensors() const { return tensors_; }

private:
    std::vector<std::size_t> lengths_, offsets_;
    std::size_t total_ = 0;
    float_buffer params_, grads_, state_[3];
    std::vector<edgeopt_tensor> tensors_;
};

// Keeps the compiler from discarding a result.
template <class T>
inline void keep(T const& value) {
    asm volatile("" : : "r,m"(value) : "memory");
}

}  // namespace bench
