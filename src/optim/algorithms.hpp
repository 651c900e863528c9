// SPDX-License-Identifier: Apache-2.0
// The list of optimizers: maps an edgeopt_algorithm to its struct.
#pragma once
#include "enum_value.hpp"
#include "optim/adadelta.hpp"
#include "optim/adagrad.hpp"
#include "optim/adam.hpp"
#include "optim/adamax.hpp"
#include "optim/lion.hpp"
#include "optim/nadam.hpp"
#include "optim/radam.hpp"
#include "optim/rmsprop.hpp"
#include "optim/sgd.hpp"

namespace edgeopt::optim {

template <class Opt>
struct tag {
    using type = Opt;
};

// Calls visitor(tag<Opt>{}) for the algorithm's struct, or fallback() if it is
// unknown (any int a C caller stored: read as an integer, see enum_value.hpp).
template <class Visitor, class Fallback>
auto visit(const edgeopt_algorithm& algorithm, Visitor&& visitor, Fallback&& fallback) {
    switch (enum_value(algorithm)) {
        case EDGEOPT_SGD: return visitor(tag<sgd>{});
        case EDGEOPT_ADAGRAD: return visitor(tag<adagrad>{});
        case EDGEOPT_RMSPROP: return visitor(tag<rmsprop>{});
        case EDGEOPT_ADADELTA: return visitor(tag<adadelta>{});
        case EDGEOPT_ADAM:
        case EDGEOPT_ADAMW: return visitor(tag<adam>{});
        case EDGEOPT_ADAMAX: return visitor(tag<adamax>{});
        case EDGEOPT_NADAM: return visitor(tag<nadam>{});
        case EDGEOPT_RADAM: return visitor(tag<radam>{});
        case EDGEOPT_LION: return visitor(tag<lion>{});
    }
    return fallback();
}

}  // namespace edgeopt::optim
