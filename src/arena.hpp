// SPDX-License-Identifier: Apache-2.0
// Where state lives in the caller's arena:
//   [slack to 64-byte alignment][lengths table][tensor 0: slot slices][tensor 1: ...]
// Every slice is a 64-byte-aligned run of values in the slot's dtype (one
// cache line, a full AVX-512 vector); a q8 slice is the block scales (floats)
// then one code byte a value.  Only the slots the options use get a slice.
#pragma once
#include <cstddef>
#include <cstdint>

#include "edgeopt/edgeopt.h"

namespace edgeopt::arena {

constexpr std::size_t align = EDGEOPT_ARENA_ALIGN;
constexpr std::size_t size_max = static_cast<std::size_t>(-1);

// Rounds up to the alignment; size_max on overflow.
inline std::size_t round_up(std::size_t bytes) {
    return bytes > size_max - (align - 1) ? size_max : (bytes + align - 1) / align * align;
}

// Which slots a tensor has, and their dtypes.
struct layout {
    unsigned mask;
    edgeopt_dtype dtype[3];

    static layout of(unsigned mask, const edgeopt_config& config) {
        return {mask, {config.state_dtype[0], config.state_dtype[1], config.state_dtype[2]}};
    }
    bool all_f32() const {
        for (unsigned k = 0; k < 3; ++k)
            if ((mask & (1u << k)) && dtype[k] != EDGEOPT_F32) return false;
        return true;
    }
};

// Bytes of `length` values of a dtype, unrounded; size_max on overflow.
inline std::size_t data_bytes(std::size_t length, edgeopt_dtype dtype) {
    if (length > size_max / 8) return size_max;
    switch (dtype) {
        case EDGEOPT_BF16:
        case EDGEOPT_F16: return 2 * length;
        case EDGEOPT_Q8: return length + (length + EDGEOPT_Q8_BLOCK - 1) / EDGEOPT_Q8_BLOCK * sizeof(float);
        default: return 4 * length;
    }
}

inline std::size_t slice_bytes(std::size_t length, edgeopt_dtype dtype = EDGEOPT_F32) {
    const std::size_t bytes = data_bytes(length, dtype);
    return bytes == size_max ? size_max : round_up(bytes);
}

inline std::size_t table_bytes(std::size_t count) {
    return count > size_max / sizeof(std::size_t) ? size_max : round_up(count * sizeof(std::size_t));
}

inline unsigned slot_count(unsigned mask) { return (mask & 1u) + ((mask >> 1) & 1u) + ((mask >> 2) & 1u); }

// Total bytes, or size_max if it does not fit in size_t.
inline std::size_t required_bytes(const layout& l, const std::size_t* lengths, std::size_t count) {
    std::size_t total = align - 1;
    const std::size_t table = table_bytes(count);
    if (table == size_max) return size_max;
    total += table;
    for (std::size_t i = 0; i < count; ++i) {
        for (unsigned k = 0; k < 3; ++k) {
            if (!(l.mask & (1u << k))) continue;
            const std::size_t slice = slice_bytes(lengths[i], l.dtype[k]);
            if (slice == size_max || slice > size_max - total) return size_max;
            total += slice;
        }
    }
    return total;
}

inline unsigned char* aligned_start(void* arena) {
    const std::uintptr_t address = reinterpret_cast<std::uintptr_t>(arena);
    return static_cast<unsigned char*>(arena) + ((align - address % align) % align);
}

// Pointers to tensor's slot buffers (null for unused slots), walking the
// layout from `cursor`, which is advanced past the tensor.
inline void tensor_slots(const layout& l, std::size_t length, unsigned char*& cursor, void* (&slots)[3]) {
    for (unsigned k = 0; k < 3; ++k) {
        slots[k] = nullptr;
        if (l.mask & (1u << k)) {
            slots[k] = cursor;
            cursor += slice_bytes(length, l.dtype[k]);
        }
    }
}

}  // namespace edgeopt::arena
