/* SPDX-License-Identifier: Apache-2.0 */
/* edgeopt — a step in pieces: element ranges, threads and bounded chunks.
 * Included by edgeopt.h; C API, usable from C99 and C++. */
#ifndef EDGEOPT_STEP_H
#define EDGEOPT_STEP_H

#include "edgeopt/edgeopt.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- A step in pieces ----------------------------------------------------
 *
 * edgeopt_step is begin + run(every element) + end.  The three calls apart
 * let a step be applied to element ranges of the flattened parameter space
 * (tensor 0's elements, then tensor 1's, ...; a range may cross tensors), in
 * any order, split any way, by any number of threads: the result is the same
 * bits as edgeopt_step, for every optimizer, option, dtype and kernel.
 *
 *   edgeopt_step_plan plan;
 *   edgeopt_step_begin(&opt, tensors, count, &plan);   validates, forms the per-step scalars
 *   edgeopt_step_run(&opt, &plan, 0, 1000);            any disjoint ranges, any threads
 *   edgeopt_step_run(&opt, &plan, 1000, plan.total);
 *   edgeopt_step_end(&opt, &plan);                      step count + 1
 *
 * - The tensors array and its buffers must stay valid and unchanged (apart
 *   from the step's own writes) from begin to end.
 * - Ranges run concurrently must be disjoint; each element should be run at
 *   most once a step (a range run twice is updated twice: not checked).
 * - With q8 state a range must start and end on a block boundary of its
 *   tensor (a multiple of EDGEOPT_Q8_BLOCK from the tensor's start) or at a
 *   tensor's end: EDGEOPT_ERR_RANGE_SPLITS_BLOCK otherwise.
 * - Elements no range covered are untouched by the step, parameters and
 *   state alike, while the step count still advances: a partial update, with
 *   the lazy semantics of torch's SparseAdam (README, "A step in pieces").
 * - Between begin and end, calls that change the optimizer (set_lr,
 *   set_config, set_isa, reset, state_write, set_step_count, checkpoint
 *   load, another step) make the plan fail by name; nothing is locked, so do not make them while runs are in
 *   flight.
 * Every error leaves parameters, state, the optimizer and the plan unchanged. */
typedef struct edgeopt_step_plan {
    /* Public: the number of elements in all tensors (the space's end). */
    size_t total;
    /* Private. */
    uint32_t magic, generation;
    const edgeopt_optimizer* opt;
    const edgeopt_tensor* tensors;
    uint64_t step;       /* the step this plan takes, from 1 */
    double mu_product;   /* NAdam's product after it */
    uint64_t coeffs[6];  /* the optimizer's per-step scalars (48 bytes: RAdam's) */
} edgeopt_step_plan;

edgeopt_status edgeopt_step_begin(edgeopt_optimizer* opt, const edgeopt_tensor* tensors, size_t count,
                                  edgeopt_step_plan* plan);
/* Elements [begin, end) of the flattened space.  Concurrent calls with
 * disjoint ranges are safe: run only reads opt and plan. */
edgeopt_status edgeopt_step_run(edgeopt_optimizer* opt, const edgeopt_step_plan* plan, size_t begin, size_t end);
/* Advances the step count (and NAdam's product); the plan is then spent. */
edgeopt_status edgeopt_step_end(edgeopt_optimizer* opt, edgeopt_step_plan* plan);

/* How edgeopt_step_parallel cuts a step into `tasks` ranges: range `index`
 * is [*begin, *end).  Boundaries fall on multiples of EDGEOPT_Q8_BLOCK
 * elements from a tensor's start (a whole number of cache lines for every
 * dtype, and whole q8 blocks) or on tensor ends, each within half a block of
 * total * k / tasks: balanced by element count. */
#define EDGEOPT_MAX_TASKS 65536u
edgeopt_status edgeopt_step_split(const edgeopt_step_plan* plan, size_t tasks, size_t index, size_t* begin,
                                  size_t* end);

/* A caller's parallel-for: run(context, tasks, task, task_context) must call
 * task(task_context, i) exactly once for every i in [0, tasks), from any
 * threads, and return when all have returned.  OpenMP, a thread pool,
 * FreeRTOS or Zephyr tasks all fit (examples/parallel_*); the library itself
 * never creates a thread. */
typedef void (*edgeopt_task_fn)(void* task_context, size_t index);
typedef struct edgeopt_parallel_for {
    void (*run)(void* context, size_t tasks, edgeopt_task_fn task, void* task_context);
    void* context;
    size_t tasks; /* how many ranges to cut each step into: usually the thread count */
} edgeopt_parallel_for;

/* One step, cut with edgeopt_step_split and run through the parallel-for:
 * the same bits as edgeopt_step. */
edgeopt_status edgeopt_step_parallel(edgeopt_optimizer* opt, const edgeopt_tensor* tensors, size_t count,
                                     const edgeopt_parallel_for* parallel);

/* A step in bounded pieces, for an RTOS loop: each edgeopt_step_chunk call
 * updates at most max_elements elements (with q8 state, down to a block
 * boundary; max_elements must then be >= EDGEOPT_Q8_BLOCK), and the call
 * that finishes the step also ends it and sets *done.
 *
 *   edgeopt_step_chunks chunks;
 *   edgeopt_step_chunks_begin(&opt, tensors, count, &chunks);
 *   bool done = false;
 *   while (!done) { edgeopt_step_chunk(&opt, &chunks, 256, &done); yield_to_control_loop(); } */
typedef struct edgeopt_step_chunks {
    edgeopt_step_plan plan;
    size_t next; /* the first element not yet updated */
} edgeopt_step_chunks;

edgeopt_status edgeopt_step_chunks_begin(edgeopt_optimizer* opt, const edgeopt_tensor* tensors, size_t count,
                                         edgeopt_step_chunks* chunks);
edgeopt_status edgeopt_step_chunk(edgeopt_optimizer* opt, edgeopt_step_chunks* chunks, size_t max_elements,
                                  bool* done);

#ifdef __cplusplus
}
#endif

#endif /* EDGEOPT_STEP_H */
