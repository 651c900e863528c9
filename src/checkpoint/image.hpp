// SPDX-License-Identifier: Apache-2.0
// The checkpoint image format, shared by the buffer calls (buffer.cpp) and
// the A/B slots (slots.cpp); format.cpp encodes, parses and checks images.
// The byte layouts are tabled in include/edgeopt/checkpoint.h.
//
// Every image is streamed, never staged whole: a 64-byte chunk on the stack
// is all the memory a save or load uses, so a checkpoint of any size works on
// a microcontroller.  A load reads the image twice: first to check the CRC
// and that it fits the optimizer (nothing written), then to copy it in.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "crc32.hpp"
#include "edgeopt/checkpoint.h"

namespace edgeopt::checkpoint {

constexpr std::size_t prefix_bytes = 16;  // magic .. sequence: the same in every format version
constexpr std::size_t header_bytes = EDGEOPT_CHECKPOINT_HEADER_BYTES;
constexpr std::size_t fixed_payload_bytes = EDGEOPT_CHECKPOINT_FIXED_PAYLOAD_BYTES;
constexpr std::size_t crc_bytes = 4;
constexpr std::size_t write_align = EDGEOPT_CHECKPOINT_ALIGN;
constexpr std::size_t commit_bytes = EDGEOPT_CHECKPOINT_COMMIT_BYTES;
constexpr std::size_t chunk_bytes = 64;  // two write units: one flash word pair, one cache line
constexpr std::uint32_t flag_params = 1u;
constexpr std::uint64_t image_limit = 0xFFFFFFFFu - 2 * (write_align + commit_bytes);

// ---- Little-endian fields --------------------------------------------------

inline void put_le(unsigned char* out, std::uint64_t value, unsigned bytes) {
    for (unsigned i = 0; i < bytes; ++i) out[i] = static_cast<unsigned char>(value >> (8 * i));
}

inline std::uint64_t get_le(const unsigned char* in, unsigned bytes) {
    std::uint64_t value = 0;
    for (unsigned i = 0; i < bytes; ++i) value |= static_cast<std::uint64_t>(in[i]) << (8 * i);
    return value;
}

inline std::uint32_t bits_of(float f) {
    std::uint32_t u;
    std::memcpy(&u, &f, 4);
    return u;
}

inline std::uint64_t bits_of(double d) {
    std::uint64_t u;
    std::memcpy(&u, &d, 8);
    return u;
}

template <class T, class U>
T from_bits(U u) {
    T value;
    std::memcpy(&value, &u, sizeof value);
    return value;
}

inline std::size_t round_up(std::size_t bytes) { return (bytes + write_align - 1) / write_align * write_align; }

// ---- Byte streams ----------------------------------------------------------

// Writes an image front to back into memory or through a storage's write
// callback (whole 64-byte chunks, the last one zero-padded to the write
// alignment), keeping the CRC of everything written.  After a failed write
// it writes nothing more.  The byte-stream calls here and in image_source are
// kept out of line: inlined at every field, checkpoint.o was 23 KB of
// Cortex-M4 code at -O3 instead of 10 KB, for no speed that matters next to
// flash.
class image_sink {
public:
    explicit image_sink(unsigned char* memory) : memory_(memory) {}
    image_sink(const edgeopt_checkpoint_storage& storage, std::size_t base) : storage_(&storage), base_(base) {}

    [[gnu::noinline]] void bytes(const void* data, std::size_t length) {
        const unsigned char* p = static_cast<const unsigned char*>(data);
        crc_ = crc32::feed(crc_, p, length);
        while (length != 0) {
            const std::size_t n = length < chunk_bytes - fill_ ? length : chunk_bytes - fill_;
            std::memcpy(chunk_ + fill_, p, n);
            fill_ += n;
            p += n;
            length -= n;
            if (fill_ == chunk_bytes) flush();
        }
    }
    [[gnu::noinline]] void le(std::uint64_t value, unsigned width) {
        unsigned char b[8];
        put_le(b, value, width);
        bytes(b, width);
    }
    void f64(double d) { le(bits_of(d), 8); }
    std::uint32_t crc() const { return crc32::finish(crc_); }
    bool finish() {
        if (storage_)
            while (fill_ % write_align != 0) chunk_[fill_++] = 0;
        flush();
        return ok_;
    }

private:
    void flush() {
        if (fill_ == 0) return;
        if (memory_)
            std::memcpy(memory_ + written_, chunk_, fill_);
        else if (ok_)
            ok_ = storage_->write(storage_->context, base_ + written_, chunk_, fill_);
        written_ += fill_;
        fill_ = 0;
    }

    unsigned char* memory_ = nullptr;
    const edgeopt_checkpoint_storage* storage_ = nullptr;
    std::size_t base_ = 0, written_ = 0, fill_ = 0;
    std::uint32_t crc_ = crc32::initial;
    bool ok_ = true;
    unsigned char chunk_[chunk_bytes];
};

// Reads an image in [0, limit) of memory or of a storage (through 64-byte
// chunks), sequentially with a running CRC, or at an offset without.
class image_source {
public:
    image_source(const unsigned char* memory, std::size_t limit)
        : window_(memory), window_bytes_(limit), limit_(limit) {}
    image_source(const edgeopt_checkpoint_storage& storage, std::size_t base, std::size_t limit)
        : storage_(storage.memory ? nullptr : &storage), window_(storage_ ? chunk_ : nullptr), base_(base),
          limit_(limit) {
        if (!storage_) {
            window_ = static_cast<const unsigned char*>(storage.memory) + base;
            window_bytes_ = limit;
        }
    }

    // False past the limit or when a read fails (then io_failed()).
    [[gnu::noinline]] bool read_at(std::size_t offset, void* out, std::size_t length) {
        if (offset > limit_ || length > limit_ - offset) return false;
        unsigned char* o = static_cast<unsigned char*>(out);
        while (length != 0) {
            if (offset < window_start_ || offset >= window_start_ + window_bytes_) {
                if (!storage_ || io_failed_) return false;
                window_start_ = offset;
                window_bytes_ = limit_ - offset < chunk_bytes ? limit_ - offset : chunk_bytes;
                if (!storage_->read(storage_->context, base_ + offset, chunk_, window_bytes_)) {
                    io_failed_ = true;
                    window_bytes_ = 0;
                    return false;
                }
            }
            const std::size_t available = window_start_ + window_bytes_ - offset;
            const std::size_t n = length < available ? length : available;
            std::memcpy(o, window_ + (offset - window_start_), n);
            o += n;
            offset += n;
            length -= n;
        }
        return true;
    }
    [[gnu::noinline]] bool next(void* out, std::size_t length) {
        if (length > end_ - position_ || !read_at(position_, out, length)) return false;
        crc_ = crc32::feed(crc_, static_cast<const unsigned char*>(out), length);
        position_ += length;
        return true;
    }
    bool skip_to(std::size_t end) {
        unsigned char scratch[16];
        while (position_ < end) {
            const std::size_t n = end - position_ < sizeof scratch ? end - position_ : sizeof scratch;
            if (!next(scratch, n)) return false;
        }
        return true;
    }
    [[gnu::noinline]] std::uint64_t le(unsigned width, bool& ok) {
        unsigned char b[8] = {};
        ok = next(b, width) && ok;
        return get_le(b, width);
    }
    // Back to the start; next() will not read past `end` (the CRC's offset).
    void rewind(std::size_t end) {
        position_ = 0;
        end_ = end;
        crc_ = crc32::initial;
    }
    std::uint32_t crc() const { return crc32::finish(crc_); }
    bool io_failed() const { return io_failed_; }

private:
    const edgeopt_checkpoint_storage* storage_ = nullptr;
    const unsigned char* window_;
    std::size_t base_ = 0, window_start_ = 0, window_bytes_ = 0, limit_, position_ = 0, end_ = 0;
    std::uint32_t crc_ = crc32::initial;
    bool io_failed_ = false;
    unsigned char chunk_[chunk_bytes];
};


// ---- The image -------------------------------------------------------------

struct frame {  // what the prefix says
    std::uint32_t version, sequence;
    std::size_t header, payload, image;  // image = header + payload + CRC
};

struct target {
    edgeopt_optimizer* opt;
    std::uint32_t mask;  // layout_word()
    const edgeopt_tensor* tensors;  // null: parameters skipped
    void* blob;                     // null: blob skipped
    std::size_t blob_capacity;
};

// What an image's header and payload hold, short of the floats and the blob.
struct contents {
    std::uint32_t version = 0, sequence = 0, algorithm = 0, mask = 0, flags = 0;
    std::size_t count = 0, blob_bytes = 0, image = 0;
    std::uint64_t step = 0;
    double mu_product = 1.0;
    edgeopt_config config{};
};

// Reads header and payload in order.  Without `restore` it only checks (the
// image against `t` if given); with it, it copies state, parameters and blob
// into `t` as it goes.  Stops at the first problem; the CRC is checked by

// TRUNCATED if the image would run past `available` (or a read failed).
edgeopt_status read_frame(image_source& source, std::size_t available, frame& f);
// Checks an image (and, with restore, copies it into t), then its CRC.
edgeopt_status walk(image_source& source, const frame& f, const target* t, bool restore, contents& c);
// Writes opt's image; returns its CRC.
std::uint32_t encode(image_sink& sink, const edgeopt_optimizer& opt, const edgeopt_tensor* tensors, const void* blob,
                     std::size_t blob_bytes, std::uint32_t sequence, std::size_t image);
std::uint32_t layout_word(const edgeopt_config& config);
std::uint64_t image_size(const edgeopt_optimizer& opt, bool params, std::uint64_t blob_bytes);
bool initialized(const edgeopt_optimizer* opt);
bool overlap(const void* a, std::size_t a_bytes, const void* b, std::size_t b_bytes);

// buffer.cpp: the argument checks and the restore every entry point shares.
edgeopt_status check_arguments(const edgeopt_optimizer* opt, const edgeopt_tensor* tensors, std::size_t count,
                               const void* blob, std::size_t blob_bytes, bool blob_read, std::size_t* image);
bool image_overlaps(const edgeopt_optimizer& opt, const edgeopt_tensor* tensors, const void* blob,
                    std::size_t blob_bytes, const void* image, std::size_t image_bytes);
void describe(const contents& c, unsigned slot, edgeopt_checkpoint_info* out);
edgeopt_status restore(image_source& source, const frame& f, const target& t, std::size_t* blob_bytes);
edgeopt_status make_target(edgeopt_optimizer* opt, const edgeopt_tensor* tensors, std::size_t count, void* blob,
                           std::size_t blob_capacity, target& t);

}  // namespace edgeopt::checkpoint
