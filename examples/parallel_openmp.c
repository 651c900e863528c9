/* SPDX-License-Identifier: Apache-2.0 */
/* edgeopt_step_parallel with OpenMP as the parallel-for: the library stays
 * thread-free, the caller's runtime runs the ranges.  Checked against
 * edgeopt_step on a twin optimizer.  C11, build with -fopenmp. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <edgeopt/edgeopt.h>
#include <omp.h>

/* The parallel-for: one OpenMP iteration per task. */
static void openmp_for(void* context, size_t tasks, edgeopt_task_fn task, void* task_context) {
    (void)context;
#pragma omp parallel for schedule(static)
    for (long i = 0; i < (long)tasks; ++i) task(task_context, (size_t)i);
}

#define N (1u << 20)

int main(void) {
    edgeopt_config config = edgeopt_defaults(EDGEOPT_ADAMW);
    config.state_dtype[0] = EDGEOPT_Q8; /* q8 blocks: the split keeps them whole */
    const size_t length = N, bytes = edgeopt_state_bytes(&config, &length, 1);
    float* params[2] = {malloc(N * sizeof(float)), malloc(N * sizeof(float))};
    float* grads = malloc(N * sizeof(float));
    unsigned char* arenas[2] = {malloc(bytes), malloc(bytes)};
    edgeopt_optimizer opt[2];
    edgeopt_status status = params[0] && params[1] && grads && arenas[0] && arenas[1] ? EDGEOPT_OK : EDGEOPT_ERR_NULL_POINTER;
    for (int k = 0; k < 2 && status == EDGEOPT_OK; ++k) {
        for (size_t i = 0; i < N; ++i) params[k][i] = (float)(i % 977) / 977.0f - 0.5f;
        status = edgeopt_init(&opt[k], &config, &length, 1, arenas[k], bytes);
    }
    const edgeopt_parallel_for pf = {openmp_for, NULL, (size_t)omp_get_max_threads()};
    for (int step = 0; step < 10 && status == EDGEOPT_OK; ++step) {
        for (size_t i = 0; i < N; ++i) grads[i] = params[0][i] - 0.25f;
        const edgeopt_tensor serial = {params[0], grads, N}, parallel = {params[1], grads, N};
        status = edgeopt_step(&opt[0], &serial, 1);
        if (status == EDGEOPT_OK) status = edgeopt_step_parallel(&opt[1], &parallel, 1, &pf);
    }
    const int same = status == EDGEOPT_OK && memcmp(params[0], params[1], N * sizeof(float)) == 0 &&
                     memcmp(arenas[0], arenas[1], bytes) == 0;
    if (status != EDGEOPT_OK)
        printf("edgeopt: %s\n", edgeopt_status_message(status));
    else
        printf("OpenMP, %zu tasks: %s\n", pf.tasks, same ? "the same bits as edgeopt_step" : "DIFFERENT from edgeopt_step");
    for (int k = 0; k < 2; ++k) {
        free(params[k]);
        free(arenas[k]);
    }
    free(grads);
    return same ? 0 : 1;
}
