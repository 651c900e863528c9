// SPDX-License-Identifier: Apache-2.0
// Checkpoints: the image format (encode, check, restore) and the A/B slots
// that let a save survive a power cut.  The byte layouts are tabled in
// include/edgeopt/checkpoint.h.
//
// Every image is streamed, never staged whole: a 64-byte chunk on the stack
// is all the memory a save or load uses, so a checkpoint of any size works on
// a microcontroller.  A load reads the image twice: first to check the CRC
// and that it fits the optimizer (nothing written), then to copy it in.
#include "edgeopt/checkpoint.h"

#include <cstring>

#include "arena.hpp"
#include "kernel/typed_driver.hpp"
#include "crc32.hpp"
#include "optim/algorithms.hpp"

namespace {

using namespace edgeopt;

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

void put_le(unsigned char* out, std::uint64_t value, unsigned bytes) {
    for (unsigned i = 0; i < bytes; ++i) out[i] = static_cast<unsigned char>(value >> (8 * i));
}

std::uint64_t get_le(const unsigned char* in, unsigned bytes) {
    std::uint64_t value = 0;
    for (unsigned i = 0; i < bytes; ++i) value |= static_cast<std::uint64_t>(in[i]) << (8 * i);
    return value;
}

std::uint32_t bits_of(float f) {
    std::uint32_t u;
    std::memcpy(&u, &f, 4);
    return u;
}

std::uint64_t bits_of(double d) {
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

std::size_t round_up(std::size_t bytes) { return (bytes + write_align - 1) / write_align * write_align; }

bool overlap(const void* a, std::size_t a_bytes, const void* b, std::size_t b_bytes) {
    if (!a || !b || a_bytes == 0 || b_bytes == 0) return false;
    const auto a0 = reinterpret_cast<std::uintptr_t>(a);
    const auto b0 = reinterpret_cast<std::uintptr_t>(b);
    return a0 < b0 + b_bytes && b0 < a0 + a_bytes;
}

// ---- Hyper-parameters: each options struct's doubles and bools, in order ----

// An image holds up to this many of each (the format's fixed fields).
constexpr unsigned image_doubles = 6, image_bools = 32;

struct option_fields {
    double* doubles[image_doubles];
    bool* bools[image_bools];
    unsigned double_count, bool_count;
};

// The registry's fields of the config's options, reals and flags apart.
option_fields fields_of(edgeopt_config& c) {
    option_fields out{};
    optim::visit(
        c.algorithm,
        [&](auto tag) {
            using opt = typename decltype(tag)::type;
            unsigned char* base = reinterpret_cast<unsigned char*>(&opt::of(c));
            for (const optim::option_field& field : opt::fields) {
                if (field.kind == EDGEOPT_OPTION_REAL && out.double_count < image_doubles)
                    out.doubles[out.double_count++] = reinterpret_cast<double*>(base + field.offset);
                else if (field.kind == EDGEOPT_OPTION_FLAG && out.bool_count < image_bools)
                    out.bools[out.bool_count++] = reinterpret_cast<bool*>(base + field.offset);
            }
        },
        [] {});
    return out;
}

// Every optimizer's options fit the image's fields.
constexpr bool options_fit_image() {
    bool fit = true;
    optim::for_each([&](auto tag) {
        unsigned reals = 0, flags = 0;
        for (const optim::option_field& field : decltype(tag)::type::fields)
            (field.kind == EDGEOPT_OPTION_REAL ? reals : flags) += 1;
        fit = fit && reals <= image_doubles && flags <= image_bools;
    });
    return fit;
}
static_assert(options_fit_image(), "a checkpoint image stores at most 6 real and 32 flag options");

unsigned slot_mask(const edgeopt_config& config) {
    return optim::visit(
        config.algorithm, [&](auto tag) { return decltype(tag)::type::slot_mask(decltype(tag)::type::of(config)); },
        [] { return 0u; });
}

// The state layout as the header records it: the slot mask in bits 0-7 and
// slot k's dtype in bits 8 + 4k.  All-float32 state gives the mask alone,
// as format version 1 wrote it.
std::uint32_t layout_word(const edgeopt_config& config) {
    const unsigned mask = slot_mask(config);
    std::uint32_t word = mask;
    for (unsigned k = 0; k < 3; ++k)
        if (mask & (1u << k)) word |= static_cast<std::uint32_t>(config.state_dtype[k]) << (8 + 4 * k);
    return word;
}

arena::layout layout_of_word(std::uint32_t word) {
    arena::layout l{word & 0xFFu, {}};
    for (unsigned k = 0; k < 3; ++k) l.dtype[k] = static_cast<edgeopt_dtype>((word >> (8 + 4 * k)) & 0xFu);
    return l;
}

bool valid_layout_word(std::uint32_t word, std::uint32_t version) {
    const arena::layout l = layout_of_word(word);
    if (l.mask > 7u || (word >> 20) != 0 || (version < 2 && word > 7u)) return false;
    for (unsigned k = 0; k < 3; ++k) {
        const bool used = (l.mask & (1u << k)) != 0;
        if (l.dtype[k] >= EDGEOPT_DTYPE_COUNT || (!used && l.dtype[k] != EDGEOPT_F32)) return false;
    }
    return true;
}

// Bytes of one tensor's state in an image: each slice unpadded.
std::uint64_t tensor_state_bytes(const arena::layout& l, std::uint64_t length) {
    if (length > image_limit) return image_limit;
    std::uint64_t bytes = 0;
    for (unsigned k = 0; k < 3; ++k)
        if (l.mask & (1u << k)) bytes += arena::data_bytes(static_cast<std::size_t>(length), l.dtype[k]);
    return bytes;
}

// Bytes of a whole image (header, payload, CRC); 0 if the format cannot hold it.
std::uint64_t image_size(bool params, std::uint64_t count, std::uint64_t state_bytes, std::uint64_t total_floats,
                         std::uint64_t blob_bytes) {
    if (count > image_limit / 8 || total_floats > image_limit / 4 || state_bytes > image_limit ||
        blob_bytes > image_limit)
        return 0;
    const std::uint64_t bytes = header_bytes + fixed_payload_bytes + 8 * count + state_bytes +
                                (params ? 4 * total_floats : 0) + blob_bytes + crc_bytes;
    return bytes > image_limit ? 0 : bytes;
}

std::uint64_t image_size(const edgeopt_optimizer& opt, bool params, std::uint64_t blob_bytes) {
    const arena::layout l = layout_of_word(layout_word(opt.config));
    std::uint64_t state = 0, floats = 0;
    for (std::size_t i = 0; i < opt.tensor_count; ++i) {
        state += tensor_state_bytes(l, opt.lengths[i]);
        floats += opt.lengths[i];
    }
    return image_size(params, opt.tensor_count, state, floats, blob_bytes);
}

bool initialized(const edgeopt_optimizer* opt) {
    edgeopt_config ignored;
    return edgeopt_get_config(opt, &ignored) == EDGEOPT_OK;
}

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

// Floats by their IEEE bits, 16 per stream call.
void put_floats(image_sink& sink, const float* values, std::size_t n) {
    unsigned char batch[64];
    while (n != 0) {
        const std::size_t k = n < 16 ? n : 16;
        for (std::size_t i = 0; i < k; ++i) put_le(batch + 4 * i, bits_of(values[i]), 4);
        sink.bytes(batch, 4 * k);
        values += k;
        n -= k;
    }
}

// Reads n floats into out, or past them if out is null.
bool get_floats(image_source& source, float* out, std::size_t n) {
    unsigned char batch[64];
    while (n != 0) {
        const std::size_t k = n < 16 ? n : 16;
        if (!source.next(batch, 4 * k)) return false;
        for (std::size_t i = 0; out && i < k; ++i)
            out[i] = from_bits<float>(static_cast<std::uint32_t>(get_le(batch + 4 * i, 4)));
        if (out) out += k;
        n -= k;
    }
    return true;
}

// 16-bit values (bf16, f16 state), little-endian.
void put_halves(image_sink& sink, const void* values, std::size_t n) {
    const unsigned char* p = static_cast<const unsigned char*>(values);
    unsigned char batch[64];
    while (n != 0) {
        const std::size_t k = n < 32 ? n : 32;
        for (std::size_t i = 0; i < k; ++i) {
            std::uint16_t h;
            std::memcpy(&h, p + 2 * i, 2);
            put_le(batch + 2 * i, h, 2);
        }
        sink.bytes(batch, 2 * k);
        p += 2 * k;
        n -= k;
    }
}

bool get_halves(image_source& source, void* out, std::size_t n) {
    unsigned char* p = static_cast<unsigned char*>(out);
    unsigned char batch[64];
    while (n != 0) {
        const std::size_t k = n < 32 ? n : 32;
        if (!source.next(batch, 2 * k)) return false;
        for (std::size_t i = 0; i < k; ++i) {
            const auto h = static_cast<std::uint16_t>(get_le(batch + 2 * i, 2));
            std::memcpy(p + 2 * i, &h, 2);
        }
        p += 2 * k;
        n -= k;
    }
    return true;
}

// One state slice in its stored dtype (q8: the block scales, then the codes).
void put_slice(image_sink& sink, void* slice, edgeopt_dtype dtype, std::size_t n) {
    switch (dtype) {
        case EDGEOPT_BF16:
        case EDGEOPT_F16: put_halves(sink, slice, n); break;
        case EDGEOPT_Q8:
            put_floats(sink, kernel::q8_scales(slice), (n + kernel::q8_block - 1) / kernel::q8_block);
            sink.bytes(kernel::q8_codes(slice, n), n);
            break;
        default: put_floats(sink, static_cast<const float*>(slice), n); break;
    }
}

bool get_slice(image_source& source, void* slice, edgeopt_dtype dtype, std::size_t n) {
    switch (dtype) {
        case EDGEOPT_BF16:
        case EDGEOPT_F16: return get_halves(source, slice, n);
        case EDGEOPT_Q8:
            return get_floats(source, kernel::q8_scales(slice), (n + kernel::q8_block - 1) / kernel::q8_block) &&
                   source.next(kernel::q8_codes(slice, n), n);
        default: return get_floats(source, static_cast<float*>(slice), n);
    }
}

// ---- The image -------------------------------------------------------------

struct frame {  // what the prefix says
    std::uint32_t version, sequence;
    std::size_t header, payload, image;  // image = header + payload + CRC
};

// TRUNCATED if the image would run past `available` (or a read failed).
edgeopt_status read_frame(image_source& source, std::size_t available, frame& f) {
    unsigned char p[prefix_bytes];
    if (!source.read_at(0, p, prefix_bytes)) return EDGEOPT_ERR_CHECKPOINT_TRUNCATED;
    if (get_le(p, 4) != EDGEOPT_CHECKPOINT_MAGIC) return EDGEOPT_ERR_CHECKPOINT_CORRUPT;
    f.version = static_cast<std::uint32_t>(get_le(p + 4, 2));
    f.header = static_cast<std::size_t>(get_le(p + 6, 2));
    const std::uint64_t payload = get_le(p + 8, 4);
    f.sequence = static_cast<std::uint32_t>(get_le(p + 12, 4));
    if (f.header < prefix_bytes) return EDGEOPT_ERR_CHECKPOINT_CORRUPT;
    const std::uint64_t image = f.header + payload + crc_bytes;
    if (image > available) return EDGEOPT_ERR_CHECKPOINT_TRUNCATED;
    f.payload = static_cast<std::size_t>(payload);
    f.image = static_cast<std::size_t>(image);
    return EDGEOPT_OK;
}

// Where an image is restored, and what is restored with it.
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
// walk() after this.
edgeopt_status parse(image_source& source, const frame& f, const target* t, bool restore, contents& c) {
    bool ok = true;
    source.le(4, ok);  // the magic, checked by read_frame()
    c.version = static_cast<std::uint32_t>(source.le(2, ok));
    c.sequence = f.sequence;
    c.image = f.image;
    ok = source.skip_to(prefix_bytes) && ok;
    if (!ok || c.version == 0) return EDGEOPT_ERR_CHECKPOINT_CORRUPT;
    if (c.version > EDGEOPT_CHECKPOINT_FORMAT_VERSION) return EDGEOPT_ERR_CHECKPOINT_VERSION;
    if (f.header != header_bytes) return EDGEOPT_ERR_CHECKPOINT_CORRUPT;
    c.algorithm = static_cast<std::uint32_t>(source.le(4, ok));
    c.mask = static_cast<std::uint32_t>(source.le(4, ok));
    const std::uint64_t count = source.le(4, ok);
    c.flags = static_cast<std::uint32_t>(source.le(4, ok));
    if (!ok || (c.flags & ~flag_params) != 0 || !valid_layout_word(c.mask, c.version))
        return EDGEOPT_ERR_CHECKPOINT_CORRUPT;
    const arena::layout layout = layout_of_word(c.mask);
    c.count = static_cast<std::size_t>(count);
    if (t && (c.algorithm != static_cast<std::uint32_t>(t->opt->config.algorithm) || c.mask != t->mask ||
              c.count != t->opt->tensor_count))
        return EDGEOPT_ERR_CHECKPOINT_MISMATCH;
    const bool has_params = (c.flags & flag_params) != 0;

    c.step = source.le(8, ok);
    c.mu_product = from_bits<double>(source.le(8, ok));
    std::uint64_t doubles[image_doubles];
    for (std::uint64_t& d : doubles) d = source.le(8, ok);
    const std::uint32_t bools = static_cast<std::uint32_t>(source.le(4, ok));
    const std::uint64_t blob_bytes = source.le(4, ok);
    c.blob_bytes = static_cast<std::size_t>(blob_bytes);

    std::uint64_t floats = 0, state = 0;
    for (std::size_t i = 0; i < c.count && ok; ++i) {
        const std::uint64_t length = source.le(8, ok);
        if (t && length != t->opt->lengths[i]) return EDGEOPT_ERR_CHECKPOINT_MISMATCH;
        floats += length > image_limit ? image_limit : length;  // saturates: image_size() rejects it
        state += tensor_state_bytes(layout, length);
        if (state > image_limit) state = image_limit;
    }
    if (!ok || image_size(has_params, c.count, state, floats, blob_bytes) != f.image)
        return source.io_failed() ? EDGEOPT_ERR_CHECKPOINT_TRUNCATED : EDGEOPT_ERR_CHECKPOINT_CORRUPT;
    if (!t) return EDGEOPT_OK;

    // The image fits the optimizer: its hyper-parameters must be valid and need the same slots.
    std::memset(&c.config, 0, sizeof c.config);
    c.config.algorithm = static_cast<edgeopt_algorithm>(c.algorithm);
    const option_fields fields = fields_of(c.config);
    for (unsigned k = 0; k < fields.double_count; ++k) *fields.doubles[k] = from_bits<double>(doubles[k]);
    for (unsigned k = 0; k < fields.bool_count; ++k) *fields.bools[k] = ((bools >> k) & 1u) != 0;
    for (unsigned k = 0; k < 3; ++k) c.config.state_dtype[k] = layout.dtype[k];
    // Rounding and seed are not state: the optimizer keeps its own.
    c.config.param_rounding = t->opt->config.param_rounding;
    c.config.seed = t->opt->config.seed;
    if (edgeopt_validate(&c.config) != EDGEOPT_OK || layout_word(c.config) != c.mask)
        return EDGEOPT_ERR_CHECKPOINT_CORRUPT;
    if (t->tensors && !has_params) return EDGEOPT_ERR_CHECKPOINT_MISMATCH;
    if (t->blob && c.blob_bytes > t->blob_capacity) return EDGEOPT_ERR_BUFFER_TOO_SMALL;
    if (!restore) return EDGEOPT_OK;

    const edgeopt_optimizer& opt = *t->opt;
    unsigned char* cursor = opt.state;
    for (std::size_t i = 0; i < opt.tensor_count; ++i) {
        void* slots[3];
        arena::tensor_slots(layout, opt.lengths[i], cursor, slots);
        for (unsigned k = 0; k < 3; ++k)
            if (slots[k]) ok = get_slice(source, slots[k], layout.dtype[k], opt.lengths[i]) && ok;
    }
    for (std::size_t i = 0; has_params && i < opt.tensor_count; ++i)
        ok = get_floats(source, t->tensors ? t->tensors[i].param : nullptr, opt.lengths[i]) && ok;
    ok = (t->blob ? source.next(t->blob, c.blob_bytes) : source.skip_to(f.header + f.payload)) && ok;
    return ok ? EDGEOPT_OK : EDGEOPT_ERR_CHECKPOINT_CORRUPT;
}

// parse(), then the CRC over everything parse() did not read.
edgeopt_status walk(image_source& source, const frame& f, const target* t, bool restore, contents& c) {
    source.rewind(f.header + f.payload);
    const edgeopt_status parsed = parse(source, f, t, restore, c);
    unsigned char stored[crc_bytes];
    if (!source.skip_to(f.header + f.payload) || !source.read_at(f.header + f.payload, stored, crc_bytes))
        return EDGEOPT_ERR_CHECKPOINT_TRUNCATED;
    if (get_le(stored, 4) != source.crc()) return EDGEOPT_ERR_CHECKPOINT_CORRUPT;
    return parsed;
}

// Returns the image's CRC.
std::uint32_t encode(image_sink& sink, const edgeopt_optimizer& opt, const edgeopt_tensor* tensors, const void* blob,
                     std::size_t blob_bytes, std::uint32_t sequence, std::size_t image) {
    const std::uint32_t word = layout_word(opt.config);
    sink.le(EDGEOPT_CHECKPOINT_MAGIC, 4);
    sink.le(word > 7u ? 2u : 1u, 2);  // version 1 readers know float32 state only
    sink.le(header_bytes, 2);
    sink.le(image - header_bytes - crc_bytes, 4);
    sink.le(sequence, 4);
    sink.le(static_cast<std::uint32_t>(opt.config.algorithm), 4);
    sink.le(word, 4);
    sink.le(opt.tensor_count, 4);
    sink.le(tensors ? flag_params : 0u, 4);

    edgeopt_config config = opt.config;
    const option_fields fields = fields_of(config);
    sink.le(opt.step, 8);
    sink.f64(opt.nadam_mu_product);
    for (unsigned k = 0; k < image_doubles; ++k) sink.f64(k < fields.double_count ? *fields.doubles[k] : 0.0);
    std::uint32_t bools = 0;
    for (unsigned k = 0; k < fields.bool_count; ++k) bools |= (*fields.bools[k] ? 1u : 0u) << k;
    sink.le(bools, 4);
    sink.le(blob_bytes, 4);
    for (std::size_t i = 0; i < opt.tensor_count; ++i) sink.le(opt.lengths[i], 8);

    unsigned char* cursor = opt.state;
    const arena::layout layout = layout_of_word(word);
    for (std::size_t i = 0; i < opt.tensor_count; ++i) {
        void* slots[3];
        arena::tensor_slots(layout, opt.lengths[i], cursor, slots);
        for (unsigned k = 0; k < 3; ++k)
            if (slots[k]) put_slice(sink, slots[k], layout.dtype[k], opt.lengths[i]);
    }
    for (std::size_t i = 0; tensors && i < opt.tensor_count; ++i) put_floats(sink, tensors[i].param, opt.lengths[i]);
    if (blob_bytes != 0) sink.bytes(blob, blob_bytes);
    const std::uint32_t crc = sink.crc();
    sink.le(crc, 4);
    return crc;
}

// Checks what every call taking an optimizer and optional parameters and blob
// checks, and the image size they make.
edgeopt_status check_arguments(const edgeopt_optimizer* opt, const edgeopt_tensor* tensors, std::size_t count,
                               const void* blob, std::size_t blob_bytes, bool blob_read, std::size_t* image) {
    if (!opt) return EDGEOPT_ERR_NULL_POINTER;
    if (!initialized(opt)) return EDGEOPT_ERR_NOT_INITIALIZED;
    if (tensors || count != 0) {
        if (!tensors) return EDGEOPT_ERR_NULL_POINTER;
        if (count != opt->tensor_count) return EDGEOPT_ERR_TENSOR_COUNT_MISMATCH;
        for (std::size_t i = 0; i < count; ++i) {
            if (tensors[i].length != opt->lengths[i]) return EDGEOPT_ERR_LENGTH_MISMATCH;
            if (tensors[i].param_dtype != EDGEOPT_F32) return EDGEOPT_ERR_DTYPE_UNSUPPORTED;
            if (tensors[i].length != 0 && !tensors[i].param) return EDGEOPT_ERR_NULL_POINTER;
            if (overlap(tensors[i].param, tensors[i].length * sizeof(float), opt->arena, opt->arena_bytes) ||
                overlap(tensors[i].param, tensors[i].length * sizeof(float), blob, blob_bytes))
                return EDGEOPT_ERR_OVERLAP;
        }
    }
    if (blob_read && blob_bytes != 0 && !blob) return EDGEOPT_ERR_NULL_POINTER;
    if (overlap(blob, blob_bytes, opt->arena, opt->arena_bytes)) return EDGEOPT_ERR_OVERLAP;
    if (image) {
        const std::uint64_t bytes = image_size(*opt, tensors != nullptr, blob_bytes);
        if (bytes == 0 || bytes > static_cast<std::size_t>(-1)) return EDGEOPT_ERR_BUFFER_TOO_SMALL;
        *image = static_cast<std::size_t>(bytes);
    }
    return EDGEOPT_OK;
}

// The memory an image is read from or written to must not be the state, the
// parameters or the blob.
bool image_overlaps(const edgeopt_optimizer& opt, const edgeopt_tensor* tensors, const void* blob,
                    std::size_t blob_bytes, const void* image, std::size_t image_bytes) {
    if (overlap(image, image_bytes, opt.arena, opt.arena_bytes) || overlap(image, image_bytes, blob, blob_bytes))
        return true;
    for (std::size_t i = 0; tensors && i < opt.tensor_count; ++i)
        if (overlap(image, image_bytes, tensors[i].param, tensors[i].length * sizeof(float))) return true;
    return false;
}

void describe(const contents& c, unsigned slot, edgeopt_checkpoint_info* out) {
    edgeopt_checkpoint_info info;
    std::memset(&info, 0, sizeof info);
    info.format_version = c.version;
    info.sequence = c.sequence;
    info.algorithm = static_cast<edgeopt_algorithm>(c.algorithm);
    info.step = c.step;
    info.tensor_count = c.count;
    info.blob_bytes = c.blob_bytes;
    info.has_params = (c.flags & flag_params) != 0;
    info.image_bytes = c.image;
    info.slot = slot;
    *out = info;
}

// Restores a checked image; the copy pass re-checks the CRC, and if the bytes
// changed since the check (only possible through a read callback) the
// optimizer is reset rather than left half-restored.
edgeopt_status restore(image_source& source, const frame& f, const target& t, std::size_t* blob_bytes) {
    contents c;
    const edgeopt_status checked = walk(source, f, &t, false, c);
    if (checked != EDGEOPT_OK) return checked;
    if (walk(source, f, &t, true, c) != EDGEOPT_OK) {
        edgeopt_reset(t.opt);
        return EDGEOPT_ERR_CHECKPOINT_CORRUPT;
    }
    t.opt->config = c.config;
    t.opt->step = c.step;
    t.opt->nadam_mu_product = c.mu_product;
    ++t.opt->generation;  // a step begun before the load is stale (edgeopt_step_plan)
    if (blob_bytes) *blob_bytes = c.blob_bytes;
    return EDGEOPT_OK;
}

edgeopt_status make_target(edgeopt_optimizer* opt, const edgeopt_tensor* tensors, std::size_t count, void* blob,
                           std::size_t blob_capacity, target& t) {
    const edgeopt_status status = check_arguments(opt, tensors, count, blob, blob ? blob_capacity : 0, false, nullptr);
    if (status != EDGEOPT_OK) return status;
    t = {opt, layout_word(opt->config), tensors, blob, blob ? blob_capacity : 0};
    return EDGEOPT_OK;
}

// ---- Two slots ---------------------------------------------------------------

struct slot_scan {
    edgeopt_status status;  // OK or VERSION: committed and intact; EMPTY: nothing committed
    frame f;
    contents c;
};

std::size_t slot_bytes(const edgeopt_checkpoint_storage& s) { return s.size / 2 / write_align * write_align; }

void commit_record(const frame& f, std::uint32_t crc, unsigned char (&record)[commit_bytes]) {
    std::memset(record, 0, sizeof record);
    put_le(record, EDGEOPT_CHECKPOINT_COMMIT_MAGIC, 4);
    put_le(record + 4, f.sequence, 4);
    put_le(record + 8, crc, 4);
    put_le(record + 12, f.image, 4);
}

slot_scan scan_slot(const edgeopt_checkpoint_storage& storage, unsigned slot) {
    const std::size_t bytes = slot_bytes(storage);
    image_source source(storage, slot * bytes, bytes);
    slot_scan scan{};
    const edgeopt_status framed = read_frame(source, bytes, scan.f);
    if (source.io_failed()) return {EDGEOPT_ERR_CHECKPOINT_TRUNCATED, {}, {}};
    if (framed != EDGEOPT_OK) return {EDGEOPT_ERR_CHECKPOINT_EMPTY, {}, {}};

    // Uncommitted (an interrupted save, or the old record of another image) reads as empty.
    unsigned char stored[commit_bytes], trailer[crc_bytes], expected[commit_bytes];
    const std::size_t record_at = round_up(scan.f.image);
    if (record_at > bytes || bytes - record_at < commit_bytes) return {EDGEOPT_ERR_CHECKPOINT_EMPTY, {}, {}};
    if (!source.read_at(record_at, stored, commit_bytes) ||
        !source.read_at(scan.f.header + scan.f.payload, trailer, crc_bytes))
        return {EDGEOPT_ERR_CHECKPOINT_TRUNCATED, {}, {}};
    commit_record(scan.f, static_cast<std::uint32_t>(get_le(trailer, 4)), expected);
    unsigned char differ = 0;  // (memcmp is not on the firmware build's list of imports)
    for (std::size_t i = 0; i < commit_bytes; ++i) differ |= stored[i] ^ expected[i];
    if (differ != 0) return {EDGEOPT_ERR_CHECKPOINT_EMPTY, {}, {}};

    scan.status = walk(source, scan.f, nullptr, false, scan.c);
    return scan;
}

// Committed and passing its CRC (possibly of a newer version, or unusable on this host).
bool intact(const slot_scan& s) {
    return s.status != EDGEOPT_ERR_CHECKPOINT_EMPTY && s.status != EDGEOPT_ERR_CHECKPOINT_CORRUPT &&
           s.status != EDGEOPT_ERR_CHECKPOINT_TRUNCATED;
}

// Both slots; TRUNCATED if a read failed, since then the newest image is unknown.
edgeopt_status scan_region(const edgeopt_checkpoint_storage& storage, slot_scan (&scans)[2]) {
    scans[0] = scan_slot(storage, 0);
    scans[1] = scan_slot(storage, 1);
    return scans[0].status == EDGEOPT_ERR_CHECKPOINT_TRUNCATED || scans[1].status == EDGEOPT_ERR_CHECKPOINT_TRUNCATED
               ? EDGEOPT_ERR_CHECKPOINT_TRUNCATED
               : EDGEOPT_OK;
}

// Sequence numbers compare modulo 2^32 (RFC 1982), so wrapping is harmless.
bool newer(std::uint32_t a, std::uint32_t b) { return static_cast<std::int32_t>(a - b) > 0; }

// The slot load() restores (-1 if none) and, if none, why.
int newest_slot(const slot_scan (&scans)[2], edgeopt_status& none) {
    if (intact(scans[0]) && intact(scans[1]))
        return newer(scans[1].c.sequence, scans[0].c.sequence) ? 1 : 0;
    if (intact(scans[0]) || intact(scans[1])) return intact(scans[0]) ? 0 : 1;
    const bool damaged =
        scans[0].status == EDGEOPT_ERR_CHECKPOINT_CORRUPT || scans[1].status == EDGEOPT_ERR_CHECKPOINT_CORRUPT;
    none = damaged ? EDGEOPT_ERR_CHECKPOINT_CORRUPT : EDGEOPT_ERR_CHECKPOINT_EMPTY;
    return -1;
}

edgeopt_status check_storage(const edgeopt_checkpoint_storage* storage, bool writing) {
    if (!storage || (!storage->memory && !storage->read) || (writing && !storage->write))
        return EDGEOPT_ERR_NULL_POINTER;
    return EDGEOPT_OK;
}

// Scans both slots; on EDGEOPT_OK, newest is the slot holding the newest
// committed image that can be read (what load and newest report on).
edgeopt_status newest_committed(const edgeopt_checkpoint_storage& storage, slot_scan (&scans)[2], int& newest) {
    if (scan_region(storage, scans) != EDGEOPT_OK) return EDGEOPT_ERR_CHECKPOINT_TRUNCATED;
    edgeopt_status none = EDGEOPT_OK;
    newest = newest_slot(scans, none);
    if (newest < 0) return none;
    return scans[newest].status;
}

}  // namespace

extern "C" {

uint32_t edgeopt_crc32(uint32_t crc, const void* bytes, size_t length) {
    if (!bytes) return crc;
    return crc32::finish(crc32::feed(~crc, static_cast<const unsigned char*>(bytes), length));
}

size_t edgeopt_checkpoint_bytes(const edgeopt_optimizer* opt, size_t blob_bytes) {
    std::size_t image = 0;
    return check_arguments(opt, nullptr, 0, nullptr, blob_bytes, false, &image) == EDGEOPT_OK ? image : 0;
}

size_t edgeopt_checkpoint_bytes_with_params(const edgeopt_optimizer* opt, size_t blob_bytes) {
    if (!initialized(opt)) return 0;
    const std::uint64_t bytes = image_size(*opt, true, blob_bytes);
    return bytes > static_cast<std::size_t>(-1) ? 0 : static_cast<std::size_t>(bytes);
}

size_t edgeopt_checkpoint_region_bytes(size_t image_bytes) {
    if (image_bytes == 0 || image_bytes > image_limit) return 0;
    const std::uint64_t slot = round_up(image_bytes) + static_cast<std::uint64_t>(commit_bytes);
    return 2 * slot > static_cast<std::size_t>(-1) ? 0 : static_cast<std::size_t>(2 * slot);
}

edgeopt_status edgeopt_checkpoint_write(const edgeopt_optimizer* opt, const edgeopt_tensor* tensors,
                                        size_t tensor_count, const void* blob, size_t blob_bytes, void* image,
                                        size_t capacity, size_t* image_bytes) {
    std::size_t bytes = 0;
    const edgeopt_status status = check_arguments(opt, tensors, tensor_count, blob, blob_bytes, true, &bytes);
    if (status != EDGEOPT_OK) return status;
    if (!image) return EDGEOPT_ERR_NULL_POINTER;
    if (capacity < bytes) return EDGEOPT_ERR_BUFFER_TOO_SMALL;
    if (image_overlaps(*opt, tensors, blob, blob_bytes, image, bytes)) return EDGEOPT_ERR_OVERLAP;
    image_sink sink(static_cast<unsigned char*>(image));
    encode(sink, *opt, tensors, blob, blob_bytes, 0, bytes);
    sink.finish();
    if (image_bytes) *image_bytes = bytes;
    return EDGEOPT_OK;
}

edgeopt_status edgeopt_checkpoint_read(edgeopt_optimizer* opt, const edgeopt_tensor* tensors, size_t tensor_count,
                                       void* blob, size_t blob_capacity, size_t* blob_bytes, const void* image,
                                       size_t image_bytes) {
    target t;
    const edgeopt_status status = make_target(opt, tensors, tensor_count, blob, blob_capacity, t);
    if (status != EDGEOPT_OK) return status;
    if (!image) return EDGEOPT_ERR_NULL_POINTER;
    if (image_overlaps(*opt, tensors, t.blob, t.blob_capacity, image, image_bytes)) return EDGEOPT_ERR_OVERLAP;
    image_source source(static_cast<const unsigned char*>(image), image_bytes);
    frame f;
    const edgeopt_status framed = read_frame(source, image_bytes, f);
    if (framed != EDGEOPT_OK) return framed;
    return restore(source, f, t, blob_bytes);
}

edgeopt_status edgeopt_checkpoint_image_info(const void* image, size_t image_bytes, edgeopt_checkpoint_info* out) {
    if (!image || !out) return EDGEOPT_ERR_NULL_POINTER;
    image_source source(static_cast<const unsigned char*>(image), image_bytes);
    frame f;
    contents c;
    edgeopt_status status = read_frame(source, image_bytes, f);
    if (status == EDGEOPT_OK) status = walk(source, f, nullptr, false, c);
    if (status == EDGEOPT_OK) describe(c, 0, out);
    return status;
}

edgeopt_status edgeopt_checkpoint_save(const edgeopt_optimizer* opt, const edgeopt_tensor* tensors,
                                       size_t tensor_count, const void* blob, size_t blob_bytes,
                                       const edgeopt_checkpoint_storage* storage) {
    std::size_t image = 0;
    edgeopt_status status = check_arguments(opt, tensors, tensor_count, blob, blob_bytes, true, &image);
    if (status == EDGEOPT_OK) status = check_storage(storage, true);
    if (status != EDGEOPT_OK) return status;
    const std::size_t bytes = slot_bytes(*storage);
    const std::size_t used = round_up(image) + commit_bytes;
    if (used > bytes) return EDGEOPT_ERR_BUFFER_TOO_SMALL;
    if (storage->memory && image_overlaps(*opt, tensors, blob, blob_bytes, storage->memory, storage->size))
        return EDGEOPT_ERR_OVERLAP;

    // Never touch the slot holding the newest committed image; stop if we cannot tell which it is.
    slot_scan scans[2];
    if (scan_region(*storage, scans) != EDGEOPT_OK) return EDGEOPT_ERR_CHECKPOINT_TRUNCATED;
    edgeopt_status none = EDGEOPT_OK;
    const int newest = newest_slot(scans, none);
    const unsigned slot = newest == 0 ? 1u : 0u;
    frame f{};
    f.sequence = newest < 0 ? 1u : scans[newest].c.sequence + 1u;
    f.image = image;
    const std::size_t base = slot * bytes;

    if (storage->erase && !storage->erase(storage->context, base, used)) return EDGEOPT_ERR_CHECKPOINT_TRUNCATED;
    image_sink sink(*storage, base);
    const std::uint32_t crc = encode(sink, *opt, tensors, blob, blob_bytes, f.sequence, image);
    if (!sink.finish()) return EDGEOPT_ERR_CHECKPOINT_TRUNCATED;
    // The commit record goes last, in one write: until it is complete the slot reads as empty.
    unsigned char record[commit_bytes];
    commit_record(f, crc, record);
    if (!storage->write(storage->context, base + round_up(image), record, commit_bytes))
        return EDGEOPT_ERR_CHECKPOINT_TRUNCATED;

    const slot_scan written = scan_slot(*storage, slot);
    if (written.status == EDGEOPT_ERR_CHECKPOINT_TRUNCATED) return written.status;
    if (written.status != EDGEOPT_OK || written.c.sequence != f.sequence || written.f.image != image)
        return EDGEOPT_ERR_CHECKPOINT_CORRUPT;
    return EDGEOPT_OK;
}

edgeopt_status edgeopt_checkpoint_load(edgeopt_optimizer* opt, const edgeopt_tensor* tensors, size_t tensor_count,
                                       void* blob, size_t blob_capacity, size_t* blob_bytes,
                                       const edgeopt_checkpoint_storage* storage) {
    target t;
    edgeopt_status status = make_target(opt, tensors, tensor_count, blob, blob_capacity, t);
    if (status == EDGEOPT_OK) status = check_storage(storage, false);
    if (status != EDGEOPT_OK) return status;
    if (storage->memory && image_overlaps(*opt, tensors, t.blob, t.blob_capacity, storage->memory, storage->size))
        return EDGEOPT_ERR_OVERLAP;
    slot_scan scans[2];
    int newest = -1;
    const edgeopt_status found = newest_committed(*storage, scans, newest);
    if (found != EDGEOPT_OK) return found;
    const std::size_t bytes = slot_bytes(*storage);
    image_source source(*storage, static_cast<std::size_t>(newest) * bytes, bytes);
    return restore(source, scans[newest].f, t, blob_bytes);
}

edgeopt_status edgeopt_checkpoint_newest(const edgeopt_checkpoint_storage* storage, edgeopt_checkpoint_info* out) {
    const edgeopt_status status = check_storage(storage, false);
    if (status != EDGEOPT_OK) return status;
    if (!out) return EDGEOPT_ERR_NULL_POINTER;
    slot_scan scans[2];
    int newest = -1;
    const edgeopt_status found = newest_committed(*storage, scans, newest);
    if (found != EDGEOPT_OK) return found;
    describe(scans[newest].c, static_cast<unsigned>(newest), out);
    return EDGEOPT_OK;
}

}  // extern "C"
