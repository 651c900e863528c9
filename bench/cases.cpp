// SPDX-License-Identifier: Apache-2.0
#include "cases.hpp"

#include <cstdio>

namespace bench {

namespace {

optimizer_case make(const char* name, edgeopt_algorithm algorithm, void (*edit)(edgeopt_config&)) {
    optimizer_case c{name, edgeopt_defaults(algorithm)};
    if (edit) edit(c.config);
    return c;
}

}  // namespace

// torch's defaults, except: SGD needs a learning rate, and momentum runs
// with the weight decay of the usual ResNet recipe (5e-4); Lion uses
// lion-pytorch's lr with weight decay on, as it is trained in practice.
const std::vector<optimizer_case>& optimizer_cases() {
    static std::vector<optimizer_case> cases = {
        make("sgd", EDGEOPT_SGD, [](edgeopt_config& c) { c.sgd.lr = 0.01; }),
        make("sgd_momentum", EDGEOPT_SGD,
             [](edgeopt_config& c) {
                 c.sgd.lr = 0.01;
                 c.sgd.momentum = 0.9;
                 c.sgd.weight_decay = 5e-4;
             }),
        make("nesterov", EDGEOPT_SGD,
             [](edgeopt_config& c) {
                 c.sgd.lr = 0.01;
                 c.sgd.momentum = 0.9;
                 c.sgd.weight_decay = 5e-4;
                 c.sgd.nesterov = true;
             }),
        make("adagrad", EDGEOPT_ADAGRAD, nullptr),
        make("rmsprop", EDGEOPT_RMSPROP, nullptr),
        make("adadelta", EDGEOPT_ADADELTA, nullptr),
        make("adam", EDGEOPT_ADAM, nullptr),
        make("adam_amsgrad", EDGEOPT_ADAM, [](edgeopt_config& c) { c.adam.amsgrad = true; }),
        make("adamw", EDGEOPT_ADAMW, nullptr),
        make("adamax", EDGEOPT_ADAMAX, nullptr),
        make("nadam", EDGEOPT_NADAM, nullptr),
        make("radam", EDGEOPT_RADAM, nullptr),
        make("lion", EDGEOPT_LION, [](edgeopt_config& c) { c.lion.weight_decay = 1e-2; }),
        // The opt-in folded form (edgeopt_form): one divide per element.
        make("adam_folded", EDGEOPT_ADAM, [](edgeopt_config& c) { c.form = EDGEOPT_FORM_FOLDED; }),
        make("adamw_folded", EDGEOPT_ADAMW, [](edgeopt_config& c) { c.form = EDGEOPT_FORM_FOLDED; }),
        make("nadam_folded", EDGEOPT_NADAM, [](edgeopt_config& c) { c.form = EDGEOPT_FORM_FOLDED; }),
        make("radam_folded", EDGEOPT_RADAM, [](edgeopt_config& c) { c.form = EDGEOPT_FORM_FOLDED; }),
    };
    // Every other algorithm of the library, with torch's defaults.
    static const bool completed = [] {
        for (unsigned a = EDGEOPT_SGD; a < EDGEOPT_SGD + EDGEOPT_ALGORITHM_COUNT; ++a) {
            const auto algorithm = static_cast<edgeopt_algorithm>(a);
            bool listed = false;
            for (const optimizer_case& c : cases) listed = listed || c.config.algorithm == algorithm;
            if (!listed) cases.push_back(make(edgeopt_algorithm_name(algorithm), algorithm, nullptr));
        }
        return true;
    }();
    (void)completed;
    return cases;
}

std::size_t shape::total() const {
    std::size_t sum = 0;
    for (std::size_t n : lengths) sum += n;
    return sum;
}

std::vector<std::size_t> resnet110_lengths() {
    std::vector<std::size_t> lengths;
    auto conv_bn = [&](std::size_t in, std::size_t out) {
        lengths.push_back(out * in * 9);  // 3×3 conv, no bias (BatchNorm follows)
        lengths.push_back(out);           // BatchNorm weight
        lengths.push_back(out);           // BatchNorm bias
    };
    conv_bn(3, 16);
    std::size_t in = 16;
    for (std::size_t width : {16, 32, 64}) {
        for (int block = 0; block < 18; ++block) {  // 6n + 2 layers, n = 18
            conv_bn(in, width);
            conv_bn(width, width);
            in = width;  // option A shortcuts: identity with zero padding, no parameters
        }
    }
    lengths.push_back(64 * 10);  // fc weight
    lengths.push_back(10);       // fc bias
    return lengths;
}

std::vector<shape> shapes(bool smoke) {
    std::vector<shape> list = {{"4K", {std::size_t{1} << 12}}};
    if (smoke) return list;
    list.push_back({"64K", {std::size_t{1} << 16}});
    list.push_back({"1M", {std::size_t{1} << 20}});
    list.push_back({"16M", {std::size_t{1} << 24}});
    list.push_back({"model", resnet110_lengths()});
    return list;
}

unsigned state_slots(const optimizer_case& c) { return edgeopt_state_slots(&c.config); }

std::string describe(const op_mix& m) {
    char text[96];
    std::snprintf(text, sizeof text, "fma=%u mul=%u add=%u div=%u sqrt=%u other=%u", m.fma, m.mul, m.add, m.div,
                  m.sqrt, m.other);
    return text;
}

}  // namespace bench
