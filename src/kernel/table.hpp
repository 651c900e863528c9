// SPDX-License-Identifier: Apache-2.0
// A kernel table: the compiled loops for one ISA, one per optimizer, for
// float32 tensors (driver.hpp) and for bf16/f16/q8 ones (typed_driver.hpp).
// Each ISA's kernels.cpp fills one with make_table<its vector type>() and is
// the only file compiled with that ISA's flags.
#pragma once
#include <type_traits>

#include "edgeopt/edgeopt.h"
#include "kernel/driver.hpp"
#include "kernel/typed_driver.hpp"
#include "optim/algorithms.hpp"

namespace edgeopt::kernel {

template <class Opt>
using kernel_fn = void (*)(const typename Opt::coeffs&, const tensor_streams&);
template <class Opt>
using typed_fn = void (*)(const typename Opt::coeffs&, const typed_streams&);

// One Fn<Opt> per optimizer.
template <template <class> class Fn>
struct per_optimizer {
    Fn<optim::sgd> sgd;
    Fn<optim::adagrad> adagrad;
    Fn<optim::rmsprop> rmsprop;
    Fn<optim::adadelta> adadelta;
    Fn<optim::adam> adam;
    Fn<optim::adamax> adamax;
    Fn<optim::nadam> nadam;
    Fn<optim::radam> radam;
    Fn<optim::lion> lion;

    // make(optim::tag<Opt>{}) for every optimizer.
    template <class Make>
    static constexpr per_optimizer of(Make make) {
        namespace o = optim;
        return {make(o::tag<o::sgd>{}),    make(o::tag<o::adagrad>{}), make(o::tag<o::rmsprop>{}),
                make(o::tag<o::adadelta>{}), make(o::tag<o::adam>{}),  make(o::tag<o::adamax>{}),
                make(o::tag<o::nadam>{}),  make(o::tag<o::radam>{}),   make(o::tag<o::lion>{})};
    }

    template <class Opt>
    Fn<Opt> get() const {
        if constexpr (std::is_same_v<Opt, optim::sgd>) return sgd;
        else if constexpr (std::is_same_v<Opt, optim::adagrad>) return adagrad;
        else if constexpr (std::is_same_v<Opt, optim::rmsprop>) return rmsprop;
        else if constexpr (std::is_same_v<Opt, optim::adadelta>) return adadelta;
        else if constexpr (std::is_same_v<Opt, optim::adam>) return adam;
        else if constexpr (std::is_same_v<Opt, optim::adamax>) return adamax;
        else if constexpr (std::is_same_v<Opt, optim::nadam>) return nadam;
        else if constexpr (std::is_same_v<Opt, optim::radam>) return radam;
        else return lion;
    }
};

struct table {
    edgeopt_isa isa;
    per_optimizer<kernel_fn> float32;
    // All null with -DEDGEOPT_NO_LOW_PRECISION (about 27 KB of Cortex-M4 code
    // saved); other dtypes are then refused as EDGEOPT_ERR_DTYPE_UNSUPPORTED.
    per_optimizer<typed_fn> typed;
};

template <class V>
constexpr table make_table(edgeopt_isa isa) {
    const auto float32 = per_optimizer<kernel_fn>::of([](auto tag) -> kernel_fn<typename decltype(tag)::type> {
        return &run<V, typename decltype(tag)::type>;
    });
#ifdef EDGEOPT_NO_LOW_PRECISION
    return {isa, float32, {}};
#else
    return {isa, float32, per_optimizer<typed_fn>::of([](auto tag) -> typed_fn<typename decltype(tag)::type> {
                return &run_typed<V, typename decltype(tag)::type>;
            })};
#endif
}

// Defined by src/isa/dispatch.cpp.  table_for: the table for an ISA, or null
// if it is not compiled in or this CPU/OS cannot run it.  compiled_table: the
// same without asking the CPU, for step() once init() has checked.
const table* table_for(edgeopt_isa isa);
const table* compiled_table(edgeopt_isa isa);
// The ISA used when none is forced (EDGEOPT_ISA in the environment, else the
// fastest measured for this algorithm among the available ones).
edgeopt_isa default_isa(edgeopt_algorithm algorithm);

}  // namespace edgeopt::kernel
