// SPDX-License-Identifier: Apache-2.0
// edgeopt — C++17 API.  A thin, header-only layer over the C API
// (edgeopt.h): same objects, same arena, no heap, no exceptions.
//
//   alignas(64) static unsigned char arena[edgeopt::arena_bytes(2, {784 * 128, 128})];
//   edgeopt::optimizer opt;
//   auto config = edgeopt::defaults(EDGEOPT_ADAM);
//   config.adam.lr = 3e-4;
//   if (opt.init(config, lengths, arena) != EDGEOPT_OK) ...
//   opt.step(tensors);
#ifndef EDGEOPT_EDGEOPT_HPP
#define EDGEOPT_EDGEOPT_HPP

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <utility>

#include "edgeopt/edgeopt.h"

namespace edgeopt {

using status = edgeopt_status;
using config = edgeopt_config;
using tensor = edgeopt_tensor;
using isa = edgeopt_isa;
using step_plan = edgeopt_step_plan;
using step_chunks = edgeopt_step_chunks;
using parallel_for = edgeopt_parallel_for;

inline config defaults(edgeopt_algorithm algorithm) { return edgeopt_defaults(algorithm); }
inline const char* message(status s) { return edgeopt_status_message(s); }

namespace detail {
// Reached only when a size overflows.  Not constexpr, so an overflowing
// arena_bytes() in a constant expression (a static arena's size) is a
// compile error; evaluated at run time it makes arena_bytes() return 0.
inline std::size_t arena_size_overflows() { return 0; }

// The sizes below with every step checked: false if it would wrap.
constexpr bool add_to(std::size_t& total, std::size_t x) {
    if (x > static_cast<std::size_t>(-1) - total) return false;
    total += x;
    return true;
}
constexpr bool times(std::size_t a, std::size_t b, std::size_t& out) {
    if (a != 0 && b > static_cast<std::size_t>(-1) / a) return false;
    out = a * b;
    return true;
}
constexpr bool slice(std::size_t bytes, std::size_t& out) {  // rounded up to EDGEOPT_ARENA_ALIGN
    if (bytes > static_cast<std::size_t>(-1) - (EDGEOPT_ARENA_ALIGN - 1)) return false;
    out = EDGEOPT_ROUND_UP_(bytes);
    return true;
}
// Bytes of one state slice of `length` values stored as `state`.
constexpr bool state_bytes(std::size_t length, edgeopt_dtype state, std::size_t& out) {
    const std::size_t blocks = length / EDGEOPT_Q8_BLOCK + (length % EDGEOPT_Q8_BLOCK != 0);
    std::size_t scales = 0;
    if (state == EDGEOPT_Q8) return times(4, blocks, scales) && (out = length, add_to(out, scales));
    return times(state == EDGEOPT_BF16 || state == EDGEOPT_F16 ? 2 : 4, length, out);
}
}  // namespace detail

// Exact arena size for `slots` state buffers per parameter (see
// edgeopt_state_slots or README's table) and these tensor lengths, every
// slot stored as `state` (EDGEOPT_F32 unless given: EDGEOPT_BF16, EDGEOPT_Q8,
// ...); usable in constant expressions, e.g. to size a static arena.  A size
// that does not fit in size_t is a compile error there, and 0 at run time.
constexpr std::size_t arena_bytes(unsigned slots, edgeopt_dtype state, std::initializer_list<std::size_t> lengths) {
    std::size_t total = EDGEOPT_ARENA_ALIGN - 1, table = 0, bytes = 0;
    bool ok = detail::times(sizeof(std::size_t), lengths.size(), table) && detail::slice(table, table) && detail::add_to(total, table);
    for (std::size_t length : lengths)
        ok = ok && detail::state_bytes(length, state, bytes) && detail::slice(bytes, bytes) &&
             detail::times(slots, bytes, bytes) && detail::add_to(total, bytes);
    return ok ? total : detail::arena_size_overflows();
}
constexpr std::size_t arena_bytes(unsigned slots, std::initializer_list<std::size_t> lengths) {
    return arena_bytes(slots, EDGEOPT_F32, lengths);
}

// A pointer-and-length view, so that arrays, std::array and std::vector all
// pass without this header depending on <span>.
template <class T>
struct view {
    const T* data;
    std::size_t size;
    template <std::size_t N>
    constexpr view(const T (&array)[N]) : data(array), size(N) {}
    template <class Container, class = decltype(std::declval<const Container&>().data())>
    constexpr view(const Container& c) : data(c.data()), size(c.size()) {}
    constexpr view(const T* d, std::size_t n) : data(d), size(n) {}
};

class optimizer {
public:
    optimizer() : state_{} {}
    optimizer(const optimizer&) = delete;  // two objects stepping one arena would corrupt it
    optimizer& operator=(const optimizer&) = delete;
    ~optimizer() { edgeopt_destroy(&state_); }

    status init(const config& c, view<std::size_t> lengths, void* arena, std::size_t arena_size) {
        return edgeopt_init(&state_, &c, lengths.data, lengths.size, arena, arena_size);
    }
    template <std::size_t N>
    status init(const config& c, view<std::size_t> lengths, unsigned char (&arena)[N]) {
        return init(c, lengths, arena, N);
    }
    // init(config, {784 * 128, 128}, arena): lengths are copied into the arena.
    status init(const config& c, std::initializer_list<std::size_t> lengths, void* arena, std::size_t arena_size) {
        return init(c, view<std::size_t>(lengths.begin(), lengths.size()), arena, arena_size);
    }
    template <std::size_t N>
    status init(const config& c, std::initializer_list<std::size_t> lengths, unsigned char (&arena)[N]) {
        return init(c, lengths, arena, N);
    }
    status step(view<tensor> tensors) { return edgeopt_step(&state_, tensors.data, tensors.size); }
    // A step in pieces (edgeopt.h, "A step in pieces"): begin, run ranges of
    // the flattened elements from any threads, end.
    status step_begin(view<tensor> tensors, step_plan& plan) {
        return edgeopt_step_begin(&state_, tensors.data, tensors.size, &plan);
    }
    status step_run(const step_plan& plan, std::size_t begin, std::size_t end) {
        return edgeopt_step_run(&state_, &plan, begin, end);
    }
    status step_end(step_plan& plan) { return edgeopt_step_end(&state_, &plan); }
    status step_parallel(view<tensor> tensors, const parallel_for& parallel) {
        return edgeopt_step_parallel(&state_, tensors.data, tensors.size, &parallel);
    }
    // Bounded-time pieces: at most max_elements a call; done once the step has ended.
    status step_chunks_begin(view<tensor> tensors, step_chunks& chunks) {
        return edgeopt_step_chunks_begin(&state_, tensors.data, tensors.size, &chunks);
    }
    status step_chunk(step_chunks& chunks, std::size_t max_elements, bool& done) {
        return edgeopt_step_chunk(&state_, &chunks, max_elements, &done);
    }
    status set_lr(double lr) { return edgeopt_set_lr(&state_, lr); }
    status set_config(const config& c) { return edgeopt_set_config(&state_, &c); }
    config get_config() const {
        config c{};
        edgeopt_get_config(&state_, &c);
        return c;
    }
    std::uint64_t step_count() const { return edgeopt_step_count(&state_); }
    status reset() { return edgeopt_reset(&state_); }
    status force_isa(isa i) { return edgeopt_set_isa(&state_, i); }
    isa active_isa() const { return edgeopt_get_isa(&state_); }
    float* state(std::size_t tensor_index, unsigned slot) const {
        return edgeopt_state_buffer(&state_, tensor_index, slot);
    }
    edgeopt_optimizer* c_handle() { return &state_; }

private:
    edgeopt_optimizer state_;
};

}  // namespace edgeopt

#endif  // EDGEOPT_EDGEOPT_HPP
