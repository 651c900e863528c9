// SPDX-License-Identifier: Apache-2.0
// CRC-32, IEEE 802.3 (zlib's crc32): reflected polynomial 0xEDB88320, register
// preset to all ones and inverted at the end.  Four bits per lookup in a
// 16-entry table built at compile time: 64 bytes of .rodata instead of the
// usual 1 KB, no static constructor, and half the work per byte of the
// bit-at-a-time loop.
#pragma once
#include <cstddef>
#include <cstdint>

namespace edgeopt::crc32 {

struct nibble_table {
    std::uint32_t entry[16];
};

constexpr nibble_table make_nibble_table() {
    nibble_table table{};
    for (std::uint32_t n = 0; n < 16; ++n) {
        std::uint32_t c = n;
        for (int bit = 0; bit < 4; ++bit) c = (c & 1u) ? (c >> 1) ^ 0xEDB88320u : c >> 1;
        table.entry[n] = c;
    }
    return table;
}

inline constexpr nibble_table table = make_nibble_table();

// The running register: start from `initial`, feed bytes, `finish` at the end.
constexpr std::uint32_t initial = 0xFFFFFFFFu;

inline std::uint32_t feed(std::uint32_t reg, const unsigned char* bytes, std::size_t length) {
    for (std::size_t i = 0; i < length; ++i) {
        reg ^= bytes[i];
        reg = (reg >> 4) ^ table.entry[reg & 15u];
        reg = (reg >> 4) ^ table.entry[reg & 15u];
    }
    return reg;
}

constexpr std::uint32_t finish(std::uint32_t reg) { return ~reg; }

}  // namespace edgeopt::crc32
