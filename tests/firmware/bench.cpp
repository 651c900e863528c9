// SPDX-License-Identifier: Apache-2.0
// Measurements for platforms/cortex-m/budgets.sh (also run by ctest as a
// smoke test): for every option set (option_specs.cpp) and the kernel named
// on the command line, one step on 1024 and on 2048 parameters between
// cortexm_insn_mark() calls (counted under CORTEXM_COUNT_INSNS=1), the stack
// high-water mark of a step, and the state bytes per parameter.
//   bench ISA    prints, after each option set's 4 marks (2 per length):
//   bench <isa>|<spec>|<state bytes per parameter>|<stack bytes of a step>
#include <cstdio>

#include "check.h"
#include "option_specs.hpp"
#include "spec.hpp"
#include "support.h"

namespace {

constexpr std::size_t long_length = 2048;
float params[long_length], grads[long_length];
alignas(EDGEOPT_ARENA_ALIGN) unsigned char arena[EDGEOPT_ARENA_BYTES_1(3, long_length)];

void fill(std::size_t length) {
    for (std::size_t i = 0; i < length; ++i) {
        params[i] = 0.001f * static_cast<float>(static_cast<int>(i % 97) - 48);
        grads[i] = 0.01f * static_cast<float>(static_cast<int>(i * 7 % 31) - 15);
    }
}

// Steps once to warm up, then counts the second step; returns its stack use.
std::size_t measure(const edgeopt_config& config, edgeopt_isa isa, std::size_t length) {
    fill(length);
    edgeopt_optimizer opt;
    const edgeopt_tensor tensor{params, grads, length};
    CHECK(edgeopt_init(&opt, &config, &length, 1, arena, sizeof arena) == EDGEOPT_OK &&
          edgeopt_set_isa(&opt, isa) == EDGEOPT_OK && edgeopt_step(&opt, &tensor, 1) == EDGEOPT_OK);
    cortexm_insn_mark();
    CHECK(edgeopt_step(&opt, &tensor, 1) == EDGEOPT_OK);
    cortexm_insn_mark();
    cortexm_stack_repaint();
    const std::size_t depth = cortexm_stack_depth();
    CHECK(edgeopt_step(&opt, &tensor, 1) == EDGEOPT_OK);
    return cortexm_stack_high_water() - depth;
}

}  // namespace

int main(int argc, char** argv) {
    edgeopt_isa isa = EDGEOPT_ISA_SCALAR;
    if (argc > 1 && !CHECK(edgeopt_isa_parse(argv[1], &isa) && edgeopt_isa_available(isa))) return check_summary("bench");
    std::printf("bench: sizeof(edgeopt_optimizer) %u bytes; arena overhead for one tensor %u bytes\n",
                unsigned(sizeof(edgeopt_optimizer)), unsigned(EDGEOPT_ARENA_BYTES_1(0, 1)));
    for (std::size_t c = 0; c < firmware::option_spec_count; ++c) {
        edgeopt_config config;
        check_context("%s", firmware::option_specs[c]);
        if (!CHECK(firmware::parse_spec(firmware::option_specs[c], config) == nullptr)) continue;
        const std::size_t stack = measure(config, isa, long_length / 2);
        measure(config, isa, long_length);
        std::printf("bench %s|%s|%u|%u\n", edgeopt_isa_name(isa), firmware::option_specs[c],
                    4u * edgeopt_state_slots(&config), unsigned(stack));
    }
    return check_summary("bench");
}
