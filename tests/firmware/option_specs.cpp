// SPDX-License-Identifier: Apache-2.0
#include "option_specs.hpp"

namespace firmware {

const char* const option_specs[] = {
    "sgd lr=0.05",
    "sgd lr=0.05 momentum=0.9 dampening=0.1 weight_decay=0.01",
    "sgd lr=0.05 momentum=0.9 nesterov=true maximize=true",
    "adagrad",
    "adagrad lr=0.1 lr_decay=0.01 weight_decay=0.02 initial_accumulator_value=0.1 eps=1e-8 maximize=true",
    "rmsprop",
    "rmsprop centered=true",
    "rmsprop lr=0.01 alpha=0.9 eps=1e-6 weight_decay=0.01 momentum=0.8 maximize=true",
    "rmsprop centered=true momentum=0.5",
    "adadelta",
    "adadelta lr=0.5 rho=0.8 eps=1e-5 weight_decay=0.1 maximize=true",
    "adam",
    "adam lr=0.01 betas=0.8,0.99 eps=1e-6 weight_decay=0.05 amsgrad=true maximize=true",
    "adamw",
    "adamw amsgrad=true",
    "adamax",
    "adamax lr=0.01 betas=0.8,0.9 eps=1e-6 weight_decay=0.1 maximize=true",
    "nadam",
    "nadam lr=0.01 betas=0.8,0.99 eps=1e-6 weight_decay=0.1 momentum_decay=0.01",
    "radam",
    "radam lr=0.01 betas=0.8,0.9 eps=1e-6 weight_decay=0.1",
    "adam form=folded",
    "adam lr=0.01 betas=0.8,0.99 eps=1e-6 weight_decay=0.05 amsgrad=true maximize=true form=folded",
    "adamw amsgrad=true form=folded",
    "nadam lr=0.01 betas=0.8,0.99 eps=1e-6 weight_decay=0.1 momentum_decay=0.01 form=folded",
    "radam form=folded",
    "lion",
    "lion lr=0.001 betas=0.8,0.95 weight_decay=0.5",
    "rprop",
    "rprop lr=0.05 etas=0.3,1.5 step_sizes=0.01,0.1 maximize=true",
    "asgd",
    "asgd lr=0.05 lambd=0.01 alpha=0.5 t0=0 weight_decay=0.05 maximize=true",
};
const std::size_t option_spec_count = sizeof option_specs / sizeof option_specs[0];

}  // namespace firmware
