// SPDX-License-Identifier: Apache-2.0
// The loop for tensors that are not all float32: bf16/f16 parameters and
// gradients, bf16/f16/8-bit state.  Same shape as driver.hpp's loop — load a
// vector of every stream, update(), store — with each load widening from its
// dtype and each store narrowing to it, in the same pass.  For the common
// layouts the dtypes and the optimizer's kernel variant are compile-time
// constants (fixed_format); any other mix reads them per vector from the
// streams (runtime_format).  All-float32 tensors keep driver.hpp's loop.
//
// 8-bit state (q8) is quantized per block of q8_block values with one scale,
// the block's largest magnitude, which is only known once the whole block is
// updated: so the loop walks the tensor a block at a time, keeps a q8 slot's
// new values in a stack buffer (256 bytes a slot), and encodes them when the
// block is done.  The parameter update uses the unquantized new state, as
// 8-bit optimizers do.
#pragma once
#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "edgeopt/edgeopt.h"
#include "kernel/convert.hpp"
#include "kernel/driver.hpp"
#include "optim/common.hpp"

namespace edgeopt::kernel {

constexpr std::size_t q8_block = EDGEOPT_Q8_BLOCK;

// A q8 slot's slice: the block scales (floats), then one code byte a value.
inline float* q8_scales(void* slice) { return static_cast<float*>(slice); }
inline std::uint8_t* q8_codes(void* slice, std::size_t length) {
    return static_cast<std::uint8_t*>(slice) + (length + q8_block - 1) / q8_block * sizeof(float);
}

// Blocks whose largest magnitude is below this are stored as zeros, which
// keeps every decoded value (code unit ≥ 2^-17, times the scale) a normal
// float: flush-to-zero units then decode exactly like the reference.
constexpr float q8_smallest_scale = 7.88860905e-31f;  // 2^-100

struct typed_streams {
    void* param;
    const void* grad;
    void* state[max_slots];  // null when the slot is unused
    edgeopt_dtype param_dtype, grad_dtype, state_dtype[max_slots];
    bool stochastic;  // bf16 parameters rounded stochastically
    random_key key;
    std::size_t length;      // the whole tensor's (q8 codes follow its block scales)
    std::size_t begin, end;  // the elements updated: a q8 layout's begin is on a block boundary
};

// Where the loop reads the dtypes.  runtime_format: from the streams, a test
// per vector (the fallback, for any mix).  fixed_format: compile-time
// constants for the common layouts (parameters and gradients of one dtype,
// every state slot of one dtype), so each load and store is straight-line
// code; run_typed() picks one.
struct runtime_format {
    static constexpr bool blocked = true;  // a slot may be q8
    static constexpr unsigned variant = optim::any_variant;  // option flags read per vector
    static bool slot(const typed_streams& t, unsigned k) { return t.state[k] != nullptr; }
    static edgeopt_dtype param(const typed_streams& t) { return t.param_dtype; }
    static edgeopt_dtype grad(const typed_streams& t) { return t.grad_dtype; }
    static edgeopt_dtype state(const typed_streams& t, unsigned k) { return t.state_dtype[k]; }
};

// Also fixes the optimizer's kernel variant (driver.hpp): slots and hot flags.
template <edgeopt_dtype Tensors, edgeopt_dtype State, unsigned Variant>
struct fixed_format {
    static constexpr bool blocked = State == EDGEOPT_Q8;
    static constexpr unsigned variant = Variant;
    static constexpr bool slot(const typed_streams&, unsigned k) { return ((Variant >> k) & 1u) != 0; }
    static constexpr edgeopt_dtype param(const typed_streams&) { return Tensors; }
    static constexpr edgeopt_dtype grad(const typed_streams&) { return Tensors; }
    static constexpr edgeopt_dtype state(const typed_streams&, unsigned) { return State; }
};

// Units that flush subnormals (ARMv7 NEON) specialise this to find out, after
// update(), whether they did; the vector is then redone by the reference.
template <class V>
struct flush_detection {
    static constexpr bool enabled = false;
    static void clear() {}
    static bool flushed(const V&, const V (&)[max_slots]) { return false; }
};

namespace typed {

// A partial vector's elements copied to an aligned buffer, zero-filled.  Byte
// copies: a bf16/f16 tensor may start at an odd address (edgeopt.h).
template <class V, bool Partial, class T>
const T* staged(const T* p, std::size_t count, T (&buffer)[lanes<V>::width]) {
    if constexpr (!Partial) return p;
    const auto* bytes = reinterpret_cast<const unsigned char*>(p);
    for (std::size_t l = 0; l < lanes<V>::width; ++l) {
        buffer[l] = T(0);
        if (l < count) __builtin_memcpy(&buffer[l], bytes + l * sizeof(T), sizeof(T));
    }
    return buffer;
}

template <class V, bool Partial>
typename int_lanes<V>::type load_u16(const std::uint16_t* p, std::size_t count) {
    std::uint16_t buffer[lanes<V>::width];
    return int_lanes<V>::load_u16(staged<V, Partial>(p, count, buffer));
}

template <class V, bool Partial>
void store_u16(std::uint16_t* p, typename int_lanes<V>::type x, std::size_t count) {
    if constexpr (!Partial) {
        int_lanes<V>::store_u16(p, x);
    } else {
        std::uint16_t buffer[lanes<V>::width];
        int_lanes<V>::store_u16(buffer, x);
        __builtin_memcpy(p, buffer, count * sizeof buffer[0]);  // p may be odd
    }
}

template <class V, bool Partial>
V load_float(const float* p, std::size_t count) {
    if constexpr (Partial) return lanes<V>::load_partial(p, count); else return lanes<V>::load(p);
}

template <class V, bool Partial>
void store_float(float* p, V v, std::size_t count) {
    if constexpr (Partial) lanes<V>::store_partial(p, v, count); else lanes<V>::store(p, v);
}

// A vector of a bf16 or f16 stream, converted by the ISA's hardware where it
// has it (native_convert), else by convert.hpp's integer functions.
template <class V, bool Partial, edgeopt_dtype Dtype>
V load_half(const std::uint16_t* p, std::size_t count) {
    if constexpr (Dtype == EDGEOPT_F16 && native_convert<V>::f16) {
        std::uint16_t buffer[lanes<V>::width];
        return native_convert<V>::widen_f16(staged<V, Partial>(p, count, buffer));
    } else if constexpr (Dtype == EDGEOPT_F16) {
        return f16_widen<V>(load_u16<V, Partial>(p, count));
    } else {
        return bf16_widen<V>(load_u16<V, Partial>(p, count));
    }
}

template <class V, edgeopt_dtype Dtype>
void narrow_in_hardware(std::uint16_t* p, V v) {
    if constexpr (Dtype == EDGEOPT_F16) native_convert<V>::narrow_f16(p, v); else native_convert<V>::narrow_bf16(p, v);
}

template <class V, bool Partial, edgeopt_dtype Dtype>
void store_half(std::uint16_t* p, V v, std::size_t count) {
    constexpr bool hardware = Dtype == EDGEOPT_F16 ? native_convert<V>::f16 : native_convert<V>::bf16;
    if constexpr (hardware && !Partial) {
        narrow_in_hardware<V, Dtype>(p, v);
    } else if constexpr (hardware) {
        std::uint16_t buffer[lanes<V>::width];
        narrow_in_hardware<V, Dtype>(buffer, v);
        __builtin_memcpy(p, buffer, count * sizeof buffer[0]);  // p may be odd
    } else {
        store_u16<V, Partial>(p, Dtype == EDGEOPT_F16 ? f16_narrow<V>(v) : bf16_narrow<V>(v), count);
    }
}

// Element i.. of a float32, bf16 or f16 stream.
template <class V, bool Partial>
V load_value(const void* base, edgeopt_dtype dtype, std::size_t i, std::size_t count) {
    switch (dtype) {
        case EDGEOPT_BF16: return load_half<V, Partial, EDGEOPT_BF16>(static_cast<const std::uint16_t*>(base) + i, count);
        case EDGEOPT_F16: return load_half<V, Partial, EDGEOPT_F16>(static_cast<const std::uint16_t*>(base) + i, count);
        default: return load_float<V, Partial>(static_cast<const float*>(base) + i, count);
    }
}

template <class V, bool Partial>
void store_value(void* base, edgeopt_dtype dtype, std::size_t i, V v, std::size_t count) {
    switch (dtype) {
        case EDGEOPT_BF16: store_half<V, Partial, EDGEOPT_BF16>(static_cast<std::uint16_t*>(base) + i, v, count); break;
        case EDGEOPT_F16: store_half<V, Partial, EDGEOPT_F16>(static_cast<std::uint16_t*>(base) + i, v, count); break;
        default: store_float<V, Partial>(static_cast<float*>(base) + i, v, count); break;
    }
}

// The block being updated: q8 slots' scales (read at the start) and new values.
struct block_state {
    std::size_t start, length;
    float scale[max_slots];
    alignas(64) float fresh[max_slots][q8_block];
};

template <class V, bool Partial>
inline V load_q8(const typed_streams& t, const float (&scale)[max_slots], unsigned k, std::size_t i, std::size_t count) {
    std::uint8_t buffer[lanes<V>::width];
    const std::uint8_t* codes = staged<V, Partial>(q8_codes(t.state[k], t.length) + i, count, buffer);
    if constexpr (native_convert<V>::f16) return native_convert<V>::decode_q8(codes, V(scale[k]));
    else return q8_decode<V>(int_lanes<V>::load_u8(codes), V(scale[k]));
}

template <class V, class Format, bool Partial>
inline void load_chunk(const typed_streams& t, const float (&scale)[max_slots], std::size_t i, std::size_t count,
                       V& p, V& g, V (&s)[max_slots]) {
    p = load_value<V, Partial>(t.param, Format::param(t), i, count);
    g = load_value<V, Partial>(t.grad, Format::grad(t), i, count);
    for (unsigned k = 0; k < max_slots; ++k) {
        s[k] = V(0.0f);
        if (!Format::slot(t, k)) continue;
        s[k] = Format::state(t, k) == EDGEOPT_Q8 ? load_q8<V, Partial>(t, scale, k, i, count)
                                                 : load_value<V, Partial>(t.state[k], Format::state(t, k), i, count);
    }
}

// The reference's lanes, for a vector a flushing unit got wrong.
template <class V, class Opt>
void redo_in_reference(const typename Opt::coeffs& c, const typed_streams& t, const block_state& b, std::size_t i,
                       std::size_t count, V& p, V (&s)[max_slots]) {
    constexpr std::size_t width = lanes<V>::width;
    alignas(64) float lane_p[width] = {}, lane_s[max_slots][width] = {};
    for (std::size_t l = 0; l < count; ++l) {
        float q, g, r[max_slots];
        load_chunk<float, runtime_format, false>(t, b.scale, i + l, 1, q, g, r);
        Opt::update(c, q, g, r);
        lane_p[l] = q;
        for (unsigned k = 0; k < max_slots; ++k) lane_s[k][l] = r[k];
    }
    p = lanes<V>::load(lane_p);
    for (unsigned k = 0; k < max_slots; ++k) s[k] = lanes<V>::load(lane_s[k]);
}

template <class V, class Format, bool Partial>
inline void store_param(const typed_streams& t, std::size_t i, V p, std::size_t count) {
    using I = typename int_lanes<V>::type;
    if (Format::param(t) == EDGEOPT_BF16 && t.stochastic) {
        const I random = random_bits(int_lanes<V>::ramp(static_cast<std::uint32_t>(i)), t.key);
        store_u16<V, Partial>(static_cast<std::uint16_t*>(t.param) + i, bf16_narrow_stochastic<V>(p, random), count);
    } else {
        store_value<V, Partial>(t.param, Format::param(t), i, p, count);
    }
}

// `count` lanes at element i of the block.
template <class V, class Opt, class Format, bool Partial>
inline void update_chunk(const typename Opt::coeffs& c, const typed_streams& t, block_state& b, std::size_t i,
                         std::size_t count) {
    V p, g, s[max_slots];
    load_chunk<V, Format, Partial>(t, b.scale, i, count, p, g, s);
    flush_detection<V>::clear();
    Opt::template update<Format::variant>(c, p, g, s);
    if constexpr (flush_detection<V>::enabled)
        if (flush_detection<V>::flushed(p, s)) redo_in_reference<V, Opt>(c, t, b, i, count, p, s);
    store_param<V, Format, Partial>(t, i, p, count);
    for (unsigned k = 0; k < max_slots; ++k) {
        if (!Format::slot(t, k)) continue;
        if (Format::state(t, k) == EDGEOPT_Q8)
            store_float<V, Partial>(b.fresh[k] + (i - b.start), s[k], count);
        else
            store_value<V, Partial>(t.state[k], Format::state(t, k), i, s[k], count);
    }
}

// Largest |value| of a block's new values; NaN if any is NaN.  Compared as
// integers: |x|'s bits order like |x|, and every NaN's above Inf's, which
// needs no float comparison (and no flush-to-zero question).  An ISA with a
// horizontal maximum (native_convert<V>::block_max) reduces in registers.
template <class V>
float block_absmax(const float* values, std::size_t n) {
    using L = int_lanes<V>;
    using I = typename L::type;
    constexpr std::size_t width = lanes<V>::width;
    I top(0u);
    std::size_t j = 0;
    for (; j + width <= n; j += width) top = max_signed(top, L::bits(lanes<V>::load(values + j)) & I(0x7FFFFFFFu));
    std::uint32_t m = 0;
    if constexpr (native_convert<V>::block_max) {
        m = native_convert<V>::max_lane(top);
    } else {
        alignas(64) float lane[width];
        lanes<V>::store(lane, L::floats(top));
        for (std::size_t l = 0; l < width; ++l) m = std::max(m, int_lanes<float>::bits(lane[l]));
    }
    for (; j < n; ++j) m = std::max(m, int_lanes<float>::bits(values[j]) & 0x7FFFFFFFu);
    return int_lanes<float>::floats(m);
}

// Codes of values · inverse; Prescale first multiplies values by 2^-64.
template <class V, bool Prescale>
void encode_block(std::uint8_t* codes, const float* values, std::size_t length, float inverse) {
    constexpr std::size_t width = lanes<V>::width;
    const float prescale = Prescale ? 5.42101086e-20f : 1.0f;  // 2^-64
    std::size_t j = 0;
    for (; j + width <= length; j += width) {
        V v = lanes<V>::load(values + j);
        if constexpr (Prescale) v = v * V(prescale);
        int_lanes<V>::store_u8(codes + j, q8_encode<V>(v, V(inverse)));
    }
    for (; j < length; ++j) int_lanes<float>::store_u8(codes + j, q8_encode<float>(values[j] * prescale, inverse));
}

// Encodes a finished block of slot k: its scale, then its codes.
template <class V>
void store_q8_block(const typed_streams& t, const block_state& b, unsigned k) {
    const std::size_t length = b.length;
    const float* values = b.fresh[k];
    const float m = block_absmax<V>(values, length);
    // Zero or tiny blocks are stored as zeros; a NaN or Inf scale is kept, so
    // the block decodes as non-finite, as the unquantized state would be.
    const bool zero = m < q8_smallest_scale;
    const float scale = zero ? 0.0f : m;
    q8_scales(t.state[k])[b.start / q8_block] = scale;
    std::uint8_t* codes = q8_codes(t.state[k], t.length) + b.start;
    // Above 2^126 the inverse would be subnormal, which flush-to-zero units
    // (ARMv7 NEON, Helium, x86 with DAZ) read as zero: such blocks are scaled
    // by 2^-64 first (exact, or a value too small to keep a code either way).
    if (m > 8.50705917e37f && m <= 3.40282347e38f) {
        encode_block<V, true>(codes, values, length, 1.0f / (m * 5.42101086e-20f));
    } else {
        encode_block<V, false>(codes, values, length, (zero || !(m <= 3.40282347e38f)) ? 0.0f : 1.0f / m);
    }
}

// One block.  A compile-time length for whole blocks gained AVX2 13% on q8
// but, doubling the block code, made GCC stop inlining AVX-512's loops
// (whose float32 steps then lost a third), so every block takes its length
// at run time.
template <class V, class Opt, class Format>
void update_block(const typename Opt::coeffs& c, const typed_streams& t, std::size_t start, std::size_t length) {
    constexpr std::size_t width = lanes<V>::width;
    block_state b;
    b.start = start;
    b.length = length;
    for (unsigned k = 0; k < max_slots; ++k)
        b.scale[k] = Format::slot(t, k) && Format::state(t, k) == EDGEOPT_Q8 ? q8_scales(t.state[k])[start / q8_block] : 0.0f;
    std::size_t j = 0;
    for (; j + width <= length; j += width) update_chunk<V, Opt, Format, false>(c, t, b, start + j, width);
    if (j < length) update_chunk<V, Opt, Format, true>(c, t, b, start + j, length - j);
    for (unsigned k = 0; k < max_slots; ++k)
        if (Format::slot(t, k) && Format::state(t, k) == EDGEOPT_Q8) store_q8_block<V>(t, b, k);
}

template <class V, class Opt, class Format>
void run_format(const typename Opt::coeffs& coeffs, const typed_streams& streams) {
    const typename Opt::coeffs c = coeffs;
    const typed_streams t = streams;
    if constexpr (!Format::blocked) {  // no q8 slot: one loop, as driver.hpp's
        constexpr std::size_t width = lanes<V>::width;
        block_state unused;
        std::size_t i = t.begin;
        for (; i + width <= t.end; i += width) update_chunk<V, Opt, Format, false>(c, t, unused, i, width);
        if (i < t.end) update_chunk<V, Opt, Format, true>(c, t, unused, i, t.end - i);
    } else {  // not instantiated without q8 (less code for GCC's inlining budget)
        for (std::size_t start = t.begin; start < t.end; start += q8_block) {
            const std::size_t length = t.end - start < q8_block ? t.end - start : q8_block;
            update_block<V, Opt, Format>(c, t, start, length);
        }
    }
}

template <class V, class Opt, edgeopt_dtype Tensors, edgeopt_dtype State>
void run_fixed_variant(const typename Opt::coeffs& c, const typed_streams& t) {
    visit_variant<Opt>(c, [&](auto variant) {
        run_format<V, Opt, fixed_format<Tensors, State, decltype(variant)::value>>(c, t);
    });
}

// The fixed format for these streams' dtypes, if there is one.
template <class V, class Opt, edgeopt_dtype Tensors>
bool run_fixed_state(const typename Opt::coeffs& c, const typed_streams& t, edgeopt_dtype state) {
    switch (state) {
        case EDGEOPT_F32:
            if constexpr (Tensors == EDGEOPT_F32) return false;  // driver.hpp's loop
            else run_fixed_variant<V, Opt, Tensors, EDGEOPT_F32>(c, t);
            return true;
        case EDGEOPT_BF16: run_fixed_variant<V, Opt, Tensors, EDGEOPT_BF16>(c, t); return true;
        case EDGEOPT_F16: run_fixed_variant<V, Opt, Tensors, EDGEOPT_F16>(c, t); return true;
        case EDGEOPT_Q8: run_fixed_variant<V, Opt, Tensors, EDGEOPT_Q8>(c, t); return true;
        default: return false;
    }
}

template <class V, class Opt>
bool run_fixed(const typename Opt::coeffs& c, const typed_streams& t) {
    // Every used slot must share one dtype.
    edgeopt_dtype state = EDGEOPT_DTYPE_COUNT;
    for (unsigned k = 0; k < max_slots; ++k) {
        if (!t.state[k]) continue;
        if (state != EDGEOPT_DTYPE_COUNT && t.state_dtype[k] != state) return false;
        state = t.state_dtype[k];
    }
    if (state == EDGEOPT_DTYPE_COUNT) state = EDGEOPT_F32;  // no state
    if (t.param_dtype != t.grad_dtype) return false;
    switch (t.param_dtype) {
        case EDGEOPT_F32: return run_fixed_state<V, Opt, EDGEOPT_F32>(c, t, state);
        case EDGEOPT_BF16: return run_fixed_state<V, Opt, EDGEOPT_BF16>(c, t, state);
        case EDGEOPT_F16: return run_fixed_state<V, Opt, EDGEOPT_F16>(c, t, state);
        default: return false;
    }
}

}  // namespace typed

// EDGEOPT_TYPED_FIXED_FORMATS=0 keeps only the run-time format: about a
// tenth of the code, for firmware that counts flash (README, budgets).
#ifndef EDGEOPT_TYPED_FIXED_FORMATS
#define EDGEOPT_TYPED_FIXED_FORMATS 1
#endif

template <class V, class Opt>
void run_typed(const typename Opt::coeffs& c, const typed_streams& t) {
#if EDGEOPT_TYPED_FIXED_FORMATS
    if (typed::run_fixed<V, Opt>(c, t)) return;
#endif
    typed::run_format<V, Opt, runtime_format>(c, t);
}

}  // namespace edgeopt::kernel
