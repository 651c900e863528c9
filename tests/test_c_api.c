/* SPDX-License-Identifier: Apache-2.0 */
/* edgeopt.h from plain C11: a static arena sized by the macro, Adam with
 * torch's defaults, three steps and one error.  Returns non-zero on failure. */
#include <stdio.h>
#include <string.h>

#include "edgeopt/edgeopt.h"

#define N 10

static unsigned char arena[EDGEOPT_ARENA_BYTES_1(2, N)];
/* Sizes that would wrap are 0 (issue 14: this was 127); a constant check. */
_Static_assert(EDGEOPT_ARENA_BYTES_1(1, (size_t)1 << (sizeof(size_t) * 8 - 2)) == 0, "wraps to 0");

static int failures = 0;

static void check(int ok, const char* what) {
    if (!ok) {
        printf("FAILED: %s\n", what);
        ++failures;
    }
}

/* Issue 14: C may store any int in an enum; every entry point must answer
 * with its documented error (or NULL/false/0), never read it as a C++ enum
 * first (undefined behaviour that clang's -fsanitize=enum aborts on). */
static void unlisted_enum_values(void) {
    edgeopt_config config = edgeopt_defaults(EDGEOPT_ADAM);
    config.algorithm = (edgeopt_algorithm)99;
    check(edgeopt_validate(&config) == EDGEOPT_ERR_UNKNOWN_ALGORITHM, "validate: algorithm 99");
    check(edgeopt_state_slots(&config) == 0, "state_slots: algorithm 99");
    check(edgeopt_state_slot_name(&config, 0) == NULL, "slot_name: algorithm 99");
    check(edgeopt_config_lr(&config) == NULL, "config_lr: algorithm 99");
    check(edgeopt_defaults((edgeopt_algorithm)99).algorithm == (edgeopt_algorithm)0, "defaults(99) is unknown");
    check(edgeopt_defaults((edgeopt_algorithm)-1).algorithm == (edgeopt_algorithm)0, "defaults(-1) is unknown");
    check(edgeopt_algorithm_name((edgeopt_algorithm)99) == NULL, "algorithm_name(99)");
    check(edgeopt_isa_default((edgeopt_algorithm)99) == edgeopt_isa_default(EDGEOPT_SGD), "isa_default(99)");
    check(strlen(edgeopt_status_message((edgeopt_status)99)) > 0, "status_message(99)");
    check(strlen(edgeopt_status_message((edgeopt_status)-7)) > 0, "status_message(-7)");
    check(edgeopt_dtype_name((edgeopt_dtype)13) == NULL, "dtype_name(13)");
    check(edgeopt_isa_name((edgeopt_isa)99) == NULL, "isa_name(99)");
    check(!edgeopt_isa_available((edgeopt_isa)99), "isa_available(99)");
    check(!edgeopt_isa_bit_exact((edgeopt_isa)99), "isa_bit_exact(99)");

    config = edgeopt_defaults(EDGEOPT_ADAM);
    config.state_dtype[1] = (edgeopt_dtype)13;
    check(edgeopt_validate(&config) == EDGEOPT_ERR_INVALID_DTYPE, "validate: state dtype 13");
    config = edgeopt_defaults(EDGEOPT_ADAM);
    config.param_rounding = (edgeopt_rounding)77;
    check(edgeopt_validate(&config) == EDGEOPT_ERR_INVALID_ROUNDING, "validate: rounding 77");
    config = edgeopt_defaults(EDGEOPT_ADAM);
    check(config.form == EDGEOPT_FORM_TORCH, "defaults: torch's form");
    config.form = (edgeopt_form)5;
    check(edgeopt_validate(&config) == EDGEOPT_ERR_INVALID_FORM, "validate: form 5");
    config.form = EDGEOPT_FORM_FOLDED;
    check(edgeopt_validate(&config) == EDGEOPT_OK, "validate: Adam folded");
    config = edgeopt_defaults(EDGEOPT_ADAMAX);
    config.form = EDGEOPT_FORM_FOLDED;
    check(edgeopt_validate(&config) == EDGEOPT_ERR_INVALID_FORM, "validate: AdaMax has no folded form");

    static unsigned char small[EDGEOPT_ARENA_BYTES_1(2, 4)];
    float params[4] = {1, 2, 3, 4}, grads[4] = {1, 1, 1, 1};
    const size_t length = 4;
    edgeopt_optimizer opt;
    config = edgeopt_defaults(EDGEOPT_ADAM);
    check(edgeopt_init(&opt, &config, &length, 1, small, sizeof small) == EDGEOPT_OK, "init for enum checks");
    check(edgeopt_set_isa(&opt, (edgeopt_isa)99) == EDGEOPT_ERR_UNKNOWN_ISA, "set_isa(99)");
    edgeopt_tensor tensor = edgeopt_tensor_of(params, (edgeopt_dtype)9, grads, EDGEOPT_F32, 4);
    check(edgeopt_step(&opt, &tensor, 1) == EDGEOPT_ERR_INVALID_DTYPE, "step: param dtype 9");
    tensor = edgeopt_tensor_of(params, EDGEOPT_F32, grads, (edgeopt_dtype)-2, 4);
    check(edgeopt_step(&opt, &tensor, 1) == EDGEOPT_ERR_INVALID_DTYPE, "step: grad dtype -2");
    check(edgeopt_step_count(&opt) == 0 && params[0] == 1.0f, "nothing changed");
    check(edgeopt_convert(params, (edgeopt_dtype)9, grads, EDGEOPT_F32, 4) == EDGEOPT_ERR_INVALID_DTYPE,
          "convert from dtype 9");
    check(edgeopt_convert(params, EDGEOPT_F32, grads, (edgeopt_dtype)9, 4) == EDGEOPT_ERR_INVALID_DTYPE,
          "convert to dtype 9");
}

int main(void) {
    unlisted_enum_values();
    float params[N], start[N], grads[N];
    const size_t length = N;
    for (int i = 0; i < N; ++i) {
        params[i] = start[i] = 0.1f * (float)(i - 4);
        grads[i] = (i % 3 == 0) ? -0.5f : 0.25f * (float)(i + 1);
    }
    const edgeopt_config config = edgeopt_defaults(EDGEOPT_ADAM);
    check(edgeopt_state_slots(&config) == 2, "adam has 2 state slots");
    check(edgeopt_state_bytes(&config, &length, 1) == sizeof arena, "the macro gives state_bytes");

    edgeopt_optimizer opt;
    check(edgeopt_init(&opt, &config, &length, 1, arena, sizeof arena) == EDGEOPT_OK, "init");
    const edgeopt_tensor tensor = {params, grads, N};
    for (int s = 0; s < 3; ++s) check(edgeopt_step(&opt, &tensor, 1) == EDGEOPT_OK, "step");
    check(edgeopt_step_count(&opt) == 3, "step count is 3");
    for (int i = 0; i < N; ++i) check(grads[i] > 0 ? params[i] < start[i] : params[i] > start[i], "moved against grad");

    /* An error leaves params alone and has a message. */
    float before[N];
    memcpy(before, params, sizeof params);
    const edgeopt_tensor longer = {params, grads, N + 1};
    const edgeopt_status status = edgeopt_step(&opt, &longer, 1);
    check(status == EDGEOPT_ERR_LENGTH_MISMATCH, "a longer tensor is LENGTH_MISMATCH");
    check(memcmp(before, params, sizeof params) == 0, "params untouched on error");
    check(strstr(edgeopt_status_message(status), "length") != NULL, "its message mentions the length");
    check(edgeopt_step_count(&opt) == 3, "step count unchanged on error");

    edgeopt_destroy(&opt);
    check(edgeopt_step(&opt, &tensor, 1) == EDGEOPT_ERR_NOT_INITIALIZED, "step after destroy");
    if (failures == 0) printf("test_c_api: all checks passed\n");
    return failures == 0 ? 0 : 1;
}
