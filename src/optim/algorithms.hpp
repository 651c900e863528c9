// SPDX-License-Identifier: Apache-2.0
// The registry: the one list of optimizers.  Adding one is its header (see
// optim/common.hpp for what the struct holds) plus its #include and its
// entry in `all` below, and its enum value and options struct in
// include/edgeopt/edgeopt.h.  Everything else is derived from these structs:
// defaults, names and validation (config.cpp), checkpoint fields, the kernel
// tables of every ISA (kernel/table.hpp), the tools and the firmware probes
// (tests/firmware/CMakeLists.txt and platforms/cortex-m/budgets.sh read the
// `using all` line below).
#pragma once
#include <cstddef>
#include <type_traits>

#include "enum_value.hpp"
#include "optim/adadelta.hpp"
#include "optim/adagrad.hpp"
#include "optim/adam.hpp"
#include "optim/adamax.hpp"
#include "optim/asgd.hpp"
#include "optim/lion.hpp"
#include "optim/nadam.hpp"
#include "optim/radam.hpp"
#include "optim/rmsprop.hpp"
#include "optim/rprop.hpp"
#include "optim/sgd.hpp"

namespace edgeopt::optim {

template <class... Opts>
struct type_list {};

// In the order of their first enum value.
using all = type_list<sgd, adagrad, rmsprop, adadelta, adam, adamax, nadam, radam, lion, rprop, asgd>;

template <class Opt>
struct tag {
    using type = Opt;
};

template <class F, class... Opts>
constexpr void for_each_in(F& f, type_list<Opts...>) {
    (f(tag<Opts>{}), ...);
}

// Calls f(tag<Opt>{}) for every optimizer, in `all`'s order.
template <class F>
constexpr void for_each(F&& f) {
    for_each_in(f, all{});
}

// Whether Opt implements the algorithm whose enum value is `value`.
template <class Opt>
constexpr bool serves(int value) {
    for (const algorithm_name& entry : Opt::names)
        if (entry.algorithm == value) return true;
    return false;
}

namespace detail {
template <class Visitor, class Fallback, class Opt, class... Rest>
auto visit(int value, Visitor& visitor, Fallback& fallback, type_list<Opt, Rest...>) {
    if (serves<Opt>(value)) return visitor(tag<Opt>{});
    if constexpr (sizeof...(Rest) == 0) return fallback();
    else return visit(value, visitor, fallback, type_list<Rest...>{});
}
}  // namespace detail

// Calls visitor(tag<Opt>{}) for the algorithm's struct, or fallback() if it is
// unknown (any int a C caller stored: read as an integer, see enum_value.hpp).
template <class Visitor, class Fallback>
auto visit(const edgeopt_algorithm& algorithm, Visitor&& visitor, Fallback&& fallback) {
    return detail::visit(static_cast<int>(enum_value(algorithm)), visitor, fallback, all{});
}

// Whether Opt has per-parameter scalars in torch's state besides 'step'
// (optional members scalar_names[] and scalar_value(options, steps, k)).
template <class Opt, class = void>
struct has_scalar_state : std::false_type {};
template <class Opt>
struct has_scalar_state<Opt, std::void_t<decltype(Opt::scalar_names)>> : std::true_type {};

// The registry's entry for an algorithm, or null.
inline const algorithm_name* name_entry(const edgeopt_algorithm& algorithm) {
    const int value = static_cast<int>(enum_value(algorithm));
    return visit(
        algorithm,
        [&](auto t) -> const algorithm_name* {
            for (const algorithm_name& entry : decltype(t)::type::names)
                if (entry.algorithm == value) return &entry;
            return nullptr;
        },
        []() -> const algorithm_name* { return nullptr; });
}

// The enum is EDGEOPT_SGD .. EDGEOPT_SGD + EDGEOPT_ALGORITHM_COUNT - 1, each
// served by exactly one struct.
constexpr bool enum_is_covered() {
    for (unsigned a = EDGEOPT_SGD; a < EDGEOPT_SGD + EDGEOPT_ALGORITHM_COUNT; ++a) {
        unsigned servers = 0;
        for_each([&](auto t) { servers += serves<typename decltype(t)::type>(static_cast<int>(a)); });
        if (servers != 1) return false;
    }
    std::size_t names = 0;
    for_each([&](auto t) { names += sizeof decltype(t)::type::names / sizeof(algorithm_name); });
    return names == EDGEOPT_ALGORITHM_COUNT;
}
static_assert(enum_is_covered(), "every algorithm in edgeopt.h has one registry entry, and only those");

}  // namespace edgeopt::optim
