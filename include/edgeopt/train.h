/* SPDX-License-Identifier: Apache-2.0 */
/* edgeopt training helpers — the pieces of a torch training loop around
 * optimizer.step(): learning-rate schedules, gradient clipping, parameter
 * groups and freezing, gradient accumulation and a non-finite guard.
 *
 * C API, usable from C11 and C++17; same rules as edgeopt.h: caller-owned
 * structs, no heap, every call returns a status, and a call that fails has
 * modified nothing (the one documented exception: a guard's counters record
 * the step it refused).
 *
 * A training step in the order torch users write it:
 *
 *     edgeopt_accumulator_add(&acc, micro, n);             k times: sums += grad
 *     edgeopt_accumulator_mean(&acc);                      sums /= k
 *     edgeopt_clip_grad_norm(sums, n, 1.0, 2.0, false, &norm);
 *     edgeopt_step_guarded(&opt, &guard, tensors, n);      skipped if NaN/Inf
 *     edgeopt_schedule_step(&sched, 0.0, &lr);             once per epoch or batch
 *     edgeopt_schedule_apply(&sched, &opt);
 *     edgeopt_accumulator_reset(&acc);
 */
#ifndef EDGEOPT_TRAIN_H
#define EDGEOPT_TRAIN_H

#include "edgeopt/edgeopt.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------
 * Learning-rate schedules: torch.optim.lr_scheduler, one parameter group.
 *
 * An edgeopt_schedule is one torch scheduler driving one parameter group:
 * init() is the scheduler's constructor (which in torch already performs
 * step 0, so edgeopt_schedule_lr() is get_last_lr() right after it), and
 * edgeopt_schedule_step() is scheduler.step().  The lr is a double carried
 * from step to step exactly as torch carries group['lr'], with torch's own
 * (recursive, "chainable") formulas, so the sequence matches torch's
 * get_last_lr() — see tests/test_train_schedule.cpp for how closely.
 * Apply the lr right after init() too: torch's constructor already sets
 * group['lr'] (a LinearLR warm-up starts at base_lr * start_factor).
 *
 * Several groups: one schedule per group, each with its group's initial lr
 * as base_lr.  torch computes every group's lr independently from shared
 * counters, so this reproduces a torch scheduler over N groups exactly,
 * ReduceLROnPlateau included (each copy sees the same metrics and so makes
 * the same decisions).
 * ------------------------------------------------------------------------ */

typedef enum edgeopt_schedule_kind {
    EDGEOPT_SCHEDULE_STEP = 1,     /* StepLR(step_size, gamma=0.1) */
    EDGEOPT_SCHEDULE_MULTISTEP,    /* MultiStepLR(milestones, gamma=0.1) */
    EDGEOPT_SCHEDULE_EXPONENTIAL,  /* ExponentialLR(gamma) */
    EDGEOPT_SCHEDULE_COSINE,       /* CosineAnnealingLR(T_max, eta_min=0) */
    EDGEOPT_SCHEDULE_LINEAR,       /* LinearLR(start_factor=1/3, end_factor=1, total_iters=5) */
    EDGEOPT_SCHEDULE_CONSTANT,     /* ConstantLR(factor=1/3, total_iters=5) */
    EDGEOPT_SCHEDULE_ONE_CYCLE,    /* OneCycleLR(max_lr, total_steps, ...), lr only */
    EDGEOPT_SCHEDULE_PLATEAU       /* ReduceLROnPlateau(mode='min', ...) */
} edgeopt_schedule_kind;

#define EDGEOPT_MULTISTEP_MAX 8u /* milestones a MultiStepLR can hold */

typedef struct edgeopt_step_lr_options {
    uint32_t step_size; /* required, >= 1 */
    double gamma;       /* >= 0 */
} edgeopt_step_lr_options;

typedef struct edgeopt_multistep_lr_options {
    uint32_t milestones[EDGEOPT_MULTISTEP_MAX]; /* any order; a repeat multiplies by gamma again, as in torch */
    uint32_t milestone_count;                   /* 0..EDGEOPT_MULTISTEP_MAX */
    double gamma;                               /* >= 0 */
} edgeopt_multistep_lr_options;

typedef struct edgeopt_exponential_lr_options {
    double gamma; /* required, >= 0 */
} edgeopt_exponential_lr_options;

/* Runs past t_max as torch does (the lr climbs back along the cosine). */
typedef struct edgeopt_cosine_lr_options {
    uint32_t t_max; /* required, >= 1 */
    double eta_min; /* >= 0 */
} edgeopt_cosine_lr_options;

typedef struct edgeopt_linear_lr_options {
    double start_factor; /* (0, 1]: torch 1.13 accepts 0, then divides by zero at step 1 */
    double end_factor;   /* [0, 1] */
    uint32_t total_iters; /* >= 1 */
} edgeopt_linear_lr_options;

typedef struct edgeopt_constant_lr_options {
    double factor;        /* (0, 1] */
    uint32_t total_iters; /* >= 1 */
} edgeopt_constant_lr_options;

typedef enum edgeopt_anneal {
    EDGEOPT_ANNEAL_COS = 0,
    EDGEOPT_ANNEAL_LINEAR
} edgeopt_anneal;

/* base_lr passed to init() is ignored: like torch, the cycle starts at
 * max_lr / div_factor.  Stepping past total_steps is refused
 * (EDGEOPT_ERR_INVALID_SCHEDULE) where torch raises ValueError.  Momentum
 * cycling (cycle_momentum) is not done: set beta1/momentum yourself. */
typedef struct edgeopt_one_cycle_lr_options {
    double max_lr;        /* required, >= 0 */
    uint32_t total_steps; /* required, >= 1 */
    double pct_start;     /* [0, 1] */
    edgeopt_anneal anneal_strategy;
    double div_factor, final_div_factor; /* > 0 */
    bool three_phase;
} edgeopt_one_cycle_lr_options;

typedef enum edgeopt_plateau_mode {
    EDGEOPT_PLATEAU_MIN = 0, /* the metric should decrease (a loss) */
    EDGEOPT_PLATEAU_MAX      /* the metric should increase (an accuracy) */
} edgeopt_plateau_mode;

typedef enum edgeopt_threshold_mode {
    EDGEOPT_THRESHOLD_REL = 0,
    EDGEOPT_THRESHOLD_ABS
} edgeopt_threshold_mode;

typedef struct edgeopt_plateau_options {
    edgeopt_plateau_mode mode;
    double factor;     /* [0, 1) */
    uint32_t patience;
    double threshold;  /* >= 0 */
    edgeopt_threshold_mode threshold_mode;
    uint32_t cooldown;
    double min_lr;     /* >= 0 */
    double eps;        /* >= 0 */
} edgeopt_plateau_options;

typedef struct edgeopt_schedule_config {
    edgeopt_schedule_kind kind;
    EDGEOPT_UNION_ { /* schedule_config.step... (see EDGEOPT_OPTIONS in edgeopt.h) */
        edgeopt_step_lr_options step;
        edgeopt_multistep_lr_options multistep;
        edgeopt_exponential_lr_options exponential;
        edgeopt_cosine_lr_options cosine;
        edgeopt_linear_lr_options linear;
        edgeopt_constant_lr_options constant;
        edgeopt_one_cycle_lr_options one_cycle;
        edgeopt_plateau_options plateau;
    } EDGEOPT_UNION_NAME_;
} edgeopt_schedule_config;

/* torch's defaults for a kind; arguments torch requires (step_size, gamma of
 * ExponentialLR, T_max, max_lr, total_steps) are 0 or NaN and fail
 * validation until set.  .kind is 0 for an unknown kind. */
edgeopt_schedule_config edgeopt_schedule_defaults(edgeopt_schedule_kind kind);
/* EDGEOPT_OK or EDGEOPT_ERR_INVALID_SCHEDULE (NULL_POINTER for NULL). */
edgeopt_status edgeopt_schedule_validate(const edgeopt_schedule_config* config);

/* Caller-owned schedule. Fields are private: use the functions. */
typedef struct edgeopt_schedule {
    uint32_t magic;
    edgeopt_schedule_config config;
    double base_lr;  /* torch's initial_lr */
    double lr;       /* get_last_lr() */
    uint64_t epoch;  /* torch's last_epoch */
    double best;     /* ReduceLROnPlateau */
    uint32_t num_bad_epochs, cooldown_counter;
} edgeopt_schedule;

/* Validates, then performs torch's construction-time step 0.  base_lr is
 * the group's lr when the scheduler is created (finite, >= 0). */
edgeopt_status edgeopt_schedule_init(edgeopt_schedule* schedule, const edgeopt_schedule_config* config,
                                     double base_lr);
/* One scheduler.step(): advances one epoch (or batch, for OneCycleLR).
 * `metric` is ReduceLROnPlateau's argument and ignored by the others.
 * Writes the new lr to *lr unless lr is NULL. */
edgeopt_status edgeopt_schedule_step(edgeopt_schedule* schedule, double metric, double* lr);
/* get_last_lr(); NaN if the schedule is not initialized. */
double edgeopt_schedule_lr(const edgeopt_schedule* schedule);
/* torch's last_epoch: steps since init. */
uint64_t edgeopt_schedule_epoch(const edgeopt_schedule* schedule);
/* edgeopt_set_lr(opt, edgeopt_schedule_lr(schedule)). */
edgeopt_status edgeopt_schedule_apply(const edgeopt_schedule* schedule, edgeopt_optimizer* opt);

/* SequentialLR: phase i runs from milestones[i-1] (its epoch 0) until
 * milestones[i].  As in torch, a phase entered at a milestone restarts
 * from its closed form at epoch 0 (scheduler.step(0)), e.g. LinearLR
 * warm-up for k steps, then CosineAnnealingLR from base_lr:
 *     phases = {linear, cosine}, milestones = {k}.
 * ReduceLROnPlateau and OneCycleLR cannot be phases (torch's SequentialLR
 * does not support them either). */
#define EDGEOPT_CHAIN_MAX 4u

typedef struct edgeopt_schedule_chain {
    uint32_t magic;
    uint32_t count;                              /* phases, 1..EDGEOPT_CHAIN_MAX */
    uint32_t active;                             /* index of the running phase */
    uint32_t milestones[EDGEOPT_CHAIN_MAX - 1u]; /* strictly increasing, >= 1 */
    uint64_t epoch;                              /* SequentialLR's last_epoch */
    edgeopt_schedule phases[EDGEOPT_CHAIN_MAX];
} edgeopt_schedule_chain;

/* `milestones` holds count - 1 entries (may be NULL when count == 1). */
edgeopt_status edgeopt_schedule_chain_init(edgeopt_schedule_chain* chain, const edgeopt_schedule_config* phases,
                                           size_t count, const uint32_t* milestones, double base_lr);
edgeopt_status edgeopt_schedule_chain_step(edgeopt_schedule_chain* chain, double* lr);
double edgeopt_schedule_chain_lr(const edgeopt_schedule_chain* chain); /* NaN if not initialized */
edgeopt_status edgeopt_schedule_chain_apply(const edgeopt_schedule_chain* chain, edgeopt_optimizer* opt);

/* ------------------------------------------------------------------------
 * Gradients the library may modify (clipping, accumulation buffers).
 * ------------------------------------------------------------------------ */

typedef struct edgeopt_grad {
    float* grad;
    size_t length;
} edgeopt_grad;

/* torch.nn.utils.clip_grad_norm_: total = the norm_type-norm of all
 * elements of all tensors (= the norm of the per-tensor norms);
 * coef = max_norm / (total + 1e-6); every element *= min(coef, 1).
 * norm_type: 1.0, 2.0 or INFINITY.  max_norm: finite, >= 0.
 *
 * Reduction order, fixed so that *total_norm has the same bits on every
 * platform and kernel: elements are widened to double; a tensor's elements
 * go round-robin into 4 accumulators (element j into j % 4), combined as
 * (a0 + a1) + (a2 + a3); tensors are then summed in order, and the 2-norm
 * is the IEEE sqrt of that sum (squares of floats are exact in double).
 * The coefficient is then formed in float32 as torch 1.13 forms it (its
 * scalar / tensor is reciprocal-then-multiply):
 * (1 / ((float)total + 1e-6f)) * (float)max_norm, clamped to 1 (NaN stays NaN).
 *
 * If the total is NaN or Inf and error_if_nonfinite is true, returns
 * EDGEOPT_ERR_NONFINITE_GRADIENT and modifies nothing; if false, does what
 * torch does (Inf -> coef 0, NaN -> every gradient NaN).  total_norm may be
 * NULL.  Errors: NULL_POINTER, INVALID_CLIP. */
edgeopt_status edgeopt_clip_grad_norm(const edgeopt_grad* grads, size_t count, double max_norm, double norm_type,
                                      bool error_if_nonfinite, double* total_norm);
/* The total norm as above, without clipping. */
edgeopt_status edgeopt_grad_norm(const edgeopt_grad* grads, size_t count, double norm_type, double* total_norm);
/* torch.nn.utils.clip_grad_value_: clamp every element to [-v, v] with
 * v = (float)clip_value (>= 0, may be INFINITY); NaN stays NaN. */
edgeopt_status edgeopt_clip_grad_value(const edgeopt_grad* grads, size_t count, double clip_value);

/* ------------------------------------------------------------------------
 * Non-finite guard (torch.cuda.amp.GradScaler's skipped steps, no scaling).
 * ------------------------------------------------------------------------ */

/* True if every gradient element is finite (no NaN, no Inf).  Parameters
 * are not inspected.  False if tensors is NULL or a non-empty grad is NULL. */
bool edgeopt_all_finite(const edgeopt_tensor* tensors, size_t count);

/* Counters of guarded steps; zero-initialize it (edgeopt_guard g = {0}). */
typedef struct edgeopt_guard {
    uint64_t steps_taken;
    uint64_t steps_skipped;
    uint32_t consecutive_skipped; /* since the last step taken */
} edgeopt_guard;

/* Checks the tensors as edgeopt_step() would, then every gradient; if one
 * holds NaN or Inf it returns EDGEOPT_ERR_NONFINITE_GRADIENT with params,
 * optimizer state and step count untouched and counts the skip in *guard.
 * Otherwise steps and counts the step taken. */
edgeopt_status edgeopt_step_guarded(edgeopt_optimizer* opt, edgeopt_guard* guard, const edgeopt_tensor* tensors,
                                    size_t count);

/* ------------------------------------------------------------------------
 * Gradient accumulation over k micro-batches.
 *
 * Matches torch's "sum, then divide": p.grad accumulates k backward()s of
 * the unscaled loss and is then divided by k (p.grad.div_(k)), in float32.
 * That is the gradient of the mean loss over all k micro-batches, i.e. a
 * big-batch step.  The common recipe "(loss / k).backward()" rounds
 * differently, and agrees bit for bit when k is a power of two.
 * ------------------------------------------------------------------------ */

typedef struct edgeopt_accumulator {
    uint32_t magic;
    uint32_t micro_batches;   /* added since init/reset */
    bool averaged;            /* mean() ran: buffers hold the mean until reset */
    const edgeopt_grad* sums; /* caller's buffers, one per tensor; must outlive the accumulator */
    size_t count;
} edgeopt_accumulator;

/* Keeps `sums` (the array and the buffers) and zeroes every buffer. */
edgeopt_status edgeopt_accumulator_init(edgeopt_accumulator* acc, const edgeopt_grad* sums, size_t count);
/* sums[i] += micro[i].grad in float32; count and lengths must match init's.
 * NaN/Inf are summed like any value (the guard catches them at the step).
 * Refused with EDGEOPT_ERR_NOT_INITIALIZED after mean() until reset(). */
edgeopt_status edgeopt_accumulator_add(edgeopt_accumulator* acc, const edgeopt_tensor* micro, size_t count);
/* sums[i] /= k in float32 (k = micro-batches added), leaving the mean in
 * the buffers for the step, and sets the count to 0.  EDGEOPT_ERR_NO_TENSORS
 * if nothing was added (or mean() already ran). */
edgeopt_status edgeopt_accumulator_mean(edgeopt_accumulator* acc);
/* Zeroes the buffers and the count, for the next accumulation. */
edgeopt_status edgeopt_accumulator_reset(edgeopt_accumulator* acc);
uint32_t edgeopt_accumulator_count(const edgeopt_accumulator* acc);

/* ------------------------------------------------------------------------
 * Parameter groups and freezing.
 *
 * A group is its own edgeopt_optimizer over a consecutive range of the
 * tensors, with its own hyper-parameters and its own step count: a frozen
 * group is not stepped at all, so (as with torch's per-parameter state for
 * parameters whose grad is None) its Adam bias correction does not advance.
 * One caller arena holds every group's state.
 * ------------------------------------------------------------------------ */

#define EDGEOPT_GROUPS_MAX 8u

typedef struct edgeopt_groups {
    uint32_t magic;
    uint32_t group_count;
    size_t tensor_count;
    size_t first_tensor[EDGEOPT_GROUPS_MAX];
    size_t tensors_in_group[EDGEOPT_GROUPS_MAX];
    double base_lr[EDGEOPT_GROUPS_MAX]; /* each group's lr at init: a scheduler's base_lrs */
    bool frozen[EDGEOPT_GROUPS_MAX];
    unsigned char* arena;
    size_t arena_bytes;
    edgeopt_optimizer optimizers[EDGEOPT_GROUPS_MAX];
} edgeopt_groups;

/* Group g owns group_sizes[g] consecutive tensors (>= 1); the sizes add up
 * to tensor_count (else init returns EDGEOPT_ERR_TENSOR_COUNT_MISMATCH, as
 * for more than EDGEOPT_GROUPS_MAX groups).  state_bytes returns 0 if a
 * config is invalid or the sizes do not add up. */
size_t edgeopt_groups_state_bytes(const edgeopt_config* configs, const size_t* group_sizes, size_t group_count,
                                  const size_t* lengths, size_t tensor_count);
edgeopt_status edgeopt_groups_init(edgeopt_groups* groups, const edgeopt_config* configs, const size_t* group_sizes,
                                   size_t group_count, const size_t* lengths, size_t tensor_count, void* arena,
                                   size_t arena_bytes);
/* Steps every group that is not frozen.  Tensors of frozen groups are only
 * checked for count and length; their param and grad may be NULL.  All
 * checks run before any group steps. */
edgeopt_status edgeopt_groups_step(edgeopt_groups* groups, const edgeopt_tensor* tensors, size_t count);
/* As edgeopt_step_guarded, over the gradients of the groups not frozen. */
edgeopt_status edgeopt_groups_step_guarded(edgeopt_groups* groups, edgeopt_guard* guard,
                                           const edgeopt_tensor* tensors, size_t count);
/* Per-group calls return EDGEOPT_ERR_NOT_INITIALIZED for a group index
 * >= the group count as well. */
edgeopt_status edgeopt_groups_freeze(edgeopt_groups* groups, size_t group, bool frozen);
bool edgeopt_groups_is_frozen(const edgeopt_groups* groups, size_t group);
edgeopt_status edgeopt_groups_set_lr(edgeopt_groups* groups, size_t group, double lr);
/* LambdaLR-style: every group's lr = its base_lr * factor. */
edgeopt_status edgeopt_groups_scale_lr(edgeopt_groups* groups, double factor);
double edgeopt_groups_lr(const edgeopt_groups* groups, size_t group);      /* NaN if out of range */
double edgeopt_groups_base_lr(const edgeopt_groups* groups, size_t group); /* NaN if out of range */
/* The group's optimizer (step_count, set_config, state_buffer, a
 * schedule's apply ...); NULL if out of range. */
edgeopt_optimizer* edgeopt_groups_optimizer(edgeopt_groups* groups, size_t group);

#ifdef __cplusplus
}
#endif

#endif /* EDGEOPT_TRAIN_H */
