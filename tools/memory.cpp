// SPDX-License-Identifier: Apache-2.0
// edgeopt-memory: optimizer state per parameter for every optimizer and
// state dtype, as a markdown table (README, "Low precision"), from the
// library's own accounting (edgeopt_state_bytes_per_param, and
// edgeopt_state_bytes for one 1M-parameter tensor, alignment included).
#include <cstdio>
#include <string>
#include <vector>

#include "cli.hpp"
#include "edgeopt/edgeopt.h"

namespace {

const edgeopt::cli::program memory_program = {
    "edgeopt-memory", "",
    "Optimizer state bytes per parameter for every optimizer and state dtype, as\n"
    "a markdown table (README, \"Low precision\").",
    {}};

struct row {
    const char* name;
    edgeopt_config config;
};

edgeopt_config with(edgeopt_algorithm a, void (*tweak)(edgeopt_config&)) {
    edgeopt_config c = edgeopt_defaults(a);
    if (tweak) tweak(c);
    return c;
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<std::string> no_files;
    const int status = edgeopt::cli::parse(
        memory_program, argc, argv, [](const std::string&, const char*) { return std::string(); }, no_files);
    if (status >= 0) return status;
    // Every algorithm with torch's defaults (SGD with an lr), then the
    // options that add state slots.
    std::vector<row> rows;
    for (unsigned a = EDGEOPT_SGD; a < EDGEOPT_SGD + EDGEOPT_ALGORITHM_COUNT; ++a) {
        const auto algorithm = static_cast<edgeopt_algorithm>(a);
        rows.push_back({edgeopt_algorithm_torch_name(algorithm),
                        with(algorithm, [](edgeopt_config& c) { *edgeopt_config_lr(&c) = 0.1; })});
    }
    rows.push_back({"SGD momentum, Nesterov",
                    with(EDGEOPT_SGD, [](edgeopt_config& c) { c.sgd.lr = 0.1, c.sgd.momentum = 0.9; })});
    rows.push_back({"RMSprop centered, momentum", with(EDGEOPT_RMSPROP, [](edgeopt_config& c) {
                        c.rmsprop.centered = true, c.rmsprop.momentum = 0.9;
                    })});
    rows.push_back({"Adam amsgrad", with(EDGEOPT_ADAM, [](edgeopt_config& c) { c.adam.amsgrad = true; })});
    const edgeopt_dtype dtypes[] = {EDGEOPT_F32, EDGEOPT_BF16, EDGEOPT_F16, EDGEOPT_Q8};
    const std::size_t million[1] = {1u << 20};
    std::printf("| optimizer | slots | f32 | bf16 | f16 | q8 | 2^20 parameters: f32 → q8 |\n|---|---|---|---|---|---|---|\n");
    for (const row& r : rows) {
        std::printf("| %s | %u |", r.name, edgeopt_state_slots(&r.config));
        std::size_t first = 0, last = 0;
        for (edgeopt_dtype d : dtypes) {
            edgeopt_config c = r.config;
            for (edgeopt_dtype& s : c.state_dtype) s = d;
            std::printf(" %.4g B |", edgeopt_state_bytes_per_param(&c));
            const std::size_t bytes = edgeopt_state_bytes(&c, million, 1);
            if (d == EDGEOPT_F32) first = bytes;
            last = bytes;
        }
        std::printf(" %zu → %zu bytes |\n", first, last);
    }
    return 0;
}
