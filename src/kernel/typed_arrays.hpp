// SPDX-License-Identifier: Apache-2.0
// Whole arrays through one ISA's conversions, exactly as its loop loads and
// stores them (typed_driver.hpp): float32 to bf16/f16 and back, and q8
// slices written and read block by block.  Each table carries them so that
// tests/test_dtype_convert.cpp can sweep every path, hardware or integer,
// against the reference over millions of values without an optimizer step.
// Also the reference's versions for the C API (store_state and friends).
#pragma once
#include <cstddef>
#include <cstdint>

#include "kernel/typed_driver.hpp"

namespace edgeopt::kernel {

struct conversions {
    void (*narrow)(const float* in, edgeopt_dtype to, std::uint16_t* out, std::size_t n);
    void (*widen)(const std::uint16_t* in, edgeopt_dtype from, float* out, std::size_t n);
    void (*q8_write)(void* slice, std::size_t length, const float* values);  // as write_state
    void (*q8_read)(void* slice, std::size_t length, float* out);           // as read_state
};

namespace arrays {

template <class V>
void narrow(const float* in, edgeopt_dtype to, std::uint16_t* out, std::size_t n) {
    constexpr std::size_t width = lanes<V>::width;
    std::size_t i = 0;
    for (; i + width <= n; i += width) typed::store_value<V, false>(out, to, i, lanes<V>::load(in + i), width);
    if (i < n) typed::store_value<V, true>(out, to, i, lanes<V>::load_partial(in + i, n - i), n - i);
}

template <class V>
void widen(const std::uint16_t* in, edgeopt_dtype from, float* out, std::size_t n) {
    constexpr std::size_t width = lanes<V>::width;
    std::size_t i = 0;
    for (; i + width <= n; i += width) lanes<V>::store(out + i, typed::load_value<V, false>(in, from, i, width));
    if (i < n) lanes<V>::store_partial(out + i, typed::load_value<V, true>(in, from, i, n - i), n - i);
}

template <class V>
void q8_write(void* slice, std::size_t length, const float* values) {
    const typed_streams t{nullptr, nullptr, {slice, nullptr, nullptr}, EDGEOPT_F32, EDGEOPT_F32,
                          {EDGEOPT_Q8, EDGEOPT_F32, EDGEOPT_F32}, false, {0, 0}, length, 0, length};
    typed::block_state b;
    for (std::size_t start = 0; start < length; start += q8_block) {
        b.start = start;
        b.length = length - start < q8_block ? length - start : q8_block;
        for (std::size_t j = 0; j < b.length; ++j) b.fresh[0][j] = values[start + j];
        typed::store_q8_block<V>(t, b, 0);
    }
}

template <class V>
void q8_read(void* slice, std::size_t length, float* out) {
    constexpr std::size_t width = lanes<V>::width;
    const typed_streams t{nullptr, nullptr, {slice, nullptr, nullptr}, EDGEOPT_F32, EDGEOPT_F32,
                          {EDGEOPT_Q8, EDGEOPT_F32, EDGEOPT_F32}, false, {0, 0}, length, 0, length};
    for (std::size_t start = 0; start < length; start += q8_block) {
        const std::size_t end = length - start < q8_block ? length : start + q8_block;
        const float scale[max_slots] = {q8_scales(slice)[start / q8_block], 0.0f, 0.0f};
        std::size_t i = start;
        for (; i + width <= end; i += width) lanes<V>::store(out + i, typed::load_q8<V, false>(t, scale, 0, i, width));
        if (i < end) lanes<V>::store_partial(out + i, typed::load_q8<V, true>(t, scale, 0, i, end - i), end - i);
    }
}

}  // namespace arrays

// Scalar helpers for the C API (init, reset, import, inspection): a slice
// set to value_at(i) for every i as the kernels would store it, and a slice
// widened.
template <class ValueAt>
void store_state(void* slice, edgeopt_dtype dtype, std::size_t length, ValueAt value_at) {
    for (std::size_t i = 0; dtype != EDGEOPT_Q8 && i < length; ++i) {
        switch (dtype) {
            case EDGEOPT_BF16: int_lanes<float>::store_u16(static_cast<std::uint16_t*>(slice) + i, bf16_narrow<float>(value_at(i))); break;
            case EDGEOPT_F16: int_lanes<float>::store_u16(static_cast<std::uint16_t*>(slice) + i, f16_narrow<float>(value_at(i))); break;
            default: static_cast<float*>(slice)[i] = value_at(i); break;
        }
    }
    if (dtype != EDGEOPT_Q8) return;
    typed::block_state b;
    for (std::size_t start = 0; start < length; start += q8_block) {
        b.start = start;
        b.length = length - start < q8_block ? length - start : q8_block;
        for (std::size_t j = 0; j < b.length; ++j) b.fresh[0][j] = value_at(start + j);
        const typed_streams t{nullptr, nullptr, {slice, nullptr, nullptr}, EDGEOPT_F32, EDGEOPT_F32,
                              {EDGEOPT_Q8, EDGEOPT_F32, EDGEOPT_F32}, false, {0, 0}, length, 0, length};
        typed::store_q8_block<float>(t, b, 0);
    }
}

inline void fill_state(void* slice, edgeopt_dtype dtype, std::size_t length, float value) {
    store_state(slice, dtype, length, [value](std::size_t) { return value; });
}

inline void write_state(void* slice, edgeopt_dtype dtype, std::size_t length, const float* values) {
    store_state(slice, dtype, length, [values](std::size_t i) { return values[i]; });
}

inline void read_state(void* slice, edgeopt_dtype dtype, std::size_t length, float* out) {
    const typed_streams t{nullptr, nullptr, {slice, nullptr, nullptr}, EDGEOPT_F32, EDGEOPT_F32,
                          {dtype, EDGEOPT_F32, EDGEOPT_F32}, false, {0, 0}, length, 0, length};
    for (std::size_t i = 0; i < length; ++i) {
        const float scale[max_slots] = {dtype == EDGEOPT_Q8 ? q8_scales(slice)[i / q8_block] : 0.0f, 0.0f, 0.0f};
        out[i] = dtype == EDGEOPT_Q8 ? typed::load_q8<float, false>(t, scale, 0, i, 1)
                                     : typed::load_value<float, false>(slice, dtype, i, 1);
    }
}

template <class V>
constexpr conversions conversions_of() {
    return {&arrays::narrow<V>, &arrays::widen<V>, &arrays::q8_write<V>, &arrays::q8_read<V>};
}

}  // namespace edgeopt::kernel
