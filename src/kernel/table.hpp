// SPDX-License-Identifier: Apache-2.0
// A kernel table: the compiled loops for one ISA, one per optimizer, for
// float32 tensors (driver.hpp) and for bf16/f16/q8 ones (typed_driver.hpp).
// Each ISA's kernels.cpp fills one with make_table<its vector type>() and is
// the only file compiled with that ISA's flags.
#pragma once
#include <tuple>

#include "edgeopt/edgeopt.h"
#include "kernel/driver.hpp"
#include "kernel/typed_arrays.hpp"
#include "kernel/typed_driver.hpp"
#include "optim/algorithms.hpp"

namespace edgeopt::kernel {

template <class Opt>
using kernel_fn = void (*)(const typename Opt::coeffs&, const tensor_streams&);
template <class Opt>
using typed_fn = void (*)(const typename Opt::coeffs&, const typed_streams&);

// One Fn<Opt> per optimizer of the registry (optim::all).
template <template <class> class Fn, class List = optim::all>
struct per_optimizer;

template <template <class> class Fn, class... Opts>
struct per_optimizer<Fn, optim::type_list<Opts...>> {
    std::tuple<Fn<Opts>...> fns;

    // make(optim::tag<Opt>{}) for every optimizer.
    template <class Make>
    static constexpr per_optimizer of(Make make) {
        return {std::tuple<Fn<Opts>...>(make(optim::tag<Opts>{})...)};
    }

    template <class Opt>
    Fn<Opt> get() const {
        return std::get<Fn<Opt>>(fns);
    }
};

struct table {
    edgeopt_isa isa;
    per_optimizer<kernel_fn> float32;
    // All null with -DEDGEOPT_NO_LOW_PRECISION (about 27 KB of Cortex-M4 code
    // saved); other dtypes are then refused as EDGEOPT_ERR_DTYPE_UNSUPPORTED.
    per_optimizer<typed_fn> typed;
    conversions convert;  // the typed loop's conversions over arrays (tests; null when freestanding)
};

// The loops an ISA's table holds: driver.hpp's and typed_driver.hpp's for the
// lane type V.  An ISA that needs another loop (neonv7's checked one) passes
// its own Loops with the same two members.
template <class V>
struct plain_loops {
    template <class Opt>
    static constexpr kernel_fn<Opt> float32() { return &run<V, Opt>; }
    template <class Opt>
    static constexpr typed_fn<Opt> typed() { return &run_typed<V, Opt>; }
    static constexpr conversions convert() { return conversions_of<V>(); }
};

template <class Loops>
constexpr table make_table_of(edgeopt_isa isa) {
    const auto float32 = per_optimizer<kernel_fn>::of([](auto tag) {
        return Loops::template float32<typename decltype(tag)::type>();
    });
#ifdef EDGEOPT_NO_LOW_PRECISION
    return {isa, float32, {}, {}};
#else
    const auto typed =
        per_optimizer<typed_fn>::of([](auto tag) { return Loops::template typed<typename decltype(tag)::type>(); });
#ifdef EDGEOPT_FREESTANDING
    return {isa, float32, typed, {}};  // the array conversions serve hosted tests only: no flash for them
#else
    return {isa, float32, typed, Loops::convert()};
#endif
#endif
}

template <class V>
constexpr table make_table(edgeopt_isa isa) {
    return make_table_of<plain_loops<V>>(isa);
}

// Defined by src/isa/dispatch.cpp.  table_for: the table for an ISA, or null
// if it is not compiled in or this CPU/OS cannot run it.  compiled_table: the
// same without asking the CPU, for step() once init() has checked.
const table* table_for(edgeopt_isa isa);
const table* compiled_table(edgeopt_isa isa);
// EDGEOPT_ISA_AVX512 with (on) or without AVX512_BF16's bf16 narrowing, for
// tests; on only if the CPU has it.  Returns whether it is on.
bool use_avx512_bf16(bool on);
// The ISA used when none is forced (EDGEOPT_ISA in the environment, else the
// fastest measured for this algorithm among the available ones).
edgeopt_isa default_isa(edgeopt_algorithm algorithm);

}  // namespace edgeopt::kernel
