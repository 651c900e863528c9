// A kernel table: one compiled loop per optimizer for one ISA.  Each ISA's
// kernels.cpp fills one with make_table<its vector type>() and is the only
// file compiled with that ISA's flags.
#pragma once
#include "edgeopt/edgeopt.h"
#include "kernel/driver.hpp"
#include "optim/algorithms.hpp"

namespace edgeopt::kernel {

template <class Opt>
using kernel_fn = void (*)(const typename Opt::coeffs&, const tensor_streams&);

struct table {
    edgeopt_isa isa;
    kernel_fn<optim::sgd> sgd;
    kernel_fn<optim::adagrad> adagrad;
    kernel_fn<optim::rmsprop> rmsprop;
    kernel_fn<optim::adadelta> adadelta;
    kernel_fn<optim::adam> adam;
    kernel_fn<optim::adamax> adamax;
    kernel_fn<optim::nadam> nadam;
    kernel_fn<optim::radam> radam;
    kernel_fn<optim::lion> lion;

    template <class Opt>
    kernel_fn<Opt> get() const;
};

template <> inline kernel_fn<optim::sgd> table::get<optim::sgd>() const { return sgd; }
template <> inline kernel_fn<optim::adagrad> table::get<optim::adagrad>() const { return adagrad; }
template <> inline kernel_fn<optim::rmsprop> table::get<optim::rmsprop>() const { return rmsprop; }
template <> inline kernel_fn<optim::adadelta> table::get<optim::adadelta>() const { return adadelta; }
template <> inline kernel_fn<optim::adam> table::get<optim::adam>() const { return adam; }
template <> inline kernel_fn<optim::adamax> table::get<optim::adamax>() const { return adamax; }
template <> inline kernel_fn<optim::nadam> table::get<optim::nadam>() const { return nadam; }
template <> inline kernel_fn<optim::radam> table::get<optim::radam>() const { return radam; }
template <> inline kernel_fn<optim::lion> table::get<optim::lion>() const { return lion; }

template <class V>
constexpr table make_table(edgeopt_isa isa) {
    return {isa,
            &run<V, optim::sgd>,
            &run<V, optim::adagrad>,
            &run<V, optim::rmsprop>,
            &run<V, optim::adadelta>,
            &run<V, optim::adam>,
            &run<V, optim::adamax>,
            &run<V, optim::nadam>,
            &run<V, optim::radam>,
            &run<V, optim::lion>};
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
