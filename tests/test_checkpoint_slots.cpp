// SPDX-License-Identifier: Apache-2.0
// Checkpoints in two A/B slots: alternation, sequence wrap-around, every
// rejection of load() and save(), and read callbacks that fail or change
// their answer between the check and the copy.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "checkpoint_support.hpp"

using namespace ckpt;

// ---- Two slots ----------------------------------------------------------------------------


TEST_CASE("checkpoint: save alternates slots, load takes the newest") {
    rig r(edgeopt_defaults(EDGEOPT_ADAM), small_lengths);
    flash f(region_for(r, 16));
    fresh empty(edgeopt_defaults(EDGEOPT_ADAM));
    const untouched guard(empty);
    CHECK(load(empty, f) == EDGEOPT_ERR_CHECKPOINT_EMPTY);
    flash zeros(f.memory.size(), 0x00);
    CHECK(load(empty, zeros) == EDGEOPT_ERR_CHECKPOINT_EMPTY);
    CHECK(guard.holds());

    std::vector<snapshot> saved;
    for (int k = 0; k < 5; ++k) {
        r.steps(1);
        const bytes blob = blob_for(k, 4 + 3 * static_cast<std::size_t>(k));
        REQUIRE(save(r, f, blob) == EDGEOPT_OK);
        saved.push_back(take(r, blob));
        edgeopt_checkpoint_info info;
        const edgeopt_checkpoint_storage s = f.storage();
        REQUIRE(edgeopt_checkpoint_newest(&s, &info) == EDGEOPT_OK);
        CHECK(info.sequence == static_cast<std::uint32_t>(k + 1));
        CHECK(info.slot == static_cast<unsigned>(k % 2));
        CHECK(info.step == static_cast<std::uint64_t>(k + 1));
        fresh back(edgeopt_defaults(EDGEOPT_ADAM));
        bytes blob_back;
        REQUIRE(load(back, f, &blob_back) == EDGEOPT_OK);
        CHECK(take(back, blob_back) == saved.back());
    }
    CHECK_FALSE(f.misaligned);
    CHECK_FALSE(f.out_of_range);
}

TEST_CASE("checkpoint: sequence numbers wrap around") {
    rig r(edgeopt_defaults(EDGEOPT_LION), small_lengths);
    flash f(region_for(r, 0));
    REQUIRE(save(r, f, {}) == EDGEOPT_OK);  // slot A, sequence 1
    // Pretend A holds sequence 0xFFFFFFFF: the next save (B) gets 0 and is newer.
    put32(f.memory.data() + 12, 0xFFFFFFFFu);
    reseal_slot(f, 0);
    put32(f.memory.data() + view(f, 0).record + 4, 0xFFFFFFFFu);
    r.steps(1);
    REQUIRE(save(r, f, {}) == EDGEOPT_OK);
    edgeopt_checkpoint_info info;
    const edgeopt_checkpoint_storage s = f.storage();
    REQUIRE(edgeopt_checkpoint_newest(&s, &info) == EDGEOPT_OK);
    CHECK(info.slot == 1);
    CHECK(info.sequence == 0);
    CHECK(info.step == 1);
}

TEST_CASE("checkpoint: load() rejections over two slots") {
    const edgeopt_config adam = edgeopt_defaults(EDGEOPT_ADAM);
    rig r(adam, small_lengths);
    flash f(region_for(r, 8));
    r.steps(1);
    REQUIRE(save(r, f, blob_for(1, 8)) == EDGEOPT_OK);  // A: older
    const snapshot older = take(r, blob_for(1, 8));
    r.steps(1);
    REQUIRE(save(r, f, blob_for(2, 8)) == EDGEOPT_OK);  // B: newest
    fresh live(adam);
    live.steps(1);
    const untouched guard(live);

    SUBCASE("a damaged newest image: the older one loads") {
        for (std::size_t at = 0; at < view(f, 1).image; at += 7) {
            flash g = f;
            g.memory[view(g, 1).base + at] ^= 0x04;
            fresh back(adam);
            bytes blob;
            CAPTURE(at);
            REQUIRE(load(back, g, &blob) == EDGEOPT_OK);
            CHECK(take(back, blob) == older);
        }
    }
    SUBCASE("both damaged: corrupt") {
        f.memory[view(f, 0).base + 100] ^= 1;
        f.memory[view(f, 1).base + 100] ^= 1;
        CHECK(load(live, f) == EDGEOPT_ERR_CHECKPOINT_CORRUPT);
        CHECK(guard.holds());
    }
    SUBCASE("newest of a newer version: no fallback") {
        f.memory[view(f, 1).base + 4] = EDGEOPT_CHECKPOINT_FORMAT_VERSION + 1;
        reseal_slot(f, 1);
        CHECK(load(live, f) == EDGEOPT_ERR_CHECKPOINT_VERSION);
        edgeopt_checkpoint_info info;
        const edgeopt_checkpoint_storage s = f.storage();
        CHECK(edgeopt_checkpoint_newest(&s, &info) == EDGEOPT_ERR_CHECKPOINT_VERSION);
        CHECK(guard.holds());
    }
    SUBCASE("newest for another optimizer: no fallback") {
        rig other(edgeopt_defaults(EDGEOPT_ADAMAX), small_lengths);
        REQUIRE(save(other, f, {}) == EDGEOPT_OK);  // into A, sequence 3
        CHECK(load(live, f) == EDGEOPT_ERR_CHECKPOINT_MISMATCH);
        CHECK(guard.holds());
        rig lengths(adam, {3, 0, 4});
        REQUIRE(save(lengths, f, {}) == EDGEOPT_OK);
        CHECK(load(live, f) == EDGEOPT_ERR_CHECKPOINT_MISMATCH);
        CHECK(guard.holds());
    }
    SUBCASE("blob buffer too small") {
        rig big(adam, small_lengths);
        flash g(region_for(big, 400));
        REQUIRE(save(big, g, bytes(300, 3)) == EDGEOPT_OK);
        CHECK(load(live, g) == EDGEOPT_ERR_BUFFER_TOO_SMALL);
        CHECK(guard.holds());
    }
    SUBCASE("a failing read: truncated, nothing restored, no fallback") {
        f.mapped = false;
        for (long n = 0; n < 4; ++n) {
            f.reads = 0;
            f.fail_read = n;
            CHECK(load(live, f) == EDGEOPT_ERR_CHECKPOINT_TRUNCATED);
            CHECK(guard.holds());
        }
    }
    SUBCASE("argument errors") {
        edgeopt_checkpoint_storage s = f.storage();
        const std::vector<edgeopt_tensor> ts = live.tensors();
        CHECK(edgeopt_checkpoint_load(&live.opt, ts.data(), 3, nullptr, 0, nullptr, nullptr) == EDGEOPT_ERR_NULL_POINTER);
        s.memory = nullptr;
        s.read = nullptr;
        CHECK(edgeopt_checkpoint_load(&live.opt, ts.data(), 3, nullptr, 0, nullptr, &s) == EDGEOPT_ERR_NULL_POINTER);
        s = f.storage();
        s.memory = live.arena.data();
        s.size = live.arena.size();
        CHECK(edgeopt_checkpoint_load(&live.opt, ts.data(), 3, nullptr, 0, nullptr, &s) == EDGEOPT_ERR_OVERLAP);
        CHECK(guard.holds());
    }
}

TEST_CASE("checkpoint: save() rejections write nothing") {
    rig r(edgeopt_defaults(EDGEOPT_RMSPROP), small_lengths);
    const std::size_t image = edgeopt_checkpoint_bytes_with_params(&r.opt, 8);
    flash f(edgeopt_checkpoint_region_bytes(image) - 2 * EDGEOPT_CHECKPOINT_ALIGN, 0xFF);
    const bytes before = f.memory;
    CHECK(save(r, f, bytes(8)) == EDGEOPT_ERR_BUFFER_TOO_SMALL);
    CHECK(f.memory == before);
    CHECK(f.spent == 0);

    flash g(edgeopt_checkpoint_region_bytes(image));
    edgeopt_checkpoint_storage s = g.storage();
    s.write = nullptr;
    CHECK(edgeopt_checkpoint_save(&r.opt, nullptr, 0, nullptr, 0, &s) == EDGEOPT_ERR_NULL_POINTER);
    CHECK(edgeopt_checkpoint_save(&r.opt, nullptr, 0, nullptr, 0, nullptr) == EDGEOPT_ERR_NULL_POINTER);
    // A failing read while looking for the newest image: nothing written.
    g.mapped = false;
    g.fail_read = 0;
    CHECK(save(r, g, bytes(8)) == EDGEOPT_ERR_CHECKPOINT_TRUNCATED);
    CHECK(g.spent == 0);
    // Storage that drops writes silently: the read-back notices.
    flash h(edgeopt_checkpoint_region_bytes(image));
    h.budget = 100;
    h.report_failure = false;
    CHECK(save(r, h, bytes(8)) == EDGEOPT_ERR_CHECKPOINT_CORRUPT);
}


// ---- Reads that fail or change between the check and the copy ---------------------------

TEST_CASE("checkpoint: a read callback failing or garbling any read") {
    const edgeopt_config config = edgeopt_defaults(EDGEOPT_RADAM);
    rig r(config, small_lengths);
    flash f(region_for(r, 8));
    f.mapped = false;
    r.steps(1);
    REQUIRE(save(r, f, blob_for(1, 8)) == EDGEOPT_OK);
    const snapshot older = take(r, blob_for(1, 8));
    r.steps(1);
    REQUIRE(save(r, f, blob_for(2, 8)) == EDGEOPT_OK);
    const snapshot newest = take(r, blob_for(2, 8));

    f.reads = 0;
    {
        fresh back(config);
        REQUIRE(load(back, f) == EDGEOPT_OK);
    }
    const long reads = f.reads;
    long ok_newest = 0, ok_older = 0, untouched_errors = 0, resets = 0;
    for (int garble = 0; garble < 2; ++garble) {
        for (long n = 0; n < reads; ++n) {
            CAPTURE(garble);
            CAPTURE(n);
            flash g = f;
            g.reads = 0;
            (garble ? g.garble_read : g.fail_read) = n;
            fresh back(config);
            back.steps(1);
            const untouched guard(back);
            bytes blob;
            const edgeopt_status s = load(back, g, &blob);
            if (s == EDGEOPT_OK) {
                const snapshot got = take(back, blob);
                CHECK((got == newest || got == older));
                ++(got == newest ? ok_newest : ok_older);
            } else if (guard.holds()) {
                CHECK((s == EDGEOPT_ERR_CHECKPOINT_TRUNCATED || s == EDGEOPT_ERR_CHECKPOINT_CORRUPT));
                ++untouched_errors;
            } else {
                // The documented exception: the copy pass saw other bytes than the check.
                CHECK(s == EDGEOPT_ERR_CHECKPOINT_CORRUPT);
                CHECK(edgeopt_step_count(&back.opt) == 0);
                ++resets;
            }
        }
    }
    MESSAGE(reads << " read calls per load; failing/garbling each: " << ok_newest << " newest, " << ok_older
                  << " older (garbled scan = damaged newest), " << untouched_errors << " errors with nothing touched, "
                  << resets << " copy-pass resets");
}

