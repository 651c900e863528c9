// SPDX-License-Identifier: Apache-2.0
#include "optimizers.hpp"

#include "case_file.hpp"  // set_option: torch keyword names, shared with edgeopt-replay

namespace finetune {

// Hyper-parameters for the 784-128-10 MLP: batch 64, a few epochs over
// Fashion-MNIST, the lr below being the peak of the warm-up + cosine
// schedule.  Everything not listed is torch's default.  Picked from a sweep
// of ×2 steps around torch's defaults (20k images, 3 epochs): a short run
// whose lr decays to 0 favours the upper end of each optimizer's usual range.
//
// | optimizer | lr     | other                       | why                                             |
// |-----------|--------|-----------------------------|-------------------------------------------------|
// | sgd       | 0.2    |                             | plain SGD needs a large step on this MLP        |
// | momentum  | 0.05   | momentum=0.9                | effective step lr/(1−μ) = 0.5                   |
// | nesterov  | 0.05   | momentum=0.9, nesterov=true | as momentum                                     |
// | adagrad   | 0.05   |                             | 0.01 (torch's) is slow; 0.05–0.1 is a plateau   |
// | rmsprop   | 0.002  |                             | torch's 0.01 is unstable early on               |
// | adadelta  | 1.0    |                             | torch's default: AdaDelta is meant to need none |
// | adam      | 0.002  |                             | 2× torch's 0.001                                |
// | adamw     | 0.002  | weight_decay=0.01           | as adam; torch's decoupled decay                |
// | adamax    | 0.004  |                             | 2× torch's 0.002 (its ∞-norm steps are smaller) |
// | nadam     | 0.002  |                             | torch's default                                 |
// | radam     | 0.002  |                             | 2× torch's 0.001 (rectification slows the start)|
// | lion      | 0.0003 | betas=0.9,0.99              | sign steps: ~1/7 of Adam's lr, as Chen et al.   |
namespace {

// name, label, algorithm, MLP lr (the table above), bowl lr (tools/demo.cpp's).
const std::vector<optimizer_entry> roster = {
    {"sgd", "SGD", EDGEOPT_SGD, 0.2, 0.95},
    {"momentum", "Momentum", EDGEOPT_SGD, 0.05, 0.1},
    {"nesterov", "Nesterov", EDGEOPT_SGD, 0.05, 0.1},
    {"adagrad", "AdaGrad", EDGEOPT_ADAGRAD, 0.05, 1.5},
    {"rmsprop", "RMSprop", EDGEOPT_RMSPROP, 0.002, 0.1},
    {"adadelta", "AdaDelta", EDGEOPT_ADADELTA, 1.0, 1.0},
    {"adam", "Adam", EDGEOPT_ADAM, 0.002, 0.3},
    {"adamw", "AdamW", EDGEOPT_ADAMW, 0.002, 0.3},
    {"adamax", "AdaMax", EDGEOPT_ADAMAX, 0.004, 0.3},
    {"nadam", "NAdam", EDGEOPT_NADAM, 0.002, 0.3},
    {"radam", "RAdam", EDGEOPT_RADAM, 0.002, 0.3},
    {"lion", "Lion", EDGEOPT_LION, 3e-4, 0.1},
};

// The table above, as the configuration before --set.
edgeopt_config mlp_defaults(const optimizer_entry& entry) {
    edgeopt_config c = edgeopt_defaults(entry.algorithm);
    *edgeopt_config_lr(&c) = entry.mlp_lr;
    const std::string name = entry.name;
    if (name == "momentum" || name == "nesterov") {
        c.sgd.momentum = 0.9;
        c.sgd.nesterov = name == "nesterov";
    }
    return c;
}

}  // namespace

const std::vector<optimizer_entry>& optimizer_roster() { return roster; }

const optimizer_entry* find_optimizer(const std::string& name) {
    for (const optimizer_entry& e : roster)
        if (name == e.name) return &e;
    return nullptr;
}

bool make_config(const optimizer_entry& entry, const std::vector<std::string>& settings, edgeopt_config& out,
                 std::string& error) {
    out = mlp_defaults(entry);
    for (const std::string& setting : settings) {
        const auto eq = setting.find('=');
        if (eq == std::string::npos) {
            error = "--set needs key=value, got '" + setting + "'";
            return false;
        }
        if (!edgeopt::casefile::set_option(out, setting.substr(0, eq), setting.substr(eq + 1), error)) return false;
    }
    const edgeopt_status status = edgeopt_validate(&out);
    if (status != EDGEOPT_OK) error = std::string(entry.name) + ": " + edgeopt_status_message(status);
    return status == EDGEOPT_OK;
}

edgeopt_config bowl_config(const optimizer_entry& entry, edgeopt_config config) {
    *edgeopt_config_lr(&config) = entry.bowl_lr;
    return config;
}

double config_lr(const edgeopt_config& config) {
    edgeopt_config copy = config;
    const double* lr = edgeopt_config_lr(&copy);
    return lr ? *lr : 0.0;
}

}  // namespace finetune
