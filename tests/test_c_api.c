/* SPDX-License-Identifier: Apache-2.0 */
/* edgeopt.h from plain C11: a static arena sized by the macro, Adam with
 * torch's defaults, three steps and one error.  Returns non-zero on failure. */
#include <stdio.h>
#include <string.h>

#include "edgeopt/edgeopt.h"

#define N 10

static unsigned char arena[EDGEOPT_ARENA_BYTES_1(2, N)];

static int failures = 0;

static void check(int ok, const char* what) {
    if (!ok) {
        printf("FAILED: %s\n", what);
        ++failures;
    }
}

int main(void) {
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
