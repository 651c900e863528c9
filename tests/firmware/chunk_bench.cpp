// SPDX-License-Identifier: Apache-2.0
// Bounded-time pieces of a step, for platforms/cortex-m/chunk_budgets.sh
// (ctest runs it once per kernel as a smoke test): for every option set,
// steps 1 to 10 of a 4-tensor model of 2048 float32 parameters, each taken
// as edgeopt_step_begin, eight edgeopt_step_run calls of 256 elements (two
// of them crossing a tensor boundary) and edgeopt_step_end, every call
// between a pair of cortexm_insn_mark() calls.  Prints one line per pair, in
// order, so the script can pair them with the plugin's counts:
//   measure <spec>|<begin|run|end|empty>
#include <cstdio>

#include "check.h"
#include "option_specs.hpp"
#include "spec.hpp"
#include "support.h"

namespace {

constexpr std::size_t tensor_count = 4;
const std::size_t lengths[tensor_count] = {1000, 300, 40, 708};
constexpr std::size_t total = 2048, chunk = 256;
constexpr int steps = 10;
float params[total], grads[total];
alignas(EDGEOPT_ARENA_ALIGN) unsigned char arena[EDGEOPT_ARENA_BYTES(3, tensor_count, total)];

void measured(const char* spec, const char* what) { std::printf("measure %s|%s\n", spec, what); }

void run(const char* spec, const edgeopt_config& config, edgeopt_isa isa) {
    for (std::size_t i = 0; i < total; ++i) {
        params[i] = 0.001f * static_cast<float>(static_cast<int>(i % 97) - 48);
        grads[i] = 0.01f * static_cast<float>(static_cast<int>(i * 7 % 31) - 15);
    }
    edgeopt_optimizer opt;
    edgeopt_tensor tensors[tensor_count];
    std::size_t start = 0;
    for (std::size_t t = 0; t < tensor_count; ++t) {
        tensors[t] = {params + start, grads + start, lengths[t]};
        start += lengths[t];
    }
    if (!CHECK(edgeopt_init(&opt, &config, lengths, tensor_count, arena, sizeof arena) == EDGEOPT_OK &&
               edgeopt_set_isa(&opt, isa) == EDGEOPT_OK))
        return;
    for (int s = 0; s < steps; ++s) {
        edgeopt_step_plan plan;
        bool ok = true;
        cortexm_insn_mark();
        cortexm_insn_mark();
        measured(spec, "empty");
        cortexm_insn_mark();
        ok = ok && edgeopt_step_begin(&opt, tensors, tensor_count, &plan) == EDGEOPT_OK;
        cortexm_insn_mark();
        measured(spec, "begin");
        for (std::size_t begin = 0; begin < total; begin += chunk) {
            cortexm_insn_mark();
            ok = ok && edgeopt_step_run(&opt, &plan, begin, begin + chunk) == EDGEOPT_OK;
            cortexm_insn_mark();
            measured(spec, "run");
        }
        cortexm_insn_mark();
        ok = ok && edgeopt_step_end(&opt, &plan) == EDGEOPT_OK;
        cortexm_insn_mark();
        measured(spec, "end");
        CHECK(ok);
    }
    CHECK(edgeopt_step_count(&opt) == steps);
}

}  // namespace

int main(int argc, char** argv) {
    edgeopt_isa isa = EDGEOPT_ISA_SCALAR;
    if (argc > 1 && !CHECK(edgeopt_isa_parse(argv[1], &isa) && edgeopt_isa_available(isa)))
        return check_summary("chunk bench");
    for (std::size_t c = 0; c < firmware::option_spec_count; ++c) {
        edgeopt_config config;
        check_context("%s", firmware::option_specs[c]);
        if (!CHECK(firmware::parse_spec(firmware::option_specs[c], config) == nullptr)) continue;
        run(firmware::option_specs[c], config, isa);
    }
    return check_summary("chunk bench");
}
