// SPDX-License-Identifier: Apache-2.0
// A step in pieces (edgeopt_step_begin/run/end, split, parallel, chunks):
// for every optimizer option set x dtype combination x kernel, random
// partitions run in shuffled or reversed order give edgeopt_step's bytes;
// every misuse is refused by name and changes nothing; partial updates leave
// everything outside their ranges untouched.
#include <doctest/doctest.h>

#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "edgeopt/checkpoint.h"
#include "edgeopt/edgeopt.hpp"
#include "ranges_support.hpp"

namespace {

using test::model;

// Tensors crossing q8 blocks, empty ones, a single element, an exact block.
const std::vector<std::size_t> lengths = {67, 0, 130, 1, 64, 200};

// ctest runs the suite once per kernel with EDGEOPT_ISA set: then only that
// one; alone, every kernel this machine has.
std::vector<edgeopt_isa> kernels_to_test() {
    const char* forced = std::getenv("EDGEOPT_ISA");
    if (forced && *forced) return {EDGEOPT_ISA_AUTO};
    return test::available_isas();
}

// Runs tasks in reverse order: the split must not depend on the order.
void reversed_for(void*, std::size_t tasks, edgeopt_task_fn task, void* task_context) {
    for (std::size_t i = tasks; i-- > 0;) task(task_context, i);
}

enum class way { ranges, split, parallel, chunks };

// One step of `m` cut the given way; CHECKs every call.
void step_in_pieces(model& m, way how, std::mt19937& rng) {
    switch (how) {
        case way::ranges: {
            edgeopt_step_plan plan;
            REQUIRE(edgeopt_step_begin(m.opt(), m.tensors(), m.count(), &plan) == EDGEOPT_OK);
            for (auto range : test::random_partition(m, rng, 8))
                REQUIRE(edgeopt_step_run(m.opt(), &plan, range.first, range.second) == EDGEOPT_OK);
            REQUIRE(edgeopt_step_end(m.opt(), &plan) == EDGEOPT_OK);
            break;
        }
        case way::split: {
            edgeopt_step_plan plan;
            REQUIRE(edgeopt_step_begin(m.opt(), m.tensors(), m.count(), &plan) == EDGEOPT_OK);
            const std::size_t tasks = 1 + rng() % 8;
            std::vector<std::size_t> order(tasks);
            for (std::size_t i = 0; i < tasks; ++i) order[i] = i;
            std::shuffle(order.begin(), order.end(), rng);
            for (std::size_t i : order) {
                std::size_t begin = 0, end = 0;
                REQUIRE(edgeopt_step_split(&plan, tasks, i, &begin, &end) == EDGEOPT_OK);
                REQUIRE(edgeopt_step_run(m.opt(), &plan, begin, end) == EDGEOPT_OK);
            }
            REQUIRE(edgeopt_step_end(m.opt(), &plan) == EDGEOPT_OK);
            break;
        }
        case way::parallel: {
            const edgeopt_parallel_for pf{reversed_for, nullptr, 1 + rng() % 8};
            REQUIRE(edgeopt_step_parallel(m.opt(), m.tensors(), m.count(), &pf) == EDGEOPT_OK);
            break;
        }
        case way::chunks: {
            edgeopt_step_chunks chunks;
            REQUIRE(edgeopt_step_chunks_begin(m.opt(), m.tensors(), m.count(), &chunks) == EDGEOPT_OK);
            const std::size_t max = (m.q8() ? 64 : 1) + rng() % 150;
            bool done = false;
            std::size_t calls = 0;
            while (!done) {
                const std::size_t before = chunks.next;
                REQUIRE(edgeopt_step_chunk(m.opt(), &chunks, max, &done) == EDGEOPT_OK);
                REQUIRE(chunks.next - before <= max);
                REQUIRE(++calls <= m.total() + 1);
            }
            REQUIRE(chunks.next == m.total());
            break;
        }
    }
}

}  // namespace

TEST_CASE("any partition of a step, in any order, gives edgeopt_step's bytes") {
    const auto configs = test::option_matrix();
    std::mt19937 rng(2024);
    std::size_t compared = 0;
    for (edgeopt_isa isa : kernels_to_test()) {
        for (const auto& c : configs) {
            for (const auto& combo : test::dtype_combos()) {
                CAPTURE(c.name);
                CAPTURE(std::string(combo.name));
                CAPTURE(std::string(isa == EDGEOPT_ISA_AUTO ? "forced" : edgeopt_isa_name(isa)));
                model whole(c.config, combo, lengths), pieces(c.config, combo, lengths);
                REQUIRE(whole.status() == EDGEOPT_OK);
                REQUIRE(pieces.status() == EDGEOPT_OK);
                if (isa != EDGEOPT_ISA_AUTO) {
                    REQUIRE(edgeopt_set_isa(whole.opt(), isa) == EDGEOPT_OK);
                    REQUIRE(edgeopt_set_isa(pieces.opt(), isa) == EDGEOPT_OK);
                }
                for (std::uint32_t step = 0; step < 4; ++step) {
                    whole.set_grads(step);
                    pieces.set_grads(step);
                    REQUIRE(edgeopt_step(whole.opt(), whole.tensors(), whole.count()) == EDGEOPT_OK);
                    step_in_pieces(pieces, static_cast<way>(step), rng);
                    REQUIRE(whole.snapshot() == pieces.snapshot());
                    ++compared;
                }
            }
        }
    }
    MESSAGE(compared << " steps compared");
}

TEST_CASE("the split is ordered, covers the space, cuts only at block boundaries and is balanced") {
    for (const auto& combo : test::dtype_combos()) {
        model m(edgeopt_defaults(EDGEOPT_ADAM), combo, lengths);
        REQUIRE(m.status() == EDGEOPT_OK);
        edgeopt_step_plan plan;
        REQUIRE(edgeopt_step_begin(m.opt(), m.tensors(), m.count(), &plan) == EDGEOPT_OK);
        REQUIRE(plan.total == m.total());
        const std::vector<std::size_t> cuts = m.cut_points();
        for (std::size_t tasks = 1; tasks <= 9; ++tasks) {
            std::size_t expected_begin = 0;
            for (std::size_t i = 0; i < tasks; ++i) {
                std::size_t begin = 0, end = 0;
                REQUIRE(edgeopt_step_split(&plan, tasks, i, &begin, &end) == EDGEOPT_OK);
                CHECK(begin == expected_begin);
                CHECK(begin <= end);
                expected_begin = end;
                // Every cut is a tensor end or a block boundary, q8 or not (cache lines).
                bool aligned = false;
                std::size_t start = 0;
                for (std::size_t length : lengths) {
                    if (end >= start && end <= start + length)
                        aligned = aligned || (end - start) % EDGEOPT_Q8_BLOCK == 0 || end == start + length;
                    start += length;
                }
                CHECK(aligned);
                const double ideal = double(m.total()) * double(i + 1) / double(tasks);
                CHECK(std::abs(double(end) - ideal) < EDGEOPT_Q8_BLOCK);
            }
            CHECK(expected_begin == m.total());
        }
    }
}

namespace {

// Calls `misuse`, which must return `expected`, and checks that nothing changed.
template <class Misuse>
void refused(model& m, const edgeopt_step_plan& plan, edgeopt_status expected, Misuse&& misuse) {
    const model::bytes before = m.snapshot();
    edgeopt_optimizer opt_before;
    std::memcpy(&opt_before, m.opt(), sizeof opt_before);
    edgeopt_step_plan plan_before;
    std::memcpy(&plan_before, &plan, sizeof plan);
    CHECK(misuse() == expected);
    CHECK(m.snapshot() == before);
    CHECK(std::memcmp(&opt_before, m.opt(), sizeof opt_before) == 0);
    CHECK(std::memcmp(&plan_before, &plan, sizeof plan) == 0);
}

}  // namespace

TEST_CASE("every misuse of a step in pieces is refused by name and changes nothing") {
    const auto combos = test::dtype_combos();
    for (const auto& combo : {combos[0], combos[7]}) {  // f32; q8 state
        CAPTURE(std::string(combo.name));
        edgeopt_config config = edgeopt_defaults(EDGEOPT_NADAM);
        model m(config, combo, lengths), other(config, combo, lengths), whole(config, combo, lengths);
        REQUIRE(m.status() == EDGEOPT_OK);
        m.set_grads(1);
        whole.set_grads(1);
        edgeopt_step_plan plan;
        std::memset(&plan, 0, sizeof plan);
        const std::size_t total = m.total();

        refused(m, plan, EDGEOPT_ERR_STEP_NOT_BEGUN, [&] { return edgeopt_step_run(m.opt(), &plan, 0, total); });
        refused(m, plan, EDGEOPT_ERR_STEP_NOT_BEGUN, [&] { return edgeopt_step_end(m.opt(), &plan); });
        refused(m, plan, EDGEOPT_ERR_STEP_NOT_BEGUN, [&] {
            std::size_t b, e;
            return edgeopt_step_split(&plan, 2, 0, &b, &e);
        });
        refused(m, plan, EDGEOPT_ERR_NULL_POINTER, [&] { return edgeopt_step_begin(m.opt(), nullptr, m.count(), &plan); });
        refused(m, plan, EDGEOPT_ERR_TENSOR_COUNT_MISMATCH,
                [&] { return edgeopt_step_begin(m.opt(), m.tensors(), m.count() - 1, &plan); });

        REQUIRE(edgeopt_step_begin(m.opt(), m.tensors(), m.count(), &plan) == EDGEOPT_OK);
        REQUIRE(plan.total == total);
        refused(m, plan, EDGEOPT_ERR_RANGE_OUTSIDE, [&] { return edgeopt_step_run(m.opt(), &plan, 0, total + 1); });
        refused(m, plan, EDGEOPT_ERR_RANGE_OUTSIDE, [&] { return edgeopt_step_run(m.opt(), &plan, 5, 4); });
        refused(m, plan, EDGEOPT_ERR_RANGE_OUTSIDE, [&] { return edgeopt_step_run(m.opt(), &plan, total + 1, total + 1); });
        // Tensor 2 (length 130) starts at 67: 67 + 10 and 67 + 70 are inside its blocks.
        const edgeopt_status split_block = m.q8() ? EDGEOPT_ERR_RANGE_SPLITS_BLOCK : EDGEOPT_OK;
        if (m.q8()) {
            refused(m, plan, split_block, [&] { return edgeopt_step_run(m.opt(), &plan, 67 + 10, 67 + 64); });
            refused(m, plan, split_block, [&] { return edgeopt_step_run(m.opt(), &plan, 67, 67 + 70); });
            refused(m, plan, split_block, [&] { return edgeopt_step_run(m.opt(), &plan, 0, 66); });
        }
        refused(m, plan, EDGEOPT_ERR_PLAN_FOREIGN, [&] { return edgeopt_step_run(other.opt(), &plan, 0, total); });
        refused(m, plan, EDGEOPT_ERR_PLAN_FOREIGN, [&] { return edgeopt_step_end(other.opt(), &plan); });
        refused(m, plan, EDGEOPT_ERR_INVALID_TASKS, [&] {
            std::size_t b, e;
            return edgeopt_step_split(&plan, 0, 0, &b, &e);
        });
        refused(m, plan, EDGEOPT_ERR_RANGE_OUTSIDE, [&] {
            std::size_t b, e;
            return edgeopt_step_split(&plan, 3, 3, &b, &e);
        });
        refused(m, plan, EDGEOPT_ERR_NULL_POINTER, [&] { return edgeopt_step_run(m.opt(), nullptr, 0, total); });

        // Options, kernel or state changed mid-step: the plan is refused until
        // begun again.  set_lr back to the same value still counts as a change.
        const double lr = m.opt()->config.nadam.lr;
        REQUIRE(edgeopt_set_lr(m.opt(), lr) == EDGEOPT_OK);
        refused(m, plan, EDGEOPT_ERR_CHANGED_MID_STEP, [&] { return edgeopt_step_run(m.opt(), &plan, 0, total); });
        refused(m, plan, EDGEOPT_ERR_CHANGED_MID_STEP, [&] { return edgeopt_step_end(m.opt(), &plan); });
        REQUIRE(edgeopt_step_begin(m.opt(), m.tensors(), m.count(), &plan) == EDGEOPT_OK);
        REQUIRE(edgeopt_set_isa(m.opt(), edgeopt_get_isa(m.opt())) == EDGEOPT_OK);
        refused(m, plan, EDGEOPT_ERR_CHANGED_MID_STEP, [&] { return edgeopt_step_run(m.opt(), &plan, 0, total); });

        // Importing state or a step count mid-step (issue 11's calls).
        REQUIRE(edgeopt_step_begin(m.opt(), m.tensors(), m.count(), &plan) == EDGEOPT_OK);
        std::vector<float> slot(lengths[0]);
        REQUIRE(edgeopt_state_read(m.opt(), 0, 0, slot.data()) == EDGEOPT_OK);
        REQUIRE(edgeopt_state_write(m.opt(), 0, 0, slot.data()) == EDGEOPT_OK);
        refused(m, plan, EDGEOPT_ERR_CHANGED_MID_STEP, [&] { return edgeopt_step_run(m.opt(), &plan, 0, total); });
        REQUIRE(edgeopt_step_begin(m.opt(), m.tensors(), m.count(), &plan) == EDGEOPT_OK);
        REQUIRE(edgeopt_set_step_count(m.opt(), 0, 1.0) == EDGEOPT_OK);
        refused(m, plan, EDGEOPT_ERR_CHANGED_MID_STEP, [&] { return edgeopt_step_end(m.opt(), &plan); });

        // A checkpoint read mid-step (the same image: still a change of state).
        REQUIRE(edgeopt_step_begin(m.opt(), m.tensors(), m.count(), &plan) == EDGEOPT_OK);
        std::vector<unsigned char> image(edgeopt_checkpoint_bytes(m.opt(), 0));
        std::size_t image_bytes = 0;
        REQUIRE(edgeopt_checkpoint_write(m.opt(), nullptr, 0, nullptr, 0, image.data(), image.size(), &image_bytes) ==
                EDGEOPT_OK);
        REQUIRE(edgeopt_step_run(m.opt(), &plan, 0, 0) == EDGEOPT_OK);  // the write changed nothing
        REQUIRE(edgeopt_checkpoint_read(m.opt(), nullptr, 0, nullptr, 0, nullptr, image.data(), image_bytes) ==
                EDGEOPT_OK);
        refused(m, plan, EDGEOPT_ERR_CHANGED_MID_STEP, [&] { return edgeopt_step_run(m.opt(), &plan, 0, total); });

        // A plan for an earlier step: begun, then the optimizer stepped on.
        REQUIRE(edgeopt_step_begin(m.opt(), m.tensors(), m.count(), &plan) == EDGEOPT_OK);
        edgeopt_step_plan earlier = plan;
        REQUIRE(edgeopt_step_run(m.opt(), &plan, 0, total) == EDGEOPT_OK);
        REQUIRE(edgeopt_step_end(m.opt(), &plan) == EDGEOPT_OK);
        REQUIRE(edgeopt_step(whole.opt(), whole.tensors(), whole.count()) == EDGEOPT_OK);
        CHECK(whole.snapshot() == m.snapshot());  // the refused calls did not count
        refused(m, plan, EDGEOPT_ERR_STEP_NOT_BEGUN, [&] { return edgeopt_step_run(m.opt(), &plan, 0, total); });
        refused(m, plan, EDGEOPT_ERR_STEP_NOT_BEGUN, [&] { return edgeopt_step_end(m.opt(), &plan); });
        refused(m, earlier, EDGEOPT_ERR_PLAN_STALE, [&] { return edgeopt_step_run(m.opt(), &earlier, 0, total); });
        refused(m, earlier, EDGEOPT_ERR_PLAN_STALE, [&] { return edgeopt_step_end(m.opt(), &earlier); });
        refused(m, earlier, EDGEOPT_ERR_PLAN_STALE, [&] {
            std::size_t b, e;
            return edgeopt_step_split(&earlier, 2, 0, &b, &e);
        });

        // Reset mid-step, and a plain step mid-step.
        REQUIRE(edgeopt_step_begin(m.opt(), m.tensors(), m.count(), &plan) == EDGEOPT_OK);
        REQUIRE(edgeopt_step(m.opt(), m.tensors(), m.count()) == EDGEOPT_OK);
        refused(m, plan, EDGEOPT_ERR_PLAN_STALE, [&] { return edgeopt_step_run(m.opt(), &plan, 0, total); });
        REQUIRE(edgeopt_step_begin(m.opt(), m.tensors(), m.count(), &plan) == EDGEOPT_OK);
        REQUIRE(edgeopt_reset(m.opt()) == EDGEOPT_OK);
        refused(m, plan, EDGEOPT_ERR_PLAN_STALE, [&] { return edgeopt_step_run(m.opt(), &plan, 0, total); });
        REQUIRE(edgeopt_step(m.opt(), m.tensors(), m.count()) == EDGEOPT_OK);  // back at step 1
        refused(m, plan, EDGEOPT_ERR_PLAN_STALE, [&] { return edgeopt_step_run(m.opt(), &plan, 0, total); });
        REQUIRE(edgeopt_reset(m.opt()) == EDGEOPT_OK);
        REQUIRE(edgeopt_step_begin(m.opt(), m.tensors(), m.count(), &plan) == EDGEOPT_OK);
        REQUIRE(edgeopt_reset(m.opt()) == EDGEOPT_OK);  // still step 0: the right step, but the state changed
        refused(m, plan, EDGEOPT_ERR_CHANGED_MID_STEP, [&] { return edgeopt_step_run(m.opt(), &plan, 0, total); });

        // The parallel and chunked forms.
        const edgeopt_parallel_for none{reversed_for, nullptr, 0}, no_run{nullptr, nullptr, 2};
        refused(m, plan, EDGEOPT_ERR_INVALID_TASKS,
                [&] { return edgeopt_step_parallel(m.opt(), m.tensors(), m.count(), &none); });
        refused(m, plan, EDGEOPT_ERR_NULL_POINTER,
                [&] { return edgeopt_step_parallel(m.opt(), m.tensors(), m.count(), &no_run); });
        edgeopt_step_chunks chunks;
        REQUIRE(edgeopt_step_chunks_begin(m.opt(), m.tensors(), m.count(), &chunks) == EDGEOPT_OK);
        bool done = false;
        refused(m, plan, EDGEOPT_ERR_CHUNK_TOO_SMALL, [&] { return edgeopt_step_chunk(m.opt(), &chunks, 0, &done); });
        if (m.q8())
            refused(m, plan, EDGEOPT_ERR_CHUNK_TOO_SMALL, [&] { return edgeopt_step_chunk(m.opt(), &chunks, 63, &done); });
        refused(m, plan, EDGEOPT_ERR_PLAN_FOREIGN, [&] { return edgeopt_step_chunk(other.opt(), &chunks, 64, &done); });
    }
}

TEST_CASE("a partial step updates its ranges as a whole step would and leaves the rest untouched") {
    const auto combos = test::dtype_combos();
    for (const auto& combo : {combos[0], combos[7], combos[9]}) {  // f32; q8; mixed
        for (const auto& c : test::option_matrix()) {
            CAPTURE(std::string(combo.name));
            CAPTURE(c.name);
            model partial(c.config, combo, lengths), whole(c.config, combo, lengths);
            REQUIRE(partial.status() == EDGEOPT_OK);
            partial.set_grads(3);
            whole.set_grads(3);
            // The second half of tensor 0 (from its block boundary), all of tensor 3, part of tensor 5.
            const std::vector<std::pair<std::size_t, std::size_t>> ranges = {{64, 67}, {197, 198}, {262, 262 + 128}};
            const model::bytes before = partial.snapshot();
            edgeopt_step_plan plan;
            REQUIRE(edgeopt_step_begin(partial.opt(), partial.tensors(), partial.count(), &plan) == EDGEOPT_OK);
            for (auto r : ranges) REQUIRE(edgeopt_step_run(partial.opt(), &plan, r.first, r.second) == EDGEOPT_OK);
            REQUIRE(edgeopt_step_end(partial.opt(), &plan) == EDGEOPT_OK);
            REQUIRE(edgeopt_step(whole.opt(), whole.tensors(), whole.count()) == EDGEOPT_OK);
            CHECK(edgeopt_step_count(partial.opt()) == 1);
            // Inside the ranges: the whole step's values; outside: a model that never stepped.
            model fresh(c.config, combo, lengths);
            std::size_t start = 0;
            for (std::size_t t = 0; t < lengths.size(); ++t) {
                const std::size_t n = lengths[t];
                CAPTURE(t);
                std::vector<float> p_partial(n), p_whole(n), p_before(n);
                edgeopt_convert(partial.snapshot().params[t].data(), combo.param, p_partial.data(), EDGEOPT_F32, n);
                edgeopt_convert(whole.snapshot().params[t].data(), combo.param, p_whole.data(), EDGEOPT_F32, n);
                edgeopt_convert(before.params[t].data(), combo.param, p_before.data(), EDGEOPT_F32, n);
                std::vector<std::vector<float>> s_partial(3, std::vector<float>(n)), s_whole = s_partial,
                                                s_fresh = s_partial;
                bool used[3] = {};
                for (unsigned k = 0; k < 3 && n > 0; ++k) {
                    if (edgeopt_state_read(partial.opt(), t, k, s_partial[k].data()) != EDGEOPT_OK) continue;
                    REQUIRE(edgeopt_state_read(whole.opt(), t, k, s_whole[k].data()) == EDGEOPT_OK);
                    REQUIRE(edgeopt_state_read(fresh.opt(), t, k, s_fresh[k].data()) == EDGEOPT_OK);
                    used[k] = true;
                }
                for (std::size_t i = 0; i < n; ++i) {
                    bool inside = false;
                    for (auto r : ranges) inside = inside || (start + i >= r.first && start + i < r.second);
                    CAPTURE(i);
                    CHECK(test::same_bits(p_partial[i], inside ? p_whole[i] : p_before[i]));
                    for (unsigned k = 0; k < 3; ++k)
                        if (used[k]) CHECK(test::same_bits(s_partial[k][i], inside ? s_whole[k][i] : s_fresh[k][i]));
                }
                start += n;
            }
        }
    }
}

TEST_CASE("the C++ layer: step_begin/run/end, step_parallel and chunks on edgeopt::optimizer") {
    const std::vector<std::size_t> sizes = {100, 37};
    std::vector<float> p1(137), p2(137), g(137);
    for (std::size_t i = 0; i < g.size(); ++i) {
        p1[i] = p2[i] = 0.01f * float(i) - 0.5f;
        g[i] = 0.02f * float(i % 13) - 0.1f;
    }
    std::vector<unsigned char> arena1(edgeopt::arena_bytes(2, {100, 37})), arena2(arena1.size());
    edgeopt::optimizer whole, pieces;
    const edgeopt::config config = edgeopt::defaults(EDGEOPT_ADAM);
    REQUIRE(whole.init(config, sizes, arena1.data(), arena1.size()) == EDGEOPT_OK);
    REQUIRE(pieces.init(config, sizes, arena2.data(), arena2.size()) == EDGEOPT_OK);
    const edgeopt::tensor t1[] = {{p1.data(), g.data(), 100}, {p1.data() + 100, g.data() + 100, 37}};
    const edgeopt::tensor t2[] = {{p2.data(), g.data(), 100}, {p2.data() + 100, g.data() + 100, 37}};
    for (int s = 0; s < 3; ++s) REQUIRE(whole.step(t1) == EDGEOPT_OK);
    edgeopt::step_plan plan;
    REQUIRE(pieces.step_begin(t2, plan) == EDGEOPT_OK);
    REQUIRE(pieces.step_run(plan, 90, 137) == EDGEOPT_OK);
    REQUIRE(pieces.step_run(plan, 0, 90) == EDGEOPT_OK);
    REQUIRE(pieces.step_end(plan) == EDGEOPT_OK);
    const edgeopt::parallel_for pf{reversed_for, nullptr, 3};
    REQUIRE(pieces.step_parallel(t2, pf) == EDGEOPT_OK);
    edgeopt::step_chunks chunks;
    REQUIRE(pieces.step_chunks_begin(t2, chunks) == EDGEOPT_OK);
    bool done = false;
    while (!done) REQUIRE(pieces.step_chunk(chunks, 50, done) == EDGEOPT_OK);
    CHECK(pieces.step_count() == 3);
    CHECK(std::memcmp(p1.data(), p2.data(), p1.size() * sizeof(float)) == 0);
    CHECK(std::memcmp(whole.state(0, 0), pieces.state(0, 0), 100 * sizeof(float)) == 0);
    CHECK(std::memcmp(whole.state(1, 1), pieces.state(1, 1), 37 * sizeof(float)) == 0);
}
