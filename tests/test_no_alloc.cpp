// SPDX-License-Identifier: Apache-2.0
// No heap: every C API call, for every configuration and every available ISA,
// runs while malloc & co. and every operator new/delete are replaced by
// counters (forwarding to glibc), and the counters must stay at zero.
#include <doctest/doctest.h>

#include <atomic>
#include <cerrno>
#include <cstddef>
#include <cstdlib>
#include <new>
#include <vector>

#include "support.hpp"

extern "C" {
void* __libc_malloc(std::size_t size);
void* __libc_calloc(std::size_t count, std::size_t size);
void* __libc_realloc(void* p, std::size_t size);
void __libc_free(void* p);
void* __libc_memalign(std::size_t alignment, std::size_t size);
}

namespace {

// Constant-initialized, so usable by allocations made before main().
std::atomic<bool> counting{false};
std::atomic<long> allocations{0};
std::atomic<long> releases{0};

void note(std::atomic<long>& counter) {
    if (counting.load(std::memory_order_relaxed)) counter.fetch_add(1, std::memory_order_relaxed);
}

void* allocate(std::size_t size, std::size_t alignment) {
    note(allocations);
    if (size == 0) size = 1;
    return alignment <= alignof(std::max_align_t) ? __libc_malloc(size) : __libc_memalign(alignment, size);
}

void* allocate_or_throw(std::size_t size, std::size_t alignment) {
    if (void* p = allocate(size, alignment)) return p;
    throw std::bad_alloc();
}

void release(void* p) {
    note(releases);
    __libc_free(p);
}

}  // namespace

// ---- The C allocator ------------------------------------------------------

extern "C" {
void* malloc(std::size_t size) noexcept {
    note(allocations);
    return __libc_malloc(size);
}
void* calloc(std::size_t count, std::size_t size) noexcept {
    note(allocations);
    return __libc_calloc(count, size);
}
void* realloc(void* p, std::size_t size) noexcept {
    note(allocations);
    return __libc_realloc(p, size);
}
void free(void* p) noexcept { release(p); }
void* aligned_alloc(std::size_t alignment, std::size_t size) noexcept {
    note(allocations);
    return __libc_memalign(alignment, size);
}
int posix_memalign(void** out, std::size_t alignment, std::size_t size) noexcept {
    note(allocations);
    if (alignment < sizeof(void*) || (alignment & (alignment - 1)) != 0) return EINVAL;
    void* p = __libc_memalign(alignment, size);
    if (!p) return ENOMEM;
    *out = p;
    return 0;
}
}

// ---- Every replaceable operator new and delete ----------------------------

void* operator new(std::size_t size) { return allocate_or_throw(size, 0); }
void* operator new[](std::size_t size) { return allocate_or_throw(size, 0); }
void* operator new(std::size_t size, const std::nothrow_t&) noexcept { return allocate(size, 0); }
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept { return allocate(size, 0); }
void* operator new(std::size_t size, std::align_val_t a) {
    return allocate_or_throw(size, static_cast<std::size_t>(a));
}
void* operator new[](std::size_t size, std::align_val_t a) {
    return allocate_or_throw(size, static_cast<std::size_t>(a));
}
void* operator new(std::size_t size, std::align_val_t a, const std::nothrow_t&) noexcept {
    return allocate(size, static_cast<std::size_t>(a));
}
void* operator new[](std::size_t size, std::align_val_t a, const std::nothrow_t&) noexcept {
    return allocate(size, static_cast<std::size_t>(a));
}
void operator delete(void* p) noexcept { release(p); }
void operator delete[](void* p) noexcept { release(p); }
void operator delete(void* p, std::size_t) noexcept { release(p); }
void operator delete[](void* p, std::size_t) noexcept { release(p); }
void operator delete(void* p, std::align_val_t) noexcept { release(p); }
void operator delete[](void* p, std::align_val_t) noexcept { release(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { release(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { release(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { release(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { release(p); }
void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept { release(p); }
void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept { release(p); }

namespace {

struct counts {
    long allocations, releases;
};

// Runs `work` with counting on; `work` must not use doctest (it allocates).
template <class Work>
counts count_during(Work&& work) {
    allocations = 0;
    releases = 0;
    counting = true;
    work();
    counting = false;
    return {allocations.load(), releases.load()};
}

// Called through volatile pointers so that the compiler cannot drop or merge them.
template <class F>
F* opaque(F* f) {
    F* volatile p = f;
    return p;
}

constexpr std::size_t tensor_count = 3;
const std::size_t lengths[tensor_count] = {37, 0, 130};

// Every C API call on one optimizer; returns how many results were not the expected ones.
int exercise(const edgeopt_config& config, edgeopt_isa isa, void* arena, std::size_t arena_bytes,
             const edgeopt_tensor* tensors) {
    int wrong = 0;
    auto expect = [&](edgeopt_status got, edgeopt_status want) { wrong += got != want; };
    edgeopt_optimizer opt;
    expect(edgeopt_validate(&config), EDGEOPT_OK);
    wrong += edgeopt_state_bytes(&config, lengths, tensor_count) != arena_bytes;
    expect(edgeopt_init(&opt, &config, lengths, tensor_count, arena, arena_bytes), EDGEOPT_OK);
    expect(edgeopt_set_isa(&opt, isa), EDGEOPT_OK);
    wrong += edgeopt_get_isa(&opt) != isa;
    for (int s = 0; s < 40; ++s) {
        if (s == 20) expect(edgeopt_set_lr(&opt, 1e-3), EDGEOPT_OK);
        expect(edgeopt_step(&opt, tensors, tensor_count), EDGEOPT_OK);
    }
    edgeopt_config got;
    expect(edgeopt_get_config(&opt, &got), EDGEOPT_OK);
    expect(edgeopt_set_config(&opt, &got), EDGEOPT_OK);
    expect(edgeopt_reset(&opt), EDGEOPT_OK);
    expect(edgeopt_step(&opt, tensors, tensor_count), EDGEOPT_OK);
    wrong += edgeopt_step_count(&opt) != 1;
    // A step in pieces: begin, ranges out of order, split, end; parallel; chunks.
    edgeopt_step_plan plan;
    expect(edgeopt_step_begin(&opt, tensors, tensor_count, &plan), EDGEOPT_OK);
    expect(edgeopt_step_run(&opt, &plan, 64, plan.total), EDGEOPT_OK);
    expect(edgeopt_step_run(&opt, &plan, 0, 64), EDGEOPT_OK);
    expect(edgeopt_step_run(&opt, &plan, 0, plan.total + 1), EDGEOPT_ERR_RANGE_OUTSIDE);
    std::size_t begin = 0, end = 0;
    expect(edgeopt_step_split(&plan, 3, 1, &begin, &end), EDGEOPT_OK);
    expect(edgeopt_step_end(&opt, &plan), EDGEOPT_OK);
    expect(edgeopt_step_end(&opt, &plan), EDGEOPT_ERR_STEP_NOT_BEGUN);
    const edgeopt_parallel_for in_turn{[](void*, std::size_t tasks, edgeopt_task_fn task, void* context) {
                                           for (std::size_t i = 0; i < tasks; ++i) task(context, i);
                                       },
                                       nullptr, 4};
    expect(edgeopt_step_parallel(&opt, tensors, tensor_count, &in_turn), EDGEOPT_OK);
    edgeopt_step_chunks chunks;
    expect(edgeopt_step_chunks_begin(&opt, tensors, tensor_count, &chunks), EDGEOPT_OK);
    bool done = false;
    for (int calls = 0; !done && calls < 10; ++calls) expect(edgeopt_step_chunk(&opt, &chunks, 64, &done), EDGEOPT_OK);
    wrong += !done || edgeopt_step_count(&opt) != 4;
    for (unsigned k = 0; k < edgeopt_state_slots(&config); ++k) wrong += edgeopt_state_slot_name(&config, k) == nullptr;
    wrong += edgeopt_state_buffer(&opt, 0, 0) == nullptr && edgeopt_state_slots(&config) > 0;

    // Error paths allocate no more than the rest (e.g. no formatted messages).
    expect(edgeopt_step(&opt, tensors, tensor_count - 1), EDGEOPT_ERR_TENSOR_COUNT_MISMATCH);
    expect(edgeopt_set_lr(&opt, -1.0), EDGEOPT_ERR_INVALID_LR);
    expect(edgeopt_set_isa(&opt, EDGEOPT_ISA_COUNT), EDGEOPT_ERR_UNKNOWN_ISA);
    expect(edgeopt_set_isa(&opt, EDGEOPT_ISA_AUTO), EDGEOPT_OK);
    wrong += edgeopt_status_message(EDGEOPT_ERR_OVERLAP) == nullptr;

    // The parts of the API that need no optimizer.
    edgeopt_algorithm algorithm;
    edgeopt_isa parsed;
    wrong += !edgeopt_algorithm_parse(edgeopt_algorithm_name(config.algorithm), &algorithm) ||
             algorithm != config.algorithm;
    wrong += !edgeopt_isa_parse(edgeopt_isa_name(isa), &parsed) || parsed != isa;
    wrong += edgeopt_defaults(config.algorithm).algorithm != config.algorithm;
    wrong += !edgeopt_isa_available(isa);
    wrong += !edgeopt_isa_available(edgeopt_isa_default(config.algorithm));

    edgeopt_destroy(&opt);
    expect(edgeopt_step(&opt, tensors, tensor_count), EDGEOPT_ERR_NOT_INITIALIZED);
    return wrong;
}

}  // namespace

TEST_CASE("the counters see every replaced allocation function (positive control)") {
    const counts c_allocator = count_during([] {
        void* a = opaque(&malloc)(16);
        void* b = opaque(&calloc)(4, 4);
        b = opaque(&realloc)(b, 64);
        void* c = opaque(&aligned_alloc)(64, 64);
        void* d = nullptr;
        if (opaque(&posix_memalign)(&d, 64, 64) != 0) d = nullptr;
        for (void* p : {a, b, c, d}) opaque(&free)(p);
    });
    CHECK_EQ(c_allocator.allocations, 5);
    CHECK_EQ(c_allocator.releases, 4);

    const counts cpp_allocator = count_during([] {
        using aligned_new = void*(std::size_t, std::align_val_t);
        using aligned_delete = void(void*, std::align_val_t) noexcept;
        void* p = opaque<aligned_new>(&::operator new)(32, std::align_val_t{128});
        opaque<aligned_delete>(&::operator delete)(p, std::align_val_t{128});
        std::vector<int> v(100);
        v.push_back(1);  // grows: one more allocation and one release
    });
    CHECK_EQ(cpp_allocator.allocations, 3);
    CHECK_EQ(cpp_allocator.releases, 3);
}

TEST_CASE("no C API call allocates, for any configuration or ISA") {
    std::vector<std::vector<float>> params, grads;
    std::vector<edgeopt_tensor> tensors;
    for (std::size_t i = 0; i < tensor_count; ++i) {
        params.push_back(test::random_values(lengths[i], 1 + static_cast<std::uint32_t>(i)));
        grads.push_back(test::random_values(lengths[i], 11 + static_cast<std::uint32_t>(i)));
    }
    for (std::size_t i = 0; i < tensor_count; ++i) tensors.push_back({params[i].data(), grads[i].data(), lengths[i]});

    for (const test::named_config& named : test::option_matrix()) {
        const std::size_t bytes = edgeopt_state_bytes(&named.config, lengths, tensor_count);
        std::vector<unsigned char> arena(bytes);
        for (edgeopt_isa isa : test::available_isas()) {
            INFO(named.name, " on ", edgeopt_isa_name(isa));
            int wrong = -1;
            const counts c =
                count_during([&] { wrong = exercise(named.config, isa, arena.data(), bytes, tensors.data()); });
            CHECK_EQ(wrong, 0);
            CHECK_EQ(c.allocations, 0);
            CHECK_EQ(c.releases, 0);
        }
    }
}
