// SPDX-License-Identifier: Apache-2.0
// Threads: edgeopt_step_parallel on the bundled pool, and edgeopt_step_run
// from the caller's own threads, give edgeopt_step's bytes; the pool runs
// every task exactly once and is reused.  tools/test.sh runs this binary
// under ThreadSanitizer too (the host-tsan preset).
#include <doctest/doctest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "edgeopt/pool.h"
#include "ranges_support.hpp"

namespace {

using test::model;

// Big enough that every thread gets work; crossing tensors and q8 blocks.
const std::vector<std::size_t> lengths = {5000, 3, 20000, 64, 777};

struct counter_context {
    std::vector<std::atomic<int>>* calls;
};

void count_call(void* context, std::size_t index) {
    (*static_cast<counter_context*>(context)->calls)[index].fetch_add(1, std::memory_order_relaxed);
}

}  // namespace

TEST_CASE("the pool runs every task exactly once, and is reused") {
    for (std::size_t threads = 1; threads <= 4; ++threads) {
        edgeopt_pool* pool = edgeopt_pool_create(threads);
        REQUIRE(pool != nullptr);
        CHECK(edgeopt_pool_threads(pool) == threads);
        const edgeopt_parallel_for pf = edgeopt_pool_parallel_for(pool);
        CHECK(pf.tasks == threads);
        for (int round = 0; round < 100; ++round) {
            const std::size_t tasks = static_cast<std::size_t>(round) % 18;
            std::vector<std::atomic<int>> calls(tasks);
            counter_context context{&calls};
            pf.run(pf.context, tasks, count_call, &context);
            for (std::size_t i = 0; i < tasks; ++i) CHECK(calls[i].load() == 1);
        }
        edgeopt_pool_destroy(pool);
    }
    CHECK(edgeopt_pool_create(0) == nullptr);
    edgeopt_pool_destroy(nullptr);
}

TEST_CASE("edgeopt_step_parallel on the pool gives edgeopt_step's bytes") {
    const auto combos = test::dtype_combos();
    std::vector<edgeopt_pool*> pools;
    for (std::size_t threads = 1; threads <= 3; ++threads) pools.push_back(edgeopt_pool_create(threads));
    std::size_t compared = 0;
    for (const auto& c : test::option_matrix()) {
        for (const auto& combo : {combos[0], combos[2], combos[10]}) {  // f32; bf16 stochastic; mixed with q8
            CAPTURE(c.name);
            CAPTURE(std::string(combo.name));
            model whole(c.config, combo, lengths), parallel(c.config, combo, lengths);
            REQUIRE(parallel.status() == EDGEOPT_OK);
            for (std::uint32_t step = 0; step < 4; ++step) {
                whole.set_grads(step);
                parallel.set_grads(step);
                edgeopt_parallel_for pf = edgeopt_pool_parallel_for(pools[step % pools.size()]);
                pf.tasks = 1 + (step * 3 + compared) % 8;  // more or fewer tasks than threads
                REQUIRE(edgeopt_step(whole.opt(), whole.tensors(), whole.count()) == EDGEOPT_OK);
                REQUIRE(edgeopt_step_parallel(parallel.opt(), parallel.tensors(), parallel.count(), &pf) == EDGEOPT_OK);
                REQUIRE(whole.snapshot() == parallel.snapshot());
                ++compared;
            }
        }
    }
    for (edgeopt_pool* pool : pools) edgeopt_pool_destroy(pool);
    MESSAGE(compared << " parallel steps compared");
}

TEST_CASE("edgeopt_step_run from the caller's own threads, and two optimizers sharing one pool") {
    const auto combos = test::dtype_combos();
    edgeopt_config config = edgeopt_defaults(EDGEOPT_ADAMW);
    model whole(config, combos[10], lengths), threaded(config, combos[10], lengths), second(config, combos[10], lengths);
    edgeopt_pool* pool = edgeopt_pool_create(2);
    REQUIRE(pool != nullptr);
    for (std::uint32_t step = 0; step < 6; ++step) {
        for (model* m : {&whole, &threaded, &second}) m->set_grads(step);
        REQUIRE(edgeopt_step(whole.opt(), whole.tensors(), whole.count()) == EDGEOPT_OK);

        // Three std::threads, each running its split range, while another
        // thread steps a second optimizer through the shared pool.
        edgeopt_step_plan plan;
        REQUIRE(edgeopt_step_begin(threaded.opt(), threaded.tensors(), threaded.count(), &plan) == EDGEOPT_OK);
        std::atomic<int> failures{0};
        std::vector<std::thread> workers;
        for (std::size_t i = 0; i < 3; ++i) {
            workers.emplace_back([&, i] {
                std::size_t begin = 0, end = 0;
                if (edgeopt_step_split(&plan, 3, i, &begin, &end) != EDGEOPT_OK ||
                    edgeopt_step_run(threaded.opt(), &plan, begin, end) != EDGEOPT_OK)
                    failures.fetch_add(1);
            });
        }
        workers.emplace_back([&] {
            const edgeopt_parallel_for pf = edgeopt_pool_parallel_for(pool);
            if (edgeopt_step_parallel(second.opt(), second.tensors(), second.count(), &pf) != EDGEOPT_OK)
                failures.fetch_add(1);
        });
        const edgeopt_parallel_for pf = edgeopt_pool_parallel_for(pool);  // the pool from two threads at once
        std::vector<std::atomic<int>> calls(5);
        counter_context context{&calls};
        pf.run(pf.context, 5, count_call, &context);
        for (std::thread& t : workers) t.join();
        REQUIRE(failures.load() == 0);
        for (auto& c : calls) CHECK(c.load() == 1);
        REQUIRE(edgeopt_step_end(threaded.opt(), &plan) == EDGEOPT_OK);
        CHECK(whole.snapshot() == threaded.snapshot());
        CHECK(whole.snapshot() == second.snapshot());
    }
    edgeopt_pool_destroy(pool);
}
