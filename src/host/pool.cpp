// SPDX-License-Identifier: Apache-2.0
// The hosted thread pool behind edgeopt_pool_parallel_for: workers created
// once, woken per parallel-for, tasks handed out by an atomic counter (who
// runs which task never changes the bits: edgeopt_step_split fixes the ranges).
//
// A step of a few hundred thousand parameters takes tens of microseconds, as
// long as a futex wake-up, so workers and the caller first spin for about
// spin_rounds checks before sleeping on the condition variable.
#include "edgeopt/pool.h"

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <new>
#include <thread>
#include <vector>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define EDGEOPT_POOL_PAUSE() _mm_pause()
#elif defined(__aarch64__) || defined(__arm__)
#define EDGEOPT_POOL_PAUSE() __asm__ __volatile__("yield")
#else
#define EDGEOPT_POOL_PAUSE() ((void)0)
#endif

namespace {

// About 20 µs of pause instructions on a current x86 core.
constexpr int spin_rounds = 1000;

// Spins on `ready` for a while; true if it became true.
template <class Ready>
bool spin_until(Ready&& ready) {
    for (int i = 0; i < spin_rounds; ++i) {
        if (ready()) return true;
        EDGEOPT_POOL_PAUSE();
    }
    return ready();
}

}  // namespace

struct edgeopt_pool {
    std::mutex run_turn;  // one parallel-for at a time
    std::mutex mutex;     // guards sleeping and waking
    std::condition_variable wake, finished;
    std::vector<std::thread> workers;

    // The current job: written before `generation` is advanced (release).
    edgeopt_task_fn task = nullptr;
    void* task_context = nullptr;
    std::size_t tasks = 0;
    std::atomic<std::size_t> next{0};
    std::atomic<std::uint64_t> generation{0};
    std::atomic<std::size_t> busy{0};  // workers not yet done with the current job
    bool stopping = false;             // under mutex

    void drain() {
        for (std::size_t i; (i = next.fetch_add(1, std::memory_order_relaxed)) < tasks;) task(task_context, i);
    }

    void work() {
        std::uint64_t seen = 0;
        for (;;) {
            if (!spin_until([&] { return generation.load(std::memory_order_acquire) != seen; })) {
                std::unique_lock<std::mutex> lock(mutex);
                wake.wait(lock, [&] { return stopping || generation.load(std::memory_order_acquire) != seen; });
                if (stopping) return;
            }
            seen = generation.load(std::memory_order_acquire);
            drain();
            if (busy.fetch_sub(1, std::memory_order_acq_rel) == 1) {
                std::lock_guard<std::mutex> lock(mutex);  // the caller is waiting or will see busy == 0
                finished.notify_one();
            }
        }
    }

    void run(std::size_t count, edgeopt_task_fn fn, void* context) {
        std::lock_guard<std::mutex> turn(run_turn);
        {
            std::lock_guard<std::mutex> lock(mutex);
            task = fn;
            task_context = context;
            tasks = count;
            next.store(0, std::memory_order_relaxed);
            busy.store(workers.size(), std::memory_order_relaxed);
            generation.fetch_add(1, std::memory_order_release);
        }
        wake.notify_all();
        drain();
        if (!spin_until([&] { return busy.load(std::memory_order_acquire) == 0; })) {
            std::unique_lock<std::mutex> lock(mutex);
            finished.wait(lock, [&] { return busy.load(std::memory_order_acquire) == 0; });
        }
    }
};

extern "C" {

edgeopt_pool* edgeopt_pool_create(size_t threads) {
    if (threads == 0) return nullptr;
    edgeopt_pool* pool = new (std::nothrow) edgeopt_pool;
    if (!pool) return nullptr;
    try {
        pool->workers.reserve(threads - 1);
        for (std::size_t i = 1; i < threads; ++i) pool->workers.emplace_back([pool] { pool->work(); });
    } catch (...) {
        edgeopt_pool_destroy(pool);
        return nullptr;
    }
    return pool;
}

void edgeopt_pool_destroy(edgeopt_pool* pool) {
    if (!pool) return;
    {
        std::lock_guard<std::mutex> lock(pool->mutex);
        pool->stopping = true;
    }
    pool->wake.notify_all();
    for (std::thread& t : pool->workers) t.join();
    delete pool;
}

size_t edgeopt_pool_threads(const edgeopt_pool* pool) { return pool ? pool->workers.size() + 1 : 0; }

void edgeopt_pool_run(void* pool, size_t tasks, edgeopt_task_fn task, void* task_context) {
    static_cast<edgeopt_pool*>(pool)->run(tasks, task, task_context);
}

edgeopt_parallel_for edgeopt_pool_parallel_for(edgeopt_pool* pool) {
    edgeopt_parallel_for pf;
    pf.run = edgeopt_pool_run;
    pf.context = pool;
    pf.tasks = edgeopt_pool_threads(pool);
    return pf;
}

}  // extern "C"
