// SPDX-License-Identifier: Apache-2.0
// Checkpoints in two A/B slots of a flash-like region, so that a save
// survives a power cut at any byte: scan, save, load, newest.
#include "checkpoint/image.hpp"

namespace {

using namespace edgeopt;
using namespace edgeopt::checkpoint;

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
    if (!storage->erase) {
        // Without an erase, the slot's old bytes stay under the new ones, and
        // a cut save could complete an old image the application had damaged
        // or deleted (a rewritten magic under its old commit record): so first
        // zero the header (no image) and the new record's place (no commit).
        // From then on only the new commit record can commit this slot.
        const unsigned char zeros[commit_bytes] = {};
        static_assert(commit_bytes >= header_bytes && commit_bytes % write_align == 0, "one aligned write each");
        if (!storage->write(storage->context, base, zeros, commit_bytes) ||
            !storage->write(storage->context, base + round_up(image), zeros, commit_bytes))
            return EDGEOPT_ERR_CHECKPOINT_TRUNCATED;
    }
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
