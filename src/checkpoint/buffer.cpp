// SPDX-License-Identifier: Apache-2.0
// Checkpoints in a caller buffer (write, read, image_info), sizes and CRC,
// and the argument checks and restore the A/B slots share.
#include "checkpoint/image.hpp"

namespace edgeopt::checkpoint {

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
    // An algorithm this library does not list stays 0: an enum must not hold it.
    const bool listed = c.algorithm >= EDGEOPT_SGD && c.algorithm < EDGEOPT_SGD + EDGEOPT_ALGORITHM_COUNT;
    info.algorithm = listed ? static_cast<edgeopt_algorithm>(c.algorithm) : static_cast<edgeopt_algorithm>(0);
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

}  // namespace edgeopt::checkpoint

using namespace edgeopt;
using namespace edgeopt::checkpoint;

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
}  // extern "C"
