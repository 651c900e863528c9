/* SPDX-License-Identifier: Apache-2.0 */
/* edgeopt checkpoints: save an optimizer's whole state and resume it later,
 * bit for bit, across reboots and power cuts.
 *
 * C API, usable from C11 and C++17. No heap, no exceptions; every call
 * returns an edgeopt_status, and a call that fails has modified nothing the
 * caller owns (optimizer, arena, parameters, blob) -- the one documented
 * exception is a storage read callback that fails or changes its answer
 * between the two reads of edgeopt_checkpoint_load().
 *
 * An image holds the algorithm, every hyper-parameter (the edgeopt_config,
 * so a schedule's current lr comes back too), the step count, NAdam's mu
 * product, the tensor count and lengths, every state slot's floats,
 * optionally the parameters themselves (so weights and optimizer state are
 * committed together), and optionally an opaque caller blob (e.g. a
 * learning-rate schedule's state). The layout is little-endian whatever the
 * host, floats by their IEEE-754 bits, with a CRC-32 (IEEE 802.3) over
 * header and payload; see "Image layout" below.
 *
 * Two ways to store images:
 *   edgeopt_checkpoint_write/read   one image in a caller buffer (RAM, a file)
 *   edgeopt_checkpoint_save/load    two slots A/B in a flash-like region with a
 *                                   commit record and a sequence number: a
 *                                   power cut at any byte of a save leaves the
 *                                   previous committed image loadable.
 *
 * What load() restores into must already be edgeopt_init()ed with the same
 * algorithm, the same state slots and the same tensor lengths (else
 * EDGEOPT_ERR_CHECKPOINT_MISMATCH); its hyper-parameters, step count and
 * state are then replaced by the image's. The kernel choice
 * (edgeopt_set_isa) is not part of an image.
 */
#ifndef EDGEOPT_CHECKPOINT_H
#define EDGEOPT_CHECKPOINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "edgeopt/edgeopt.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Image layout (format version 2) --------------------------------------
 *
 * All integers little-endian; f64/f32 are IEEE-754 bit patterns.
 *
 *   header (32 bytes; the first 16 keep their meaning in every version)
 *     0  u32 magic          "EOCK" (45 4F 43 4B)
 *     4  u16 format version 1, or 2 if any state slot is not float32
 *     6  u16 header bytes   32
 *     8  u32 payload bytes
 *    12  u32 sequence       A/B slots: higher is newer; 0 from write()
 *    16  u32 algorithm      edgeopt_algorithm
 *    20  u32 state layout   bit k: state slot k is used; bits 8+4k..11+4k:
 *                           slot k's edgeopt_dtype (version 2; 0 in version 1)
 *    24  u32 tensor count
 *    28  u32 flags          bit 0: parameters included; other bits 0
 *   payload
 *     0  u64 step
 *     8  f64 NAdam mu product
 *    16  f64 x 6            hyper-parameters, the options struct's doubles in
 *                           declaration order, unused ones 0
 *    64  u32 option bools   bit i: the options struct's i-th bool
 *    68  u32 blob bytes
 *    72  u64 x count        tensor lengths
 *     .  ...                state: tensor by tensor, used slots in order, each
 *                           in its dtype: f32; bf16/f16 as u16; q8 as f32 block
 *                           scales (ceil(length/64)) then u8 codes (length)
 *     .  f32 ...            parameters, tensor by tensor (if flag bit 0;
 *                           float32 parameters only: DTYPE_UNSUPPORTED else)
 *     .  u8  x blob bytes   the caller's blob
 *   trailer
 *        u32 CRC-32         of header + payload (reflected 0xEDB88320, init
 *                           and final xor 0xFFFFFFFF: zlib's crc32)
 */
#define EDGEOPT_CHECKPOINT_FORMAT_VERSION 2u /* the newest this library reads */
#define EDGEOPT_CHECKPOINT_MAGIC 0x4B434F45u /* "EOCK" as a little-endian u32 */
#define EDGEOPT_CHECKPOINT_HEADER_BYTES 32u
#define EDGEOPT_CHECKPOINT_FIXED_PAYLOAD_BYTES 72u

/* Compile-time image size for float32 state: `count` tensors holding `total` floats in all,
 * `slots` state buffers per tensor (edgeopt_state_slots), with_params 0 or 1. */
#define EDGEOPT_CHECKPOINT_IMAGE_BYTES(slots, count, total, with_params, blob_bytes)                      \
    ((size_t)EDGEOPT_CHECKPOINT_HEADER_BYTES + EDGEOPT_CHECKPOINT_FIXED_PAYLOAD_BYTES + 8u * (size_t)(count) + \
     4u * (size_t)(total) * ((size_t)(slots) + (size_t)(with_params)) + (size_t)(blob_bytes) + 4u)

/* ---- A/B region layout -------------------------------------------------------
 *
 * The region [0, size) is split in two slots of slot_bytes =
 * (size / 2) rounded down to EDGEOPT_CHECKPOINT_ALIGN: slot A at 0, slot B at
 * slot_bytes. A slot holds an image at its start, zero padding to the next
 * multiple of EDGEOPT_CHECKPOINT_ALIGN, then a 32-byte commit record:
 *     0  u32 "EOCC" (45 4F 43 43)   4  u32 sequence
 *     8  u32 the image's CRC-32    12  u32 image bytes     16  16 zero bytes
 * An image counts only if its record matches it byte for byte. save() writes
 * the slot not holding the newest committed image, strictly front to back,
 * the commit record last and in one write call; load() takes the committed,
 * intact image with the highest sequence (compared modulo 2^32).
 *
 * Every write is a multiple of EDGEOPT_CHECKPOINT_ALIGN bytes long at a
 * multiple of it from the region start, which suits flash with a program
 * granularity up to 32 bytes. Give each slot whole erase sectors
 * (size = 2 x a multiple of the sector size). */
#define EDGEOPT_CHECKPOINT_ALIGN 32u
#define EDGEOPT_CHECKPOINT_COMMIT_BYTES 32u
#define EDGEOPT_CHECKPOINT_COMMIT_MAGIC 0x43434F45u /* "EOCC" */
/* Compile-time size of a region holding two slots for images of image_bytes. */
#define EDGEOPT_CHECKPOINT_REGION_BYTES(image_bytes)                                                       \
    (2u * ((((size_t)(image_bytes) + EDGEOPT_CHECKPOINT_ALIGN - 1u) / EDGEOPT_CHECKPOINT_ALIGN) *        \
               EDGEOPT_CHECKPOINT_ALIGN +                                                                  \
           EDGEOPT_CHECKPOINT_COMMIT_BYTES))

/* The caller's storage: flash, EEPROM, FRAM, a file, or RAM in tests.
 * Offsets are from the region start. Callbacks return true on success. */
typedef struct edgeopt_checkpoint_storage {
    size_t size; /* bytes of the region */
    /* The region's bytes if memory-mapped (internal flash, RAM); then `read`
     * is not called and may be NULL. */
    const void* memory;
    bool (*read)(void* context, size_t offset, void* bytes, size_t length);
    /* Must not return before the bytes are stored (or have failed). */
    bool (*write)(void* context, size_t offset, const void* bytes, size_t length);
    /* Optional (NULL: not needed, e.g. RAM/FRAM): called once per save,
     * before any write, with the target slot's start and the bytes the save
     * will write there; erase every sector that range touches. */
    bool (*erase)(void* context, size_t offset, size_t length);
    void* context; /* passed to the callbacks */
} edgeopt_checkpoint_storage;

/* What an image holds, without restoring it. */
typedef struct edgeopt_checkpoint_info {
    uint32_t format_version;
    uint32_t sequence;
    edgeopt_algorithm algorithm;
    uint64_t step;
    size_t tensor_count;
    size_t blob_bytes;
    bool has_params;
    size_t image_bytes;
    unsigned slot; /* save/load region: 0 = A, 1 = B; 0 for a buffer */
} edgeopt_checkpoint_info;

/* ---- Sizing ---------------------------------------------------------------- */

/* Bytes of an image of this optimizer's state plus blob_bytes of blob, without
 * the parameters; 0 if opt is not initialized (or the size overflows). */
size_t edgeopt_checkpoint_bytes(const edgeopt_optimizer* opt, size_t blob_bytes);
/* The same with the parameters included (tensors passed to write/save). */
size_t edgeopt_checkpoint_bytes_with_params(const edgeopt_optimizer* opt, size_t blob_bytes);
/* Smallest storage.size for images of image_bytes (two slots + commit
 * records); 0 on overflow. */
size_t edgeopt_checkpoint_region_bytes(size_t image_bytes);

/* ---- One image in a buffer ------------------------------------------------
 *
 * tensors/tensor_count: the parameters to include, as passed to
 * edgeopt_step() (grad is ignored); NULL and 0 for none.
 * blob/blob_bytes: caller bytes to include; NULL and 0 for none. */

/* Writes an image into image[0, capacity); *image_bytes gets its size.
 * EDGEOPT_ERR_BUFFER_TOO_SMALL (nothing written) if capacity is short. */
edgeopt_status edgeopt_checkpoint_write(const edgeopt_optimizer* opt, const edgeopt_tensor* tensors,
                                        size_t tensor_count, const void* blob, size_t blob_bytes, void* image,
                                        size_t capacity, size_t* image_bytes);

/* Restores an image into an initialized optimizer.
 * tensors: where to restore the parameters (param is written, grad ignored);
 *   NULL and 0 to skip them. Passing tensors for an image without parameters
 *   is EDGEOPT_ERR_CHECKPOINT_MISMATCH.
 * blob: where to restore the blob, blob_capacity bytes; NULL to skip it
 *   (EDGEOPT_ERR_BUFFER_TOO_SMALL if the image's blob is larger than
 *   blob_capacity). *blob_bytes (if blob_bytes is not NULL) gets the image's
 *   blob size.
 * Errors, with nothing modified:
 *   EDGEOPT_ERR_CHECKPOINT_TRUNCATED  image_bytes shorter than the header says
 *   EDGEOPT_ERR_CHECKPOINT_CORRUPT    bad magic, CRC, or inconsistent contents
 *   EDGEOPT_ERR_CHECKPOINT_VERSION    a newer format version
 *   EDGEOPT_ERR_CHECKPOINT_MISMATCH   another algorithm, slot layout, tensor
 *                                     count or length, or no parameters
 *   EDGEOPT_ERR_NOT_INITIALIZED, _NULL_POINTER, _TENSOR_COUNT_MISMATCH,
 *   _LENGTH_MISMATCH (tensors vs opt), _OVERLAP (image vs arena/params/blob),
 *   _BUFFER_TOO_SMALL (blob) */
edgeopt_status edgeopt_checkpoint_read(edgeopt_optimizer* opt, const edgeopt_tensor* tensors, size_t tensor_count,
                                       void* blob, size_t blob_capacity, size_t* blob_bytes, const void* image,
                                       size_t image_bytes);

/* Describes the image in a buffer (same checks as read(), short of the
 * optimizer ones): OK, _TRUNCATED, _CORRUPT or _VERSION. */
edgeopt_status edgeopt_checkpoint_image_info(const void* image, size_t image_bytes, edgeopt_checkpoint_info* out);

/* ---- Two slots in a flash-like region -------------------------------------- */

/* Writes a new image (sequence = newest committed + 1) into the slot not
 * holding the newest committed image, commits it, and reads it back.
 * Errors: EDGEOPT_ERR_BUFFER_TOO_SMALL (a slot cannot hold the image; nothing
 * written), EDGEOPT_ERR_CHECKPOINT_TRUNCATED (a read, erase or write callback
 * failed: load() then returns the previous image -- or the new one, if only
 * the commit record's write reported failure after storing it),
 * EDGEOPT_ERR_CHECKPOINT_CORRUPT (the read-back does not match: the storage
 * dropped or changed bytes), and the argument errors of write(). Nothing is
 * written before the scan of both slots has succeeded. */
edgeopt_status edgeopt_checkpoint_save(const edgeopt_optimizer* opt, const edgeopt_tensor* tensors,
                                       size_t tensor_count, const void* blob, size_t blob_bytes,
                                       const edgeopt_checkpoint_storage* storage);

/* Restores the newest committed intact image (arguments as for read()).
 * An uncommitted or damaged slot is skipped, so after a power cut during a
 * save this returns the previous image. If the newest image is of a newer
 * version or does not fit opt, that error is returned (no silent fallback to
 * an older image). EDGEOPT_ERR_CHECKPOINT_EMPTY if neither slot holds a
 * committed image; _CORRUPT if the only committed ones are damaged;
 * _TRUNCATED if a read failed (nothing restored: which image is newest is
 * then unknown, so there is no fallback either). With a read callback the image is read twice (check, then copy);
 * should the second read fail or differ, the optimizer is edgeopt_reset(),
 * parameters and blob are unspecified, and _CORRUPT is returned. */
edgeopt_status edgeopt_checkpoint_load(edgeopt_optimizer* opt, const edgeopt_tensor* tensors, size_t tensor_count,
                                       void* blob, size_t blob_capacity, size_t* blob_bytes,
                                       const edgeopt_checkpoint_storage* storage);

/* Describes the image load() would restore: OK, _EMPTY, _CORRUPT,
 * _TRUNCATED or _VERSION (out is filled for OK only). */
edgeopt_status edgeopt_checkpoint_newest(const edgeopt_checkpoint_storage* storage, edgeopt_checkpoint_info* out);

/* CRC-32 (IEEE 802.3, as zlib's crc32()) of bytes, continuing from crc (0 to start). */
uint32_t edgeopt_crc32(uint32_t crc, const void* bytes, size_t length);

#ifdef __cplusplus
}
#endif

#endif /* EDGEOPT_CHECKPOINT_H */
