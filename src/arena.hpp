// Where state lives in the caller's arena:
//   [slack to 64-byte alignment][lengths table][tensor 0: slot slices][tensor 1: ...]
// Every slice is a 64-byte-aligned run of floats (one cache line, a full
// AVX-512 vector).  Only the slots the options use get a slice.
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

inline std::size_t slice_bytes(std::size_t length) {
    return length > size_max / sizeof(float) ? size_max : round_up(length * sizeof(float));
}

inline std::size_t table_bytes(std::size_t count) {
    return count > size_max / sizeof(std::size_t) ? size_max : round_up(count * sizeof(std::size_t));
}

inline unsigned slot_count(unsigned mask) { return (mask & 1u) + ((mask >> 1) & 1u) + ((mask >> 2) & 1u); }

// Total bytes, or size_max if it does not fit in size_t.
inline std::size_t required_bytes(unsigned slots, const std::size_t* lengths, std::size_t count) {
    std::size_t total = align - 1;
    const std::size_t table = table_bytes(count);
    if (table == size_max) return size_max;
    total += table;
    for (std::size_t i = 0; i < count; ++i) {
        const std::size_t slice = slice_bytes(lengths[i]);
        if (slice == size_max || (slots != 0 && slice > (size_max - total) / slots)) return size_max;
        total += slots * slice;
    }
    return total;
}

inline unsigned char* aligned_start(void* arena) {
    const std::uintptr_t address = reinterpret_cast<std::uintptr_t>(arena);
    return static_cast<unsigned char*>(arena) + ((align - address % align) % align);
}

// Pointers to tensor's slot buffers (null for unused slots), walking the
// layout from `cursor`, which is advanced past the tensor.
inline void tensor_slots(unsigned mask, std::size_t length, unsigned char*& cursor, float* (&slots)[3]) {
    const std::size_t slice = slice_bytes(length);
    for (unsigned k = 0; k < 3; ++k) {
        slots[k] = nullptr;
        if (mask & (1u << k)) {
            slots[k] = reinterpret_cast<float*>(cursor);
            cursor += slice;
        }
    }
}

}  // namespace edgeopt::arena
