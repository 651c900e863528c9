/* SPDX-License-Identifier: Apache-2.0 */
/* Adam on a 784-128-10 MLP's tensors, each step spread over the threads of
 * the bundled pool (edgeopt::pool), checked against edgeopt_step on a twin
 * optimizer: the same bits whatever the thread count.  C11. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <edgeopt/edgeopt.h>
#include <edgeopt/pool.h>

#define COUNT 4
static const size_t lengths[COUNT] = {784 * 128, 128, 128 * 10, 10};

struct model {
    edgeopt_optimizer opt;
    edgeopt_tensor tensors[COUNT];
    float* params[COUNT];
    unsigned char* arena;
};

static int model_init(struct model* m, const edgeopt_config* config, float* const grads[COUNT]) {
    const size_t bytes = edgeopt_state_bytes(config, lengths, COUNT);
    m->arena = malloc(bytes);
    if (!m->arena) return 0;
    for (int t = 0; t < COUNT; ++t) {
        m->params[t] = malloc(lengths[t] * sizeof(float));
        if (!m->params[t]) return 0;
        for (size_t i = 0; i < lengths[t]; ++i) m->params[t][i] = (float)((i * 2654435761u) % 1000) / 1000.0f - 0.5f;
        m->tensors[t] = (edgeopt_tensor){m->params[t], grads[t], lengths[t]};
    }
    return edgeopt_init(&m->opt, config, lengths, COUNT, m->arena, bytes) == EDGEOPT_OK;
}

static void model_free(struct model* m) {
    edgeopt_destroy(&m->opt);
    for (int t = 0; t < COUNT; ++t) free(m->params[t]);
    free(m->arena);
}

int main(int argc, char** argv) {
    const size_t threads = argc > 1 ? (size_t)atoi(argv[1]) : 2;
    edgeopt_config config = edgeopt_defaults(EDGEOPT_ADAM);
    config.adam.lr = 1e-3;
    float* grads[COUNT] = {NULL, NULL, NULL, NULL};
    int ready = 1;
    for (int t = 0; t < COUNT; ++t) ready = ready && (grads[t] = malloc(lengths[t] * sizeof(float))) != NULL;
    struct model serial, parallel;
    memset(&serial, 0, sizeof serial); /* model_free() may follow any failure */
    memset(&parallel, 0, sizeof parallel);
    ready = ready && model_init(&serial, &config, grads) && model_init(&parallel, &config, grads);
    /* Created once; every step reuses its threads. */
    edgeopt_pool* pool = ready ? edgeopt_pool_create(threads) : NULL;
    if (!pool) {
        model_free(&serial);
        model_free(&parallel);
        for (int t = 0; t < COUNT; ++t) free(grads[t]);
        return 1;
    }
    const edgeopt_parallel_for pf = edgeopt_pool_parallel_for(pool);
    edgeopt_status status = EDGEOPT_OK;
    for (int step = 0; step < 20 && status == EDGEOPT_OK; ++step) {
        for (int t = 0; t < COUNT; ++t)
            for (size_t i = 0; i < lengths[t]; ++i) grads[t][i] = parallel.params[t][i] * 0.5f + (float)(step % 3) * 0.01f;
        status = edgeopt_step_parallel(&parallel.opt, parallel.tensors, COUNT, &pf);
        if (status == EDGEOPT_OK) status = edgeopt_step(&serial.opt, serial.tensors, COUNT);
    }
    edgeopt_pool_destroy(pool);
    int same = status == EDGEOPT_OK;
    for (int t = 0; t < COUNT; ++t) same = same && memcmp(serial.params[t], parallel.params[t], lengths[t] * sizeof(float)) == 0;
    if (status != EDGEOPT_OK)
        printf("edgeopt: %s\n", edgeopt_status_message(status));
    else
        printf("%zu threads, %llu steps: %s\n", threads, (unsigned long long)edgeopt_step_count(&parallel.opt),
               same ? "the same bits as edgeopt_step" : "DIFFERENT from edgeopt_step");
    model_free(&serial);
    model_free(&parallel);
    for (int t = 0; t < COUNT; ++t) free(grads[t]);
    return same ? 0 : 1;
}
