// The kernel table for tensors that are not all float32 (typed_driver.hpp):
// one loop per optimizer for one ISA, beside table.hpp's float32 loops.  Each
// ISA's kernels.cpp fills one with make_typed_table<its vector type>().
#pragma once
#include "edgeopt/edgeopt.h"
#include "kernel/typed_driver.hpp"
#include "optim/algorithms.hpp"

namespace edgeopt::kernel {

template <class Opt>
using typed_fn = void (*)(const typename Opt::coeffs&, const typed_streams&);

struct typed_table {
    typed_fn<optim::sgd> sgd;
    typed_fn<optim::adagrad> adagrad;
    typed_fn<optim::rmsprop> rmsprop;
    typed_fn<optim::adadelta> adadelta;
    typed_fn<optim::adam> adam;
    typed_fn<optim::adamax> adamax;
    typed_fn<optim::nadam> nadam;
    typed_fn<optim::radam> radam;
    typed_fn<optim::lion> lion;

    template <class Opt>
    typed_fn<Opt> get() const;
};

#define EDGEOPT_TYPED_GET(name) \
    template <>             \
    inline typed_fn<optim::name> typed_table::get<optim::name>() const { return name; }
EDGEOPT_TYPED_GET(sgd)
EDGEOPT_TYPED_GET(adagrad)
EDGEOPT_TYPED_GET(rmsprop)
EDGEOPT_TYPED_GET(adadelta)
EDGEOPT_TYPED_GET(adam)
EDGEOPT_TYPED_GET(adamax)
EDGEOPT_TYPED_GET(nadam)
EDGEOPT_TYPED_GET(radam)
EDGEOPT_TYPED_GET(lion)
#undef EDGEOPT_TYPED_GET

// -DEDGEOPT_NO_LOW_PRECISION: no typed loops at all (about 27 KB of Cortex-M4
// code); non-float32 dtypes are then refused as EDGEOPT_ERR_DTYPE_UNSUPPORTED.
template <class V>
constexpr typed_table make_typed_table() {
#ifdef EDGEOPT_NO_LOW_PRECISION
    return {};
#endif
    return {&run_typed<V, optim::sgd>,   &run_typed<V, optim::adagrad>, &run_typed<V, optim::rmsprop>,
            &run_typed<V, optim::adadelta>, &run_typed<V, optim::adam>, &run_typed<V, optim::adamax>,
            &run_typed<V, optim::nadam>, &run_typed<V, optim::radam>,   &run_typed<V, optim::lion>};
}

// Defined by src/isa/dispatch.cpp, like compiled_table().
const typed_table* compiled_typed_table(edgeopt_isa isa);

}  // namespace edgeopt::kernel
