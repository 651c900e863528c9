// SPDX-License-Identifier: Apache-2.0
// Every optimizer with each of its options switched on at least once, for
// the kernel sweeps and the API tests.
#include "support.hpp"

namespace test {

std::vector<named_config> option_matrix() {
    std::vector<named_config> all;
    auto add = [&](const char* name, edgeopt_algorithm a, auto&& tweak) {
        edgeopt_config c = edgeopt_defaults(a);
        tweak(c);
        all.push_back({name, c});
    };
    add("sgd", EDGEOPT_SGD, [](edgeopt_config& c) { c.sgd.lr = 0.05; });
    add("sgd momentum dampening wd", EDGEOPT_SGD, [](edgeopt_config& c) {
        c.sgd = {0.05, 0.9, 0.1, 0.01, false, false};
    });
    add("sgd nesterov maximize", EDGEOPT_SGD, [](edgeopt_config& c) { c.sgd = {0.05, 0.9, 0.0, 0.0, true, true}; });
    add("adagrad", EDGEOPT_ADAGRAD, [](edgeopt_config&) {});
    add("adagrad lr_decay wd init maximize", EDGEOPT_ADAGRAD, [](edgeopt_config& c) {
        c.adagrad = {0.1, 0.01, 0.02, 0.1, 1e-8, true};
    });
    add("rmsprop", EDGEOPT_RMSPROP, [](edgeopt_config&) {});
    add("rmsprop centered", EDGEOPT_RMSPROP, [](edgeopt_config& c) { c.rmsprop.centered = true; });
    add("rmsprop momentum wd maximize", EDGEOPT_RMSPROP, [](edgeopt_config& c) {
        c.rmsprop = {0.01, 0.9, 1e-6, 0.01, 0.8, false, true};
    });
    add("rmsprop centered momentum", EDGEOPT_RMSPROP, [](edgeopt_config& c) {
        c.rmsprop.centered = true;
        c.rmsprop.momentum = 0.5;
    });
    add("adadelta", EDGEOPT_ADADELTA, [](edgeopt_config&) {});
    add("adadelta wd maximize", EDGEOPT_ADADELTA, [](edgeopt_config& c) { c.adadelta = {0.5, 0.8, 1e-5, 0.1, true}; });
    add("adam", EDGEOPT_ADAM, [](edgeopt_config&) {});
    add("adam amsgrad wd maximize", EDGEOPT_ADAM, [](edgeopt_config& c) {
        c.adam = {0.01, 0.8, 0.99, 1e-6, 0.05, true, true};
    });
    add("adamw", EDGEOPT_ADAMW, [](edgeopt_config&) {});
    add("adamw amsgrad", EDGEOPT_ADAMW, [](edgeopt_config& c) { c.adam.amsgrad = true; });
    add("adamax", EDGEOPT_ADAMAX, [](edgeopt_config&) {});
    add("adamax wd maximize", EDGEOPT_ADAMAX, [](edgeopt_config& c) { c.adamax = {0.01, 0.8, 0.9, 1e-6, 0.1, true}; });
    add("nadam", EDGEOPT_NADAM, [](edgeopt_config&) {});
    add("nadam wd momentum_decay", EDGEOPT_NADAM, [](edgeopt_config& c) {
        c.nadam = {0.01, 0.8, 0.99, 1e-6, 0.1, 0.01};
    });
    add("radam", EDGEOPT_RADAM, [](edgeopt_config&) {});
    add("radam wd beta2 0.9", EDGEOPT_RADAM, [](edgeopt_config& c) { c.radam = {0.01, 0.8, 0.9, 1e-6, 0.1}; });
    // The folded form (edgeopt_form), with every option its maths reads.
    auto fold = [](auto&& tweak) {
        return [tweak](edgeopt_config& c) {
            tweak(c);
            c.form = EDGEOPT_FORM_FOLDED;
        };
    };
    add("adam folded", EDGEOPT_ADAM, fold([](edgeopt_config&) {}));
    add("adam amsgrad wd maximize folded", EDGEOPT_ADAM, fold([](edgeopt_config& c) {
        c.adam = {0.01, 0.8, 0.99, 1e-6, 0.05, true, true};
    }));
    add("adamw folded", EDGEOPT_ADAMW, fold([](edgeopt_config&) {}));
    add("adamw amsgrad maximize folded", EDGEOPT_ADAMW, fold([](edgeopt_config& c) {
        c.adam.amsgrad = true;
        c.adam.maximize = true;
    }));
    add("nadam folded", EDGEOPT_NADAM, fold([](edgeopt_config&) {}));
    add("nadam wd momentum_decay folded", EDGEOPT_NADAM, fold([](edgeopt_config& c) {
        c.nadam = {0.01, 0.8, 0.99, 1e-6, 0.1, 0.01};
    }));
    add("radam folded", EDGEOPT_RADAM, fold([](edgeopt_config&) {}));
    add("radam wd beta2 0.9 folded", EDGEOPT_RADAM, fold([](edgeopt_config& c) {
        c.radam = {0.01, 0.8, 0.9, 1e-6, 0.1};
    }));
    add("lion", EDGEOPT_LION, [](edgeopt_config&) {});
    add("lion wd", EDGEOPT_LION, [](edgeopt_config& c) { c.lion = {0.001, 0.8, 0.95, 0.5}; });
    add("rprop", EDGEOPT_RPROP, [](edgeopt_config&) {});
    // Narrow bounds: the clamp acts on both sides within a few steps.
    add("rprop etas step_sizes maximize", EDGEOPT_RPROP, [](edgeopt_config& c) {
        c.rprop = {0.05, 0.3, 1.5, 0.01, 0.1, true};
    });
    add("asgd", EDGEOPT_ASGD, [](edgeopt_config&) {});
    // t0 = 0: the average starts moving at step 3.
    add("asgd averaging wd maximize", EDGEOPT_ASGD, [](edgeopt_config& c) {
        c.asgd = {0.05, 0.01, 0.5, 0.0, 0.05, true};
    });
    return all;
}

}  // namespace test
