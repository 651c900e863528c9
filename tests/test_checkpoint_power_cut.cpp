// SPDX-License-Identifier: Apache-2.0
// A power cut after every byte of a save, over regions the application left
// alone or damaged (deleted, bit-flipped, half-erased images): load() then
// gives the new image or exactly what it gave before, never an older one.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "checkpoint_support.hpp"

using namespace ckpt;

// ---- Power cuts ------------------------------------------------------------------------

namespace {

struct cut_tally {
    long cuts = 0, previous = 0, next = 0, empty = 0;
};

// Saves `saver` (with `blob`) over `region` with the power cut after every
// possible byte of erase and write.  After each cut a fresh optimizer loads
// the region: unless the commit record is complete (then exactly the new
// image) it must get `previous`, or -- with previous null -- what it loaded
// before the save: the same image, the same EMPTY, or for a region whose
// only committed images the application damaged (CORRUPT before) CORRUPT or
// EMPTY, with nothing restored.  Never another, older image.
void cut_everywhere(rig& saver, const bytes& blob, const flash& region, const snapshot* previous, cut_tally& tally) {
    const snapshot next = take(saver, blob);
    snapshot before_image;
    edgeopt_status before = EDGEOPT_OK;
    {
        flash probe = region;
        fresh back(saver.config, saver.lengths);
        bytes blob_back;
        before = load(back, probe, &blob_back);
        if (before == EDGEOPT_OK) before_image = take(back, blob_back);
        if (previous) REQUIRE((before == EDGEOPT_OK && before_image == *previous));
        if (!previous && before == EDGEOPT_OK) previous = &before_image;
    }
    flash whole = region;
    whole.spent = 0;
    REQUIRE(save(saver, whole, blob) == EDGEOPT_OK);
    const long total = whole.spent, record_start = whole.record_units;
    REQUIRE(record_start > 0);
    const std::size_t record_at = whole.record_offset;

    for (long k = 0; k <= total; ++k) {
        CAPTURE(k);
        flash cut = region;
        cut.budget = k;
        cut.spent = 0;
        const edgeopt_status saved = save(saver, cut, blob);
        if (cut.report_failure) CHECK((saved == EDGEOPT_OK) == (k == total));
        cut.budget = -1;  // reboot

        fresh back(saver.config, saver.lengths);
        const untouched guard(back);
        bytes blob_back;
        const edgeopt_status loaded = load(back, cut, &blob_back);
        // (Before the record's write began, equal bytes there are an old record: not this save's.)
        const bool committed = k > record_start && std::equal(cut.memory.begin() + static_cast<long>(record_at),
                                          cut.memory.begin() + static_cast<long>(record_at + 32),
                                          whole.memory.begin() + static_cast<long>(record_at));
        ++tally.cuts;
        if (committed) {
            REQUIRE(loaded == EDGEOPT_OK);
            CHECK(take(back, blob_back) == next);
            ++tally.next;
        } else if (previous) {
            REQUIRE(loaded == EDGEOPT_OK);
            CHECK(take(back, blob_back) == *previous);
            ++tally.previous;
        } else {
            if (before == EDGEOPT_ERR_CHECKPOINT_EMPTY) CHECK(loaded == EDGEOPT_ERR_CHECKPOINT_EMPTY);
            else CHECK((loaded == EDGEOPT_ERR_CHECKPOINT_CORRUPT || loaded == EDGEOPT_ERR_CHECKPOINT_EMPTY));
            CHECK(guard.holds());
            ++tally.empty;
        }
        if (k < record_start) CHECK_FALSE(committed);
        if (k == record_start + 8) CHECK_FALSE(committed);  // the middle of the record: sequence in, CRC not
        if (k == total) CHECK(committed);
        if (!cut.report_failure) CHECK((saved == EDGEOPT_OK) == committed);
        CHECK_FALSE(cut.misaligned);
        CHECK_FALSE(cut.out_of_range);
    }
}

}  // namespace

TEST_CASE("checkpoint: a power cut after any byte of a save never loses the last good state") {
    cut_tally erased, overwritten;
    for (const test::named_config& nc : test::option_matrix()) {
        for (int mode = 0; mode < 2; ++mode) {
            // mode 0: flash-like (erase first, a cut write reports failure);
            // mode 1: RAM-like (no erase, old bytes stay under new ones; a cut write just stops).
            CAPTURE(nc.name);
            CAPTURE(mode);
            rig saver(nc.config, small_lengths);
            flash region(region_for(saver, 40));
            region.with_erase = mode == 0;
            region.report_failure = mode == 0;
            cut_tally& tally = mode == 0 ? erased : overwritten;

            // Blob sizes change, so records move (saves 1 and 3 over A); save 4
            // has save 2's size, so its record lands on B's old one.
            const std::size_t blob_sizes[4] = {7, 13, 40, 13};
            const snapshot* previous = nullptr;
            snapshot last;
            for (int save_index = 0; save_index < 4; ++save_index) {
                CAPTURE(save_index);
                saver.steps(2);
                REQUIRE(edgeopt_set_lr(&saver.opt, 0.01 * (save_index + 1)) == EDGEOPT_OK);
                const bytes blob = blob_for(static_cast<std::uint64_t>(save_index), blob_sizes[save_index]);
                cut_everywhere(saver, blob, region, previous, tally);
                region.spent = 0;
                REQUIRE(save(saver, region, blob) == EDGEOPT_OK);
                last = take(saver, blob);
                previous = &last;
            }
        }
    }
    MESSAGE("erase + failing writes: " << erased.cuts << " cuts -> " << erased.previous << " previous, " << erased.next
                                       << " new, " << erased.empty << " empty (first save), 0 errors or mixed");
    MESSAGE("no erase + silent cuts: " << overwritten.cuts << " cuts -> " << overwritten.previous << " previous, "
                                       << overwritten.next << " new, " << overwritten.empty
                                       << " empty (first save), 0 errors or mixed");
}

// Issue 14, as reported: storage without erase (RAM/FRAM); save at step 3
// into A; the application clears A's magic, so nothing is committed; one
// step; a save whose writes fail after 4 bytes rewrote A's magic, and the
// step-3 image came back -- neither the state before the save nor the new one.
TEST_CASE("checkpoint: a cut save over a slot the application cleared does not bring its old image back") {
    rig r(edgeopt_defaults(EDGEOPT_ADAM), small_lengths);
    flash f(region_for(r, 0));
    f.with_erase = false;
    r.steps(3);
    REQUIRE(save(r, f, {}) == EDGEOPT_OK);
    std::memset(f.memory.data(), 0, 4);  // slot A's magic
    edgeopt_checkpoint_info info;
    const edgeopt_checkpoint_storage s = f.storage();
    REQUIRE(edgeopt_checkpoint_newest(&s, &info) == EDGEOPT_ERR_CHECKPOINT_EMPTY);
    r.steps(1);
    f.budget = 4;
    CHECK(save(r, f, {}) == EDGEOPT_ERR_CHECKPOINT_TRUNCATED);
    f.budget = -1;
    CHECK(edgeopt_checkpoint_newest(&s, &info) == EDGEOPT_ERR_CHECKPOINT_EMPTY);
    fresh back(edgeopt_defaults(EDGEOPT_ADAM));
    const untouched guard(back);
    CHECK(load(back, f) == EDGEOPT_ERR_CHECKPOINT_EMPTY);
    CHECK(guard.holds());
}

namespace {

// What an application may do to a region between saves.
enum class damage { none, deleted, flipped, half_erased };

void apply(damage d, flash& f, unsigned slot) {
    const slot_view v = view(f, slot);
    switch (d) {
        case damage::none: break;
        case damage::deleted: std::memset(f.memory.data() + v.base, 0, 4); break;  // the magic
        case damage::flipped: f.memory[v.base + v.image / 2] ^= 0x20; break;
        case damage::half_erased:  // an erase of the image's second half that was cut short
            std::fill(f.memory.begin() + static_cast<long>(v.base + v.image / 2),
                      f.memory.begin() + static_cast<long>(v.base + v.image), 0xFF);
            break;
    }
}

}  // namespace

TEST_CASE("checkpoint: a power cut after any byte of a save over images the application damaged") {
    cut_tally tally;
    const damage kinds[] = {damage::deleted, damage::flipped, damage::half_erased};
    const edgeopt_config configs[] = {edgeopt_defaults(EDGEOPT_ADAM), edgeopt_defaults(EDGEOPT_LION)};
    for (const edgeopt_config& config : configs) {
        for (int mode = 0; mode < 2; ++mode) {
            for (int saves_before = 1; saves_before <= 2; ++saves_before) {
                for (unsigned damaged = 0; damaged < static_cast<unsigned>(saves_before); ++damaged) {
                    for (damage kind : kinds) {
                        CAPTURE(mode);
                        CAPTURE(saves_before);
                        CAPTURE(damaged);
                        CAPTURE(static_cast<int>(kind));
                        rig saver(config, small_lengths);
                        flash region(region_for(saver, 16));
                        region.with_erase = mode == 0;
                        region.report_failure = mode == 0;
                        for (int k = 0; k < saves_before; ++k) {
                            saver.steps(1);
                            REQUIRE(save(saver, region, blob_for(static_cast<std::uint64_t>(k), 8)) == EDGEOPT_OK);
                        }
                        apply(kind, region, damaged);
                        // The same state saved again (its image equals the damaged one but
                        // for the sequence), and after a step.
                        cut_everywhere(saver, blob_for(1, 8), region, nullptr, tally);
                        saver.steps(1);
                        cut_everywhere(saver, blob_for(2, 16), region, nullptr, tally);
                    }
                }
            }
        }
    }
    MESSAGE("damaged regions: " << tally.cuts << " cuts -> " << tally.previous << " previous, " << tally.next
                                << " new, " << tally.empty << " nothing loadable (as before the save)");
}

TEST_CASE("checkpoint: a cut in the middle of the commit record keeps the previous image") {
    rig r(edgeopt_defaults(EDGEOPT_ADAM), small_lengths);
    flash f(region_for(r, 0));
    r.steps(1);
    REQUIRE(save(r, f, {}) == EDGEOPT_OK);
    const snapshot first = take(r);
    r.steps(1);
    for (long into_record : {1L, 4L, 8L, 12L, 16L, 31L}) {
        flash whole = f;
        whole.spent = 0;
        REQUIRE(save(r, whole, {}) == EDGEOPT_OK);
        flash cut = f;
        cut.spent = 0;
        cut.budget = whole.record_units + into_record;
        CHECK(save(r, cut, {}) == EDGEOPT_ERR_CHECKPOINT_TRUNCATED);
        fresh back(edgeopt_defaults(EDGEOPT_ADAM));
        CAPTURE(into_record);
        REQUIRE(load(back, cut) == EDGEOPT_OK);
        CHECK(take(back) == first);
    }
}

