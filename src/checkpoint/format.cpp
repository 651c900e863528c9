// SPDX-License-Identifier: Apache-2.0
// Checkpoint images: the fields (hyper-parameters, state layout word,
// sizes), the state slices in their dtypes, and encode/parse/walk.
#include "checkpoint/image.hpp"

#include "arena.hpp"
#include "kernel/typed_driver.hpp"
#include "optim/algorithms.hpp"

namespace edgeopt::checkpoint {

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

// Only for a word valid_layout_word() accepted (or layout_word() made).
arena::layout layout_of_word(std::uint32_t word) {
    arena::layout l{word & 0xFFu, {}};
    for (unsigned k = 0; k < 3; ++k) l.dtype[k] = static_cast<edgeopt_dtype>((word >> (8 + 4 * k)) & 0xFu);
    return l;
}

// Checks the nibbles as integers: a nibble past the last edgeopt_dtype must
// never become one (an enum holding an unlisted value is UB), and this runs
// on untrusted bytes, before the CRC.
bool valid_layout_word(std::uint32_t word, std::uint32_t version) {
    const std::uint32_t mask = word & 0xFFu;
    if (mask > 7u || (word >> 20) != 0 || (version < 2 && word > 7u)) return false;
    for (unsigned k = 0; k < 3; ++k) {
        const bool used = (mask & (1u << k)) != 0;
        const std::uint32_t dtype = (word >> (8 + 4 * k)) & 0xFu;
        if (dtype >= static_cast<std::uint32_t>(EDGEOPT_DTYPE_COUNT) || (!used && dtype != EDGEOPT_F32)) return false;
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
    // Rounding, seed and form are not state: the optimizer keeps its own
    // (m and v mean the same in both forms, so an image moves between them).
    c.config.param_rounding = t->opt->config.param_rounding;
    c.config.form = t->opt->config.form;
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

}  // namespace edgeopt::checkpoint
