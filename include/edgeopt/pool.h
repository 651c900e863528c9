/* SPDX-License-Identifier: Apache-2.0 */
/* edgeopt_pool — a thread pool for edgeopt_step_parallel on hosted systems.
 *
 * Not part of the firmware library: a separate target (edgeopt::pool,
 * src/host/pool.cpp) that uses the heap and threads once, at creation.
 * The threads are created by edgeopt_pool_create and reused by every step
 * until edgeopt_pool_destroy; a step creates none.
 *
 *   edgeopt_pool* pool = edgeopt_pool_create(4);            caller + 3 workers
 *   edgeopt_parallel_for pf = edgeopt_pool_parallel_for(pool);
 *   edgeopt_step_parallel(&opt, tensors, count, &pf);        every step
 *   edgeopt_pool_destroy(pool);
 */
#ifndef EDGEOPT_POOL_H
#define EDGEOPT_POOL_H

#include "edgeopt/edgeopt.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct edgeopt_pool edgeopt_pool;

/* A pool of `threads` threads in all: the calling thread takes part in each
 * parallel-for, so threads - 1 are created.  NULL if threads is 0 or a
 * thread cannot be created. */
edgeopt_pool* edgeopt_pool_create(size_t threads);
/* Joins the workers and frees the pool; NULL is allowed.  Not while a
 * parallel-for on it is running. */
void edgeopt_pool_destroy(edgeopt_pool* pool);
size_t edgeopt_pool_threads(const edgeopt_pool* pool);

/* A parallel-for (edgeopt.h) running its tasks on the pool's threads, one
 * task per thread.  Calls from several threads at once take turns. */
edgeopt_parallel_for edgeopt_pool_parallel_for(edgeopt_pool* pool);
/* The same run function, for any task count. */
void edgeopt_pool_run(void* pool, size_t tasks, edgeopt_task_fn task, void* task_context);

#ifdef __cplusplus
}
#endif

#endif /* EDGEOPT_POOL_H */
