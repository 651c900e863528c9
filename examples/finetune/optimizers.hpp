// SPDX-License-Identifier: Apache-2.0
// The twelve optimizers edgeopt-finetune compares, with the hyper-parameters
// it uses for the MLP (table in optimizers.cpp) and for the bowl figure.
#pragma once
#include <string>
#include <vector>

#include "edgeopt/edgeopt.h"

namespace finetune {

struct optimizer_entry {
    const char* name;   // command-line name: sgd, momentum, ..., lion
    const char* label;  // for tables and legends
    edgeopt_algorithm algorithm;
    double mlp_lr;   // peak lr for the MLP (table in optimizers.cpp)
    double bowl_lr;  // lr on f(x, y) = x²/20 + y²; tools/demo.cpp's choices
};

const std::vector<optimizer_entry>& optimizer_roster();
const optimizer_entry* find_optimizer(const std::string& name);

// The entry's MLP configuration, then each "key=value" of `settings` with
// torch's names (lr=0.01, betas=0.9,0.999, nesterov=true, ...), validated.
bool make_config(const optimizer_entry& entry, const std::vector<std::string>& settings, edgeopt_config& out,
                 std::string& error);

// The same configuration with the lr replaced by the entry's bowl_lr.
edgeopt_config bowl_config(const optimizer_entry& entry, edgeopt_config config);

// lr of any configuration.
double config_lr(const edgeopt_config& config);

}  // namespace finetune
