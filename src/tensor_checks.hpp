// The checks edgeopt_step() makes on its tensors, shared with the guarded
// step and parameter groups so they can refuse a step before anything is
// touched; and the non-finite scan.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "edgeopt/edgeopt.h"

namespace edgeopt::train {

inline bool overlap(const void* a, std::size_t a_bytes, const void* b, std::size_t b_bytes) {
    if (a_bytes == 0 || b_bytes == 0) return false;
    const auto a0 = reinterpret_cast<std::uintptr_t>(a);
    const auto b0 = reinterpret_cast<std::uintptr_t>(b);
    return a0 < b0 + b_bytes && b0 < a0 + a_bytes;
}

// What edgeopt_step() would reject, checked against opt's tensor table; opt is initialized.
inline edgeopt_status check_step_tensors(const edgeopt_optimizer& opt, const edgeopt_tensor* tensors, std::size_t count) {
    if (!tensors) return EDGEOPT_ERR_NULL_POINTER;
    if (count != opt.tensor_count) return EDGEOPT_ERR_TENSOR_COUNT_MISMATCH;
    for (std::size_t i = 0; i < count; ++i) {
        const edgeopt_tensor& t = tensors[i];
        if (t.length != opt.lengths[i]) return EDGEOPT_ERR_LENGTH_MISMATCH;
        if (t.length == 0) continue;
        if (!t.param || !t.grad) return EDGEOPT_ERR_NULL_POINTER;
        const std::size_t bytes = t.length * sizeof(float);
        if (overlap(t.param, bytes, t.grad, bytes) || overlap(t.param, bytes, opt.arena, opt.arena_bytes) ||
            overlap(t.grad, bytes, opt.arena, opt.arena_bytes))
            return EDGEOPT_ERR_OVERLAP;
    }
    return EDGEOPT_OK;
}

// NaN and ±Inf are the floats whose exponent bits are all ones; testing
// bits keeps the scan exact under any floating-point flags.
inline bool finite_f32(const float* x, std::size_t n) {
    std::uint32_t all_ones = 0;
    for (std::size_t i = 0; i < n; ++i) {
        std::uint32_t bits;
        std::memcpy(&bits, &x[i], sizeof bits);
        const std::uint32_t exponent = bits & 0x7F800000u;
        all_ones |= static_cast<std::uint32_t>(exponent == 0x7F800000u);
    }
    return all_ones == 0;
}

inline bool grads_finite(const edgeopt_tensor* tensors, std::size_t count) {
    for (std::size_t i = 0; i < count; ++i)
        if (tensors[i].length != 0 && !finite_f32(tensors[i].grad, tensors[i].length)) return false;
    return true;
}

}  // namespace edgeopt::train
