// SPDX-License-Identifier: Apache-2.0
// Whole arrays through one ISA's conversions, exactly as its loop loads and
// stores them (typed_driver.hpp): float32 to bf16/f16 and back, and q8
// slices written and read block by block.  Each table carries them so that
// tests/test_dtype_convert.cpp can sweep every path, hardware or integer,
// against the reference over millions of values without an optimizer step.
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

template <class V>
constexpr conversions conversions_of() {
    return {&arrays::narrow<V>, &arrays::widen<V>, &arrays::q8_write<V>, &arrays::q8_read<V>};
}

}  // namespace edgeopt::kernel
