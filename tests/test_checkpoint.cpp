// SPDX-License-Identifier: Apache-2.0
// Checkpoints in a buffer: CRC and sizes, the byte layout against bytes
// written out by hand, bit-identical resume for every option combination,
// every rejection (with nothing modified) and every single-bit flip.
// (A/B slots: test_checkpoint_slots.cpp; power cuts: test_checkpoint_power_cut.cpp.)
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "checkpoint_support.hpp"

using namespace ckpt;

// ---- CRC, sizes --------------------------------------------------------------------

TEST_CASE("checkpoint: CRC-32 is zlib's") {
    CHECK(edgeopt_crc32(0, "123456789", 9) == 0xCBF43926u);
    CHECK(edgeopt_crc32(0, "", 0) == 0u);
    CHECK(edgeopt_crc32(edgeopt_crc32(0, "1234", 4), "56789", 5) == 0xCBF43926u);
    const unsigned char zeros[32] = {};
    CHECK(edgeopt_crc32(0, zeros, 32) == 0x190A55ADu);
}

TEST_CASE("checkpoint: sizes match the layout and the compile-time macros") {
    for (const test::named_config& nc : test::option_matrix()) {
        CAPTURE(nc.name);
        rig r(nc.config, small_lengths);
        const unsigned slots = edgeopt_state_slots(&nc.config);
        CHECK(edgeopt_checkpoint_bytes(&r.opt, 0) == EDGEOPT_CHECKPOINT_IMAGE_BYTES(slots, 3, 8, 0, 0));
        CHECK(edgeopt_checkpoint_bytes(&r.opt, 9) == 32 + 72 + 3 * 8 + 4 * 8 * slots + 9 + 4);
        CHECK(edgeopt_checkpoint_bytes_with_params(&r.opt, 9) == EDGEOPT_CHECKPOINT_IMAGE_BYTES(slots, 3, 8, 1, 9));
        CHECK(write_image(r, true, bytes(9)).size() == edgeopt_checkpoint_bytes_with_params(&r.opt, 9));
    }
    CHECK(edgeopt_checkpoint_region_bytes(135) == 2 * (160 + 32));
    CHECK(EDGEOPT_CHECKPOINT_REGION_BYTES(135) == 2 * (160 + 32));
    CHECK(EDGEOPT_CHECKPOINT_REGION_BYTES(160) == 2 * (160 + 32));
    CHECK(edgeopt_checkpoint_region_bytes(0) == 0);
    edgeopt_optimizer blank;
    std::memset(&blank, 0, sizeof blank);
    CHECK(edgeopt_checkpoint_bytes(&blank, 0) == 0);
    CHECK(edgeopt_checkpoint_bytes(nullptr, 0) == 0);
    CHECK(edgeopt_checkpoint_bytes_with_params(nullptr, 0) == 0);
}

// ---- The byte layout, written out -----------------------------------------------

namespace {

// SGD(lr=0.5, momentum=0.25, weight_decay=0.125, maximize) on params {1, 2},
// one step with grad {1, -2}: g = -grad + 0.125p = {-0.875, 2.25} is the
// momentum buffer, and p - 0.5g = {1.4375, 0.875}.
struct known_image {
    rig r;
    known_image() : r(config(), {2}) {
        r.params[0] = {1.0f, 2.0f};
        r.grads[0] = {1.0f, -2.0f};
        const std::vector<edgeopt_tensor> ts = r.tensors();
        REQUIRE(edgeopt_step(&r.opt, ts.data(), 1) == EDGEOPT_OK);
        REQUIRE(edgeopt_state_buffer(&r.opt, 0, 0)[0] == -0.875f);
        REQUIRE(edgeopt_state_buffer(&r.opt, 0, 0)[1] == 2.25f);
        REQUIRE(r.params[0] == (std::vector<float>{1.4375f, 0.875f}));
    }
    static edgeopt_config config() {
        edgeopt_config c = edgeopt_defaults(EDGEOPT_SGD);
        c.sgd = {0.5, 0.25, 0.0, 0.125, false, true};
        return c;
    }
};

const bytes known_blob = {0xAA, 0xBB, 0xCC};

// The same bytes whatever the host's endianness: each field as the format says.
const bytes known_bytes = {
    0x45, 0x4F, 0x43, 0x4B,                          // magic "EOCK"
    0x01, 0x00,                                      // format version 1
    0x20, 0x00,                                      // header bytes 32
    0x63, 0x00, 0x00, 0x00,                          // payload bytes 99
    0x00, 0x00, 0x00, 0x00,                          // sequence 0
    0x01, 0x00, 0x00, 0x00,                          // algorithm EDGEOPT_SGD
    0x01, 0x00, 0x00, 0x00,                          // slot mask: momentum_buffer
    0x01, 0x00, 0x00, 0x00,                          // 1 tensor
    0x01, 0x00, 0x00, 0x00,                          // flags: parameters included
    0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // step 1
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xF0, 0x3F,  // mu product 1.0
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xE0, 0x3F,  // lr 0.5
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xD0, 0x3F,  // momentum 0.25
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // dampening 0
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xC0, 0x3F,  // weight_decay 0.125
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // (unused)
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // (unused)
    0x02, 0x00, 0x00, 0x00,                          // bools: maximize (bit 1), not nesterov (bit 0)
    0x03, 0x00, 0x00, 0x00,                          // blob bytes 3
    0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // tensor 0: length 2
    0x00, 0x00, 0x60, 0xBF, 0x00, 0x00, 0x10, 0x40,  // momentum_buffer -0.875f, 2.25f
    0x00, 0x00, 0xB8, 0x3F, 0x00, 0x00, 0x60, 0x3F,  // params 1.4375f, 0.875f
    0xAA, 0xBB, 0xCC,                                // blob
    0x08, 0xDB, 0x17, 0xA4,                          // CRC-32 0xA417DB08 (Python's zlib.crc32)
};

}  // namespace

TEST_CASE("checkpoint: the byte layout of a known image, independent of the host") {
    known_image k;
    const bytes image = write_image(k.r, true, known_blob);
    CHECK(image == known_bytes);

    edgeopt_checkpoint_info info;
    REQUIRE(edgeopt_checkpoint_image_info(known_bytes.data(), known_bytes.size(), &info) == EDGEOPT_OK);
    CHECK(info.format_version == 1);
    CHECK(info.algorithm == EDGEOPT_SGD);
    CHECK(info.step == 1);
    CHECK(info.tensor_count == 1);
    CHECK(info.blob_bytes == 3);
    CHECK(info.has_params);
    CHECK(info.image_bytes == 135);

    // In slot A of a region: sequence 1, so another CRC, zero padding to 160, then the commit record.
    flash f(EDGEOPT_CHECKPOINT_REGION_BYTES(135));
    REQUIRE(f.memory.size() == 384);
    REQUIRE(save(k.r, f, known_blob) == EDGEOPT_OK);
    bytes slot_image = known_bytes;
    slot_image[12] = 0x01;
    const bytes crc1 = {0x46, 0x8D, 0x95, 0xCE};  // zlib.crc32 of the sequence-1 header and payload
    std::copy(crc1.begin(), crc1.end(), slot_image.end() - 4);
    CHECK(bytes(f.memory.begin(), f.memory.begin() + 135) == slot_image);
    CHECK(std::all_of(f.memory.begin() + 135, f.memory.begin() + 160, [](unsigned char b) { return b == 0; }));
    const bytes record = {
        0x45, 0x4F, 0x43, 0x43,  // "EOCC"
        0x01, 0x00, 0x00, 0x00,  // sequence 1
        0x46, 0x8D, 0x95, 0xCE,  // the image's CRC
        0x87, 0x00, 0x00, 0x00,  // image bytes 135
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    };
    CHECK(bytes(f.memory.begin() + 160, f.memory.begin() + 192) == record);
    CHECK(std::all_of(f.memory.begin() + 192, f.memory.end(), [](unsigned char b) { return b == 0xFF; }));
    CHECK_FALSE(f.misaligned);

    // And it loads back from those bytes.
    rig back(known_image::config(), {2});
    bytes blob;
    REQUIRE(read_image(back, known_bytes, &blob) == EDGEOPT_OK);
    CHECK(take(back, blob) == take(k.r, known_blob));
}

// ---- Bit-identical resume ------------------------------------------------------------

TEST_CASE("checkpoint: a restored optimizer continues bit for bit, for every option combination") {
    const int before = 3, after = 4;
    for (const test::named_config& nc : test::option_matrix()) {
        for (int path = 0; path < 4; ++path) {  // buffer with/without params, A/B mapped, A/B read callback
            CAPTURE(nc.name);
            CAPTURE(path);
            rig reference(nc.config, small_lengths);
            reference.steps(before);
            REQUIRE(edgeopt_set_lr(&reference.opt, 0.0625) == EDGEOPT_OK);  // as a schedule would
            const bytes blob = blob_for(before, 10);
            const snapshot saved = take(reference, blob);
            const std::vector<std::vector<float>> saved_params = reference.params;

            bytes image;
            flash f(region_for(reference, 10));
            f.mapped = path != 3;
            if (path < 2)
                image = write_image(reference, path == 0, blob);
            else
                REQUIRE(save(reference, f, blob) == EDGEOPT_OK);
            reference.steps(after);

            fresh restored(nc.config);
            bytes restored_blob;
            if (path < 2) {
                REQUIRE(read_image(restored, image, &restored_blob, path == 0) == EDGEOPT_OK);
                if (path == 1) restored.params = saved_params;  // saved by other means
            } else {
                REQUIRE(load(restored, f, &restored_blob) == EDGEOPT_OK);
            }
            CHECK(take(restored, restored_blob) == saved);
            restored.steps(after);
            CHECK(take(restored) == take(reference));
            CHECK_FALSE(f.misaligned);
            CHECK_FALSE(f.out_of_range);
        }
    }
}

TEST_CASE("checkpoint: blob and parameters are optional on load") {
    rig r(edgeopt_defaults(EDGEOPT_ADAM), small_lengths);
    r.steps(2);
    const bytes image = write_image(r, true, blob_for(2, 20));
    fresh back(edgeopt_defaults(EDGEOPT_ADAM));
    const std::vector<std::vector<float>> fresh_params = back.params;
    std::size_t blob_bytes = 0;
    // No blob buffer: the blob is skipped, its size still reported; no tensors: parameters skipped.
    REQUIRE(edgeopt_checkpoint_read(&back.opt, nullptr, 0, nullptr, 0, &blob_bytes, image.data(), image.size()) ==
            EDGEOPT_OK);
    CHECK(blob_bytes == 20);
    CHECK(back.params == fresh_params);
    snapshot a = take(back), b = take(r);
    a.params.clear();
    b.params.clear();
    CHECK(a == b);

    // Exactly enough room for the blob.
    bytes blob(20);
    REQUIRE(edgeopt_checkpoint_read(&back.opt, nullptr, 0, blob.data(), 20, nullptr, image.data(), image.size()) ==
            EDGEOPT_OK);
    CHECK(blob == blob_for(2, 20));
}

// ---- Rejections: the named error, and nothing modified ------------------------------------

TEST_CASE("checkpoint: read() rejects bad images with the named error and modifies nothing") {
    rig r(edgeopt_defaults(EDGEOPT_ADAM), small_lengths);
    r.steps(2);
    const bytes good = write_image(r, true, blob_for(2, 6));
    fresh live(edgeopt_defaults(EDGEOPT_ADAM));
    live.steps(1);
    const untouched guard(live);

    auto rejects = [&](const bytes& image, edgeopt_status expected) {
        CHECK(read_image(live, image) == expected);
        CHECK(guard.holds());
    };

    SUBCASE("corrupt: magic") {
        bytes image = good;
        image[0] ^= 1;
        rejects(image, EDGEOPT_ERR_CHECKPOINT_CORRUPT);
    }
    SUBCASE("corrupt: CRC, state, blob") {
        for (std::size_t at : {good.size() - 1, std::size_t{200}, good.size() - 6}) {
            bytes image = good;
            image[at] ^= 0x80;
            rejects(image, EDGEOPT_ERR_CHECKPOINT_CORRUPT);
        }
    }
    SUBCASE("corrupt: a valid CRC over contents that do not add up") {
        bytes image = good;
        put32(image.data() + 32 + 68, 7);  // blob bytes 7, payload says 6
        reseal(image.data());
        rejects(image, EDGEOPT_ERR_CHECKPOINT_CORRUPT);
        image = good;
        image[32 + 16 + 7] |= 0x80;  // lr's sign bit: -1e-3
        reseal(image.data());
        rejects(image, EDGEOPT_ERR_CHECKPOINT_CORRUPT);
        image = good;
        image[28] |= 2;  // an unknown flag
        reseal(image.data());
        rejects(image, EDGEOPT_ERR_CHECKPOINT_CORRUPT);
        image = good;
        image[4] = 0;  // version 0
        reseal(image.data());
        rejects(image, EDGEOPT_ERR_CHECKPOINT_CORRUPT);
    }
    SUBCASE("truncated: every shorter length") {
        for (std::size_t n = 0; n < good.size(); ++n) {
            CAPTURE(n);
            rejects(bytes(good.begin(), good.begin() + static_cast<long>(n)), EDGEOPT_ERR_CHECKPOINT_TRUNCATED);
        }
    }
    SUBCASE("version: a newer format, even with a longer header") {
        bytes image = good;
        image[4] = EDGEOPT_CHECKPOINT_FORMAT_VERSION + 1;
        reseal(image.data());
        rejects(image, EDGEOPT_ERR_CHECKPOINT_VERSION);
        bytes longer(good.begin(), good.begin() + 32);
        longer.insert(longer.end(), 16, 0x77);
        longer.insert(longer.end(), good.begin() + 32, good.end());
        longer[4] = EDGEOPT_CHECKPOINT_FORMAT_VERSION + 1;
        longer[6] = 48;
        reseal(longer.data());
        rejects(longer, EDGEOPT_ERR_CHECKPOINT_VERSION);
        edgeopt_checkpoint_info info;
        CHECK(edgeopt_checkpoint_image_info(longer.data(), longer.size(), &info) == EDGEOPT_ERR_CHECKPOINT_VERSION);
    }
    SUBCASE("mismatch: another algorithm with the same slots") {
        rig other(edgeopt_defaults(EDGEOPT_ADAMAX), small_lengths);
        rejects(write_image(other, true, {}), EDGEOPT_ERR_CHECKPOINT_MISMATCH);
        rig adamw(edgeopt_defaults(EDGEOPT_ADAMW), small_lengths);
        rejects(write_image(adamw, true, {}), EDGEOPT_ERR_CHECKPOINT_MISMATCH);
    }
    SUBCASE("mismatch: another slot layout") {
        edgeopt_config amsgrad = edgeopt_defaults(EDGEOPT_ADAM);
        amsgrad.adam.amsgrad = true;
        rig other(amsgrad, small_lengths);
        rejects(write_image(other, true, {}), EDGEOPT_ERR_CHECKPOINT_MISMATCH);
    }
    SUBCASE("mismatch: another tensor count or length") {
        rig fewer(edgeopt_defaults(EDGEOPT_ADAM), {3, 0});
        rejects(write_image(fewer, false, {}), EDGEOPT_ERR_CHECKPOINT_MISMATCH);
        rig longer(edgeopt_defaults(EDGEOPT_ADAM), {3, 0, 6});
        rejects(write_image(longer, false, {}), EDGEOPT_ERR_CHECKPOINT_MISMATCH);
        rig moved(edgeopt_defaults(EDGEOPT_ADAM), {3, 5, 0});
        rejects(write_image(moved, false, {}), EDGEOPT_ERR_CHECKPOINT_MISMATCH);
    }
    SUBCASE("mismatch: parameters asked for, none in the image") {
        rejects(write_image(r, false, {}), EDGEOPT_ERR_CHECKPOINT_MISMATCH);
    }
    SUBCASE("buffer too small: the blob does not fit") {
        const bytes big = write_image(r, true, bytes(300, 1));
        rejects(big, EDGEOPT_ERR_BUFFER_TOO_SMALL);
    }
    SUBCASE("argument errors") {
        const std::vector<edgeopt_tensor> ts = live.tensors();
        CHECK(edgeopt_checkpoint_read(&live.opt, ts.data(), 2, nullptr, 0, nullptr, good.data(), good.size()) ==
              EDGEOPT_ERR_TENSOR_COUNT_MISMATCH);
        std::vector<edgeopt_tensor> short_ts = ts;
        short_ts[2].length = 4;
        CHECK(edgeopt_checkpoint_read(&live.opt, short_ts.data(), 3, nullptr, 0, nullptr, good.data(), good.size()) ==
              EDGEOPT_ERR_LENGTH_MISMATCH);
        CHECK(edgeopt_checkpoint_read(&live.opt, ts.data(), 3, nullptr, 0, nullptr, nullptr, good.size()) ==
              EDGEOPT_ERR_NULL_POINTER);
        CHECK(edgeopt_checkpoint_read(nullptr, ts.data(), 3, nullptr, 0, nullptr, good.data(), good.size()) ==
              EDGEOPT_ERR_NULL_POINTER);
        edgeopt_optimizer blank;
        std::memset(&blank, 0, sizeof blank);
        CHECK(edgeopt_checkpoint_read(&blank, nullptr, 0, nullptr, 0, nullptr, good.data(), good.size()) ==
              EDGEOPT_ERR_NOT_INITIALIZED);
        // The image inside the arena, or the blob inside the parameters.
        CHECK(edgeopt_checkpoint_read(&live.opt, nullptr, 0, nullptr, 0, nullptr, live.arena.data(), good.size()) ==
              EDGEOPT_ERR_OVERLAP);
        CHECK(edgeopt_checkpoint_read(&live.opt, ts.data(), 3, live.params[0].data(), 8, nullptr, good.data(),
                                      good.size()) == EDGEOPT_ERR_OVERLAP);
        CHECK(guard.holds());
    }
}

TEST_CASE("checkpoint: every single-bit flip is caught") {
    rig r(edgeopt_defaults(EDGEOPT_NADAM), small_lengths);
    r.steps(2);
    const bytes good = write_image(r, true, blob_for(2, 5));
    fresh live(edgeopt_defaults(EDGEOPT_NADAM));
    const untouched guard(live);
    int corrupt = 0, truncated = 0;
    for (std::size_t at = 0; at < good.size(); ++at) {
        for (int bit = 0; bit < 8; ++bit) {
            bytes image = good;
            image[at] ^= static_cast<unsigned char>(1u << bit);
            const edgeopt_status s = read_image(live, image);
            // Flips that grow the header or payload size push the CRC past the end.
            const bool size_field = at >= 6 && at < 12;
            CAPTURE(at);
            CAPTURE(bit);
            CHECK((s == EDGEOPT_ERR_CHECKPOINT_CORRUPT || (size_field && s == EDGEOPT_ERR_CHECKPOINT_TRUNCATED)));
            corrupt += s == EDGEOPT_ERR_CHECKPOINT_CORRUPT;
            truncated += s == EDGEOPT_ERR_CHECKPOINT_TRUNCATED;
        }
    }
    CHECK(guard.holds());
    MESSAGE("bit flips over " << good.size() << " bytes: " << corrupt << " CORRUPT, " << truncated
                              << " TRUNCATED (size fields), 0 accepted");
}

// Issue 14: a dtype nibble past the last edgeopt_dtype was turned into an
// edgeopt_dtype (undefined behaviour) before the CRC was checked.
TEST_CASE("checkpoint: a layout word with an unlisted dtype is corrupt, before any CRC") {
    unsigned char image[36] = {};
    put32(image, EDGEOPT_CHECKPOINT_MAGIC);
    image[4] = 2;   // version
    image[6] = 32;  // header bytes; payload 0
    put32(image + 20, 0x0000FD03u);  // slots 0 and 1 used, dtypes 13 and 15
    edgeopt_checkpoint_info info;
    CHECK(edgeopt_checkpoint_image_info(image, sizeof image, &info) == EDGEOPT_ERR_CHECKPOINT_CORRUPT);
    reseal(image);  // with a valid CRC too
    CHECK(edgeopt_checkpoint_image_info(image, sizeof image, &info) == EDGEOPT_ERR_CHECKPOINT_CORRUPT);
    for (std::uint32_t nibble = 4; nibble < 16; ++nibble) {
        put32(image + 20, 0x1u | nibble << 8);
        reseal(image);
        CAPTURE(nibble);
        CHECK(edgeopt_checkpoint_image_info(image, sizeof image, &info) == EDGEOPT_ERR_CHECKPOINT_CORRUPT);
        rig r(edgeopt_defaults(EDGEOPT_ADAGRAD), {4});
        const untouched guard(r);
        const bytes copy(image, image + sizeof image);
        CHECK(read_image(r, copy, nullptr, false) == EDGEOPT_ERR_CHECKPOINT_CORRUPT);
        CHECK(guard.holds());
    }
}

TEST_CASE("checkpoint: write() refuses a short buffer without writing") {
    rig r(edgeopt_defaults(EDGEOPT_RMSPROP), small_lengths);
    const std::size_t size = edgeopt_checkpoint_bytes(&r.opt, 4);
    bytes image(size - 1, 0xEE);
    std::size_t written = 99;
    const bytes blob(4, 1);
    CHECK(edgeopt_checkpoint_write(&r.opt, nullptr, 0, blob.data(), 4, image.data(), image.size(), &written) ==
          EDGEOPT_ERR_BUFFER_TOO_SMALL);
    CHECK(written == 99);
    CHECK(std::all_of(image.begin(), image.end(), [](unsigned char b) { return b == 0xEE; }));
    CHECK(edgeopt_checkpoint_write(&r.opt, nullptr, 0, nullptr, 4, image.data(), image.size(), &written) ==
          EDGEOPT_ERR_NULL_POINTER);
    CHECK(edgeopt_checkpoint_write(&r.opt, nullptr, 0, nullptr, 0, r.arena.data() + 8, r.arena.size() - 8,
                                   &written) == EDGEOPT_ERR_OVERLAP);
}

