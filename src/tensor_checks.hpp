// SPDX-License-Identifier: Apache-2.0
// The checks edgeopt_step() makes on its tensors, shared with the guarded
// step and parameter groups so they can refuse a step before anything is
// touched; and the non-finite scan.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "edgeopt/edgeopt.h"
#include "enum_value.hpp"

namespace edgeopt::train {

inline bool overlap(const void* a, std::size_t a_bytes, const void* b, std::size_t b_bytes) {
    if (a_bytes == 0 || b_bytes == 0) return false;
    const auto a0 = reinterpret_cast<std::uintptr_t>(a);
    const auto b0 = reinterpret_cast<std::uintptr_t>(b);
    return a0 < b0 + b_bytes && b0 < a0 + a_bytes;
}

// Bytes of a parameter or gradient tensor's data (F32, BF16 or F16).
inline std::size_t tensor_bytes(std::size_t length, edgeopt_dtype dtype) {
    return length * (dtype == EDGEOPT_F32 ? sizeof(float) : sizeof(std::uint16_t));
}

// By reference and as an integer: the caller's field may hold any int (enum_value.hpp).
inline bool tensor_dtype(const edgeopt_dtype& d) {
    const auto value = enum_value(d);
    return value == EDGEOPT_F32 || value == EDGEOPT_BF16 || value == EDGEOPT_F16;
}

// What edgeopt_step() would reject, checked against opt's tensor table; opt is initialized.
inline edgeopt_status check_step_tensors(const edgeopt_optimizer& opt, const edgeopt_tensor* tensors, std::size_t count) {
    if (!tensors) return EDGEOPT_ERR_NULL_POINTER;
    if (count != opt.tensor_count) return EDGEOPT_ERR_TENSOR_COUNT_MISMATCH;
    for (std::size_t i = 0; i < count; ++i) {
        const edgeopt_tensor& t = tensors[i];
        if (t.length != opt.lengths[i]) return EDGEOPT_ERR_LENGTH_MISMATCH;
        if (!tensor_dtype(t.param_dtype) || !tensor_dtype(t.grad_dtype)) return EDGEOPT_ERR_INVALID_DTYPE;
#ifdef EDGEOPT_NO_LOW_PRECISION
        if (t.param_dtype != EDGEOPT_F32 || t.grad_dtype != EDGEOPT_F32) return EDGEOPT_ERR_DTYPE_UNSUPPORTED;
#endif
        if (t.param_dtype == EDGEOPT_F16 && opt.config.param_rounding == EDGEOPT_ROUND_STOCHASTIC)
            return EDGEOPT_ERR_INVALID_ROUNDING;
        if (t.length == 0) continue;
        if (!t.param || !t.grad) return EDGEOPT_ERR_NULL_POINTER;
        const std::size_t param_bytes = tensor_bytes(t.length, t.param_dtype);
        const std::size_t grad_bytes = tensor_bytes(t.length, t.grad_dtype);
        if (overlap(t.param, param_bytes, t.grad, grad_bytes) ||
            overlap(t.param, param_bytes, opt.arena, opt.arena_bytes) ||
            overlap(t.grad, grad_bytes, opt.arena, opt.arena_bytes))
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

// The same for 16-bit floats: bf16's exponent is 8 bits (0x7F80), f16's 5 (0x7C00).
inline bool finite_16(const void* x, std::size_t n, std::uint16_t exponent_mask) {
    std::uint32_t all_ones = 0;
    for (std::size_t i = 0; i < n; ++i) {
        std::uint16_t bits;
        std::memcpy(&bits, static_cast<const unsigned char*>(x) + 2 * i, sizeof bits);
        all_ones |= static_cast<std::uint32_t>((bits & exponent_mask) == exponent_mask);
    }
    return all_ones == 0;
}

inline bool grads_finite(const edgeopt_tensor* tensors, std::size_t count) {
    for (std::size_t i = 0; i < count; ++i) {
        const edgeopt_tensor& t = tensors[i];
        if (t.length == 0) continue;
        const bool finite = t.grad_dtype == EDGEOPT_BF16  ? finite_16(t.grad, t.length, 0x7F80u)
                            : t.grad_dtype == EDGEOPT_F16 ? finite_16(t.grad, t.length, 0x7C00u)
                                                          : finite_f32(t.grad, t.length);
        if (!finite) return false;
    }
    return true;
}

}  // namespace edgeopt::train
