/* SPDX-License-Identifier: Apache-2.0 */
/* edgeopt — torch.optim-compatible optimizers for on-device fine-tuning.
 *
 * C API. Usable from C99, C11 and C++11 on (edgeopt.hpp, the C++ layer, is C++17). No heap, no exceptions: every call
 * returns an edgeopt_status, and on any error nothing the caller owns
 * (parameters, optimizer state) has been modified.
 *
 * Hyper-parameters use torch.optim's names and defaults; they are doubles so
 * that per-step scalars (bias corrections, ...) are formed exactly as torch
 * forms them from Python floats, then rounded once to float32.
 */
#ifndef EDGEOPT_EDGEOPT_H
#define EDGEOPT_EDGEOPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The option structs below hold an anonymous union, so C11 and C++ write
 * config.adam.lr.  C99 has no anonymous unions: GCC and Clang still accept
 * them, without a -pedantic diagnostic, after __extension__, so the same
 * source compiles there.  Any other pre-C11 compiler, or a build defining
 * EDGEOPT_NAMED_UNIONS, gets the union named `options` instead
 * (config.options.adam.lr, schedule_config.options.step.gamma).  The layout
 * is the same either way, so code built each way links against one library.
 * EDGEOPT_OPTIONS(x).adam.lr is valid in every mode. */
#if !defined(EDGEOPT_NAMED_UNIONS) && !defined(__cplusplus) && \
    !(defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L) && !defined(__GNUC__)
#define EDGEOPT_NAMED_UNIONS 1
#endif
#if defined(EDGEOPT_NAMED_UNIONS)
#define EDGEOPT_UNION_ union
#define EDGEOPT_UNION_NAME_ options
#define EDGEOPT_OPTIONS(x) ((x).options)
#elif !defined(__cplusplus) && !(defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L)
#define EDGEOPT_UNION_ __extension__ union
#define EDGEOPT_UNION_NAME_
#define EDGEOPT_OPTIONS(x) (x)
#else
#define EDGEOPT_UNION_ union
#define EDGEOPT_UNION_NAME_
#define EDGEOPT_OPTIONS(x) (x)
#endif

typedef enum edgeopt_status {
    EDGEOPT_OK = 0,
    EDGEOPT_ERR_NULL_POINTER,
    EDGEOPT_ERR_UNKNOWN_ALGORITHM,
    EDGEOPT_ERR_LR_REQUIRED,        /* SGD has no default learning rate */
    EDGEOPT_ERR_INVALID_LR,
    EDGEOPT_ERR_INVALID_MOMENTUM,
    EDGEOPT_ERR_INVALID_DAMPENING,
    EDGEOPT_ERR_NESTEROV_REQUIRES_MOMENTUM, /* momentum > 0 and dampening == 0 */
    EDGEOPT_ERR_INVALID_WEIGHT_DECAY,
    EDGEOPT_ERR_INVALID_LR_DECAY,
    EDGEOPT_ERR_INVALID_INITIAL_ACCUMULATOR,
    EDGEOPT_ERR_INVALID_EPS,
    EDGEOPT_ERR_INVALID_ALPHA,
    EDGEOPT_ERR_INVALID_RHO,
    EDGEOPT_ERR_INVALID_BETA1,
    EDGEOPT_ERR_INVALID_BETA2,
    EDGEOPT_ERR_INVALID_MOMENTUM_DECAY,
    EDGEOPT_ERR_NO_TENSORS,
    EDGEOPT_ERR_ARENA_TOO_SMALL,
    EDGEOPT_ERR_TENSOR_COUNT_MISMATCH, /* step() got another number of tensors than init() */
    EDGEOPT_ERR_LENGTH_MISMATCH,       /* a tensor's length differs from init() */
    EDGEOPT_ERR_OVERLAP,               /* param, grad and the arena must not overlap */
    EDGEOPT_ERR_NOT_INITIALIZED,
    EDGEOPT_ERR_LAYOUT_CHANGE,         /* new options would need other state buffers */
    EDGEOPT_ERR_UNKNOWN_ISA,
    EDGEOPT_ERR_ISA_UNAVAILABLE,       /* not compiled in, or the CPU/OS lacks it */
    EDGEOPT_ERR_NONFINITE_GRADIENT,     /* a guarded step found NaN or Inf: nothing was touched */
    EDGEOPT_ERR_INVALID_SCHEDULE,       /* a learning-rate schedule's parameters */
    EDGEOPT_ERR_INVALID_CLIP,           /* max_norm / clip value / norm type */
    EDGEOPT_ERR_BUFFER_TOO_SMALL,       /* a checkpoint region cannot hold the image */
    EDGEOPT_ERR_CHECKPOINT_EMPTY,       /* no committed image in either slot */
    EDGEOPT_ERR_CHECKPOINT_CORRUPT,     /* bad magic or CRC */
    EDGEOPT_ERR_CHECKPOINT_TRUNCATED,   /* shorter than its header says */
    EDGEOPT_ERR_CHECKPOINT_VERSION,     /* written by a newer format version */
    EDGEOPT_ERR_CHECKPOINT_MISMATCH,    /* another optimizer, options layout or tensor sizes */
    EDGEOPT_ERR_INVALID_DTYPE,          /* unknown dtype, or Q8 for a parameter or gradient */
    EDGEOPT_ERR_INVALID_ROUNDING,       /* unknown rounding, or stochastic for a non-bf16 target */
    EDGEOPT_ERR_DTYPE_UNSUPPORTED,      /* this call, or this build (EDGEOPT_NO_LOW_PRECISION), is float32 only */
    EDGEOPT_ERR_NO_SUCH_STATE,          /* tensor index out of range or state slot unused */
    EDGEOPT_ERR_INVALID_STEP,           /* a step count or NAdam mu product that no run of steps gives */
    EDGEOPT_ERR_RANGE_OUTSIDE,          /* an element range is not inside the step's tensors */
    EDGEOPT_ERR_RANGE_SPLITS_BLOCK,     /* a range starts or ends inside a q8 state block */
    EDGEOPT_ERR_STEP_NOT_BEGUN,         /* a plan not begun, or already ended */
    EDGEOPT_ERR_PLAN_FOREIGN,           /* the plan was begun for another optimizer */
    EDGEOPT_ERR_PLAN_STALE,             /* the plan is for an earlier step */
    EDGEOPT_ERR_CHANGED_MID_STEP,       /* options, kernel or state changed since the step began */
    EDGEOPT_ERR_INVALID_TASKS,          /* a split into 0 tasks, or more than EDGEOPT_MAX_TASKS */
    EDGEOPT_ERR_CHUNK_TOO_SMALL,        /* a chunk of 0 elements, or below a q8 block */
    EDGEOPT_ERR_INVALID_ETAS,           /* Rprop: 0 < etaminus < 1 < etaplus, finite in float32 */
    EDGEOPT_ERR_INVALID_STEP_SIZES,     /* Rprop: step_size_min, step_size_max finite in float32 and >= 0 */
    EDGEOPT_ERR_INVALID_LAMBD,          /* ASGD: lambd finite and >= 0 */
    EDGEOPT_ERR_INVALID_T0,             /* ASGD: t0 finite and >= 0 */
    EDGEOPT_ERR_INVALID_FORM,           /* unknown form, or FOLDED for an algorithm without one */
    EDGEOPT_STATUS_COUNT
} edgeopt_status;

/* The linked library's version, "MAJOR.MINOR.PATCH" (edgeopt/version.h has
 * the same as macros, EDGEOPT_VERSION_MAJOR ..., for the headers compiled against). */
const char* edgeopt_version(void);

/* A short English message for a status; "" when built with EDGEOPT_NO_MESSAGES. */
const char* edgeopt_status_message(edgeopt_status status);

typedef enum edgeopt_algorithm {
    EDGEOPT_SGD = 1, /* also Momentum and Nesterov (NAG) */
    EDGEOPT_ADAGRAD,
    EDGEOPT_RMSPROP,
    EDGEOPT_ADADELTA,
    EDGEOPT_ADAM,
    EDGEOPT_ADAMW,
    EDGEOPT_ADAMAX,
    EDGEOPT_NADAM,
    EDGEOPT_RADAM,
    EDGEOPT_LION,
    EDGEOPT_RPROP,
    EDGEOPT_ASGD
} edgeopt_algorithm;

/* torch.optim.SGD: lr is required (the default is NaN, rejected as LR_REQUIRED). */
typedef struct edgeopt_sgd_options {
    double lr, momentum, dampening, weight_decay;
    bool nesterov, maximize;
} edgeopt_sgd_options;

typedef struct edgeopt_adagrad_options {
    double lr, lr_decay, weight_decay, initial_accumulator_value, eps;
    bool maximize;
} edgeopt_adagrad_options;

typedef struct edgeopt_rmsprop_options {
    double lr, alpha, eps, weight_decay, momentum;
    bool centered, maximize;
} edgeopt_rmsprop_options;

typedef struct edgeopt_adadelta_options {
    double lr, rho, eps, weight_decay;
    bool maximize;
} edgeopt_adadelta_options;

/* Adam and AdamW (AdamW decouples weight_decay from the gradient). */
typedef struct edgeopt_adam_options {
    double lr, beta1, beta2, eps, weight_decay;
    bool amsgrad, maximize;
} edgeopt_adam_options;

typedef struct edgeopt_adamax_options {
    double lr, beta1, beta2, eps, weight_decay;
    bool maximize;
} edgeopt_adamax_options;

typedef struct edgeopt_nadam_options {
    double lr, beta1, beta2, eps, weight_decay, momentum_decay;
} edgeopt_nadam_options;

typedef struct edgeopt_radam_options {
    double lr, beta1, beta2, eps, weight_decay;
} edgeopt_radam_options;

/* Lion (Chen et al. 2023): sign update, decoupled weight decay. */
typedef struct edgeopt_lion_options {
    double lr, beta1, beta2, weight_decay;
} edgeopt_lion_options;

/* torch.optim.Rprop: etas=(etaminus, etaplus), step_sizes=(step_size_min, step_size_max). */
typedef struct edgeopt_rprop_options {
    double lr, etaminus, etaplus, step_size_min, step_size_max;
    bool maximize;
} edgeopt_rprop_options;

/* torch.optim.ASGD: averaged SGD; the average is state slot "ax". */
typedef struct edgeopt_asgd_options {
    double lr, lambd, alpha, t0, weight_decay;
    bool maximize;
} edgeopt_asgd_options;

/* Storage types.  Arithmetic is always float32: a kernel widens what it
 * loads and narrows what it stores, in the same pass.
 *   F32   float32.
 *   BF16  bfloat16 (float32's top 16 bits).  Parameters, gradients, state.
 *   F16   IEEE binary16.  Parameters, gradients, state.
 *   Q8    state only: 8 bits a value in blocks of EDGEOPT_Q8_BLOCK values, one
 *         float32 scale (the block's largest magnitude) and a sign + 4-bit
 *         exponent + 3-bit mantissa code per value (README, "Low precision"). */
typedef enum edgeopt_dtype { EDGEOPT_F32 = 0, EDGEOPT_BF16, EDGEOPT_F16, EDGEOPT_Q8, EDGEOPT_DTYPE_COUNT } edgeopt_dtype;
#define EDGEOPT_Q8_BLOCK 64u

/* How float32 results are narrowed into bf16/f16 parameters.  NEAREST is
 * round-to-nearest-even (NaN stays NaN, overflow gives ±Inf).  STOCHASTIC
 * (bf16 parameters only) rounds up with probability equal to the dropped
 * fraction, from a counter-based generator keyed by (seed, step, tensor,
 * index): the same bits on every kernel and every run. */
typedef enum edgeopt_rounding { EDGEOPT_ROUND_NEAREST = 0, EDGEOPT_ROUND_STOCHASTIC, EDGEOPT_ROUNDING_COUNT } edgeopt_rounding;

/* Which maths a step runs.
 *   TORCH   torch 1.13's float32 operations in torch's order: its
 *           trajectories bit for bit (the default).
 *   FOLDED  Adam, AdamW, NAdam and RAdam only (INVALID_FORM for the others):
 *           the bias corrections folded into per-step constants, as in
 *           Kingma & Ba's "efficient" form, with one divide per element
 *           (ε becomes ε·√(1−β₂ᵗ), so the result is the same in exact
 *           arithmetic).  Not torch-bit-exact: over the golden trajectories
 *           it stays within a few float32 ulps of torch (README, "Folded
 *           form", has the measured distance and gain).  Every kernel gives
 *           the folded reference's bits.  The state means the same in both
 *           forms, so a checkpoint (which does not store the form) moves
 *           between them. */
typedef enum edgeopt_form { EDGEOPT_FORM_TORCH = 0, EDGEOPT_FORM_FOLDED, EDGEOPT_FORM_COUNT } edgeopt_form;

typedef struct edgeopt_config {
    edgeopt_algorithm algorithm;
    /* Zero-initialised fields give torch's float32 behaviour. */
    edgeopt_dtype state_dtype[3]; /* per state slot; a layout choice, fixed at init() */
    edgeopt_rounding param_rounding;
    edgeopt_form form;            /* not state: a checkpoint does not store it */
    uint64_t seed;                /* for stochastic rounding */
    EDGEOPT_UNION_ {
        edgeopt_sgd_options sgd;
        edgeopt_adagrad_options adagrad;
        edgeopt_rmsprop_options rmsprop;
        edgeopt_adadelta_options adadelta;
        edgeopt_adam_options adam; /* EDGEOPT_ADAM and EDGEOPT_ADAMW */
        edgeopt_adamax_options adamax;
        edgeopt_nadam_options nadam;
        edgeopt_radam_options radam;
        edgeopt_lion_options lion;
        edgeopt_rprop_options rprop;
        edgeopt_asgd_options asgd;
    } EDGEOPT_UNION_NAME_;
} edgeopt_config;

/* torch's defaults for an algorithm; .algorithm is 0 for an unknown one. */
edgeopt_config edgeopt_defaults(edgeopt_algorithm algorithm);
/* "sgd", "adam", ...; NULL for an unknown algorithm. */
const char* edgeopt_algorithm_name(edgeopt_algorithm algorithm);
/* Parses a name as above, in any ASCII case; returns false if unknown. */
bool edgeopt_algorithm_parse(const char* name, edgeopt_algorithm* out);
/* The lr field of whichever options the config holds; NULL for an unknown algorithm. */
double* edgeopt_config_lr(edgeopt_config* config);
/* Checks hyper-parameters with torch's rules. */
edgeopt_status edgeopt_validate(const edgeopt_config* config);

/* Instruction sets a kernel can be written for. */
typedef enum edgeopt_isa {
    EDGEOPT_ISA_AUTO = 0, /* fastest available; on hosted builds EDGEOPT_ISA=name overrides */
    EDGEOPT_ISA_SCALAR,   /* the reference: plain C++, std::fma, IEEE div/sqrt */
    EDGEOPT_ISA_SSE2,
    EDGEOPT_ISA_AVX2,     /* AVX2 + FMA */
    EDGEOPT_ISA_AVX512,   /* AVX-512F */
    EDGEOPT_ISA_NEON64,
    EDGEOPT_ISA_NEONV7,
    EDGEOPT_ISA_HELIUM,
    EDGEOPT_ISA_COUNT
} edgeopt_isa;

const char* edgeopt_isa_name(edgeopt_isa isa); /* "scalar", "avx2", ...; NULL if unknown */
/* Any ASCII case: "avx2", "AVX2" (also for EDGEOPT_ISA=...); false if unknown. */
bool edgeopt_isa_parse(const char* name, edgeopt_isa* out);
/* Compiled in and supported by this CPU and OS. */
bool edgeopt_isa_available(edgeopt_isa isa);
/* True if the ISA's kernels give the scalar reference's bits on every input
 * (NaN payloads aside): scalar, SSE2 (fma emulated exactly), AVX2, AVX-512,
 * NEON64, and NEONv7, whose NEON arithmetic flushes subnormals but which
 * redoes any vector where that happened on the IEEE scalar unit (VFP).
 * False for Helium, whose MVE arithmetic flushes subnormals: it is exact
 * only on data where no operand or result is subnormal (README). */
bool edgeopt_isa_bit_exact(edgeopt_isa isa);
/* What EDGEOPT_ISA_AUTO resolves to for an algorithm on this machine. */
edgeopt_isa edgeopt_isa_default(edgeopt_algorithm algorithm);

/* "f32", "bf16", "f16", "q8"; NULL if unknown. */
const char* edgeopt_dtype_name(edgeopt_dtype dtype);
bool edgeopt_dtype_parse(const char* name, edgeopt_dtype* out); /* any ASCII case */
/* Converts n values between F32, BF16 and F16 (not Q8) as the kernels do:
 * exactly when widening, round-to-nearest-even when narrowing.  For
 * preparing bf16/f16 weights and reading them back.  in and out may not
 * overlap unless they are the same buffer and the dtypes have one size. */
edgeopt_status edgeopt_convert(const void* in, edgeopt_dtype from, void* out, edgeopt_dtype to, size_t n);

/* Bytes of state per parameter for these options, without alignment and
 * table overhead (Q8 counts its per-block scale: 1 + 4/64 bytes). */
double edgeopt_state_bytes_per_param(const edgeopt_config* config);

/* Number of state buffers per parameter (0..3) for these options. */
unsigned edgeopt_state_slots(const edgeopt_config* config);
/* Name of a state slot as torch names it ("exp_avg", ...); NULL if out of range. */
const char* edgeopt_state_slot_name(const edgeopt_config* config, unsigned slot);

/* Arena layout: a table of tensor lengths, then for every tensor one
 * 64-byte-aligned slice per state slot. The arena itself may have any
 * alignment; EDGEOPT_ARENA_ALIGN - 1 bytes of slack are always included.
 * The macros below are for float32 state; for other state dtypes use
 * edgeopt_state_bytes() or edgeopt::arena_bytes() (C++, constexpr). */
#define EDGEOPT_ARENA_ALIGN 64u
#define EDGEOPT_ROUND_UP_(x) ((((size_t)(x)) + EDGEOPT_ARENA_ALIGN - 1u) / EDGEOPT_ARENA_ALIGN * EDGEOPT_ARENA_ALIGN)
/* The size macros give 0 when the size would not fit in size_t (so a static
 * array sized by one fails to compile: zero-length arrays are not C).  The
 * test is conservative: any x <= SIZE_MAX / 16 / (slots + 1) passes, which
 * leaves every size an arena can really have exact. */
#define EDGEOPT_SIZE_FITS_(slots, x) ((size_t)(x) <= (size_t)-1 / 16u / ((size_t)(slots) + 1u))
/* Compile-time size for one tensor of n floats with `slots` state buffers (exact). */
#define EDGEOPT_ARENA_BYTES_1(slots, n)                                                                        \
    (EDGEOPT_SIZE_FITS_(slots, n) && (size_t)(slots) <= 3u                                                     \
         ? (size_t)(EDGEOPT_ARENA_ALIGN - 1u) + EDGEOPT_ROUND_UP_(sizeof(size_t)) +                            \
               (size_t)(slots)*EDGEOPT_ROUND_UP_(4u * (size_t)(n))                                             \
         : (size_t)0)
/* Compile-time upper bound for `count` tensors holding `total` floats in all. */
#define EDGEOPT_ARENA_BYTES(slots, count, total)                                                               \
    (EDGEOPT_SIZE_FITS_(slots, total) && EDGEOPT_SIZE_FITS_(slots, count) && (size_t)(slots) <= 3u             \
         ? (size_t)(EDGEOPT_ARENA_ALIGN - 1u) + EDGEOPT_ROUND_UP_(sizeof(size_t) * (size_t)(count)) +          \
               (size_t)(slots) * (4u * (size_t)(total) + (size_t)(count) * (EDGEOPT_ARENA_ALIGN - 1u))         \
         : (size_t)0)

/* Exact arena bytes init() needs; 0 if the config is invalid or lengths is NULL. */
size_t edgeopt_state_bytes(const edgeopt_config* config, const size_t* lengths, size_t count);

/* Caller-owned optimizer object. Fields are private: use the functions. */
typedef struct edgeopt_optimizer {
    uint32_t magic;
    uint32_t generation; /* changes whenever a begun step's plan would go stale */
    edgeopt_config config;
    edgeopt_isa isa;
    uint64_t step;
    double nadam_mu_product;
    size_t tensor_count;
    size_t* lengths;
    unsigned char* state;
    unsigned char* arena;
    size_t arena_bytes;
    uint64_t q8_nonfinite_steps; /* see edgeopt_q8_nonfinite_count() */
} edgeopt_optimizer;

/* One parameter tensor and its gradient, flat arrays of `length` values,
 * float32 unless param_dtype / grad_dtype say otherwise: then param / grad
 * point at uint16_t arrays of bf16 or f16 bits (edgeopt_tensor_of() makes
 * such a tensor without casts).  edgeopt_tensor_f32(param, grad, length)
 * makes a float32 one and sets every field, so -Wextra has nothing to say
 * (a brace list {param, grad, length} leaves both F32 but warns there).
 * Alignment: bf16/f16 arrays may start at any byte address (e.g. a packed
 * record at an odd offset; tested on every kernel but Helium, whose MVE
 * halfword accesses may need 2 bytes); float32 arrays need float's natural
 * alignment (4 bytes). */
typedef struct edgeopt_tensor {
    float* param;
    const float* grad;
    size_t length;
    edgeopt_dtype param_dtype, grad_dtype;
} edgeopt_tensor;

static inline edgeopt_tensor edgeopt_tensor_of(void* param, edgeopt_dtype param_dtype, const void* grad,
                                               edgeopt_dtype grad_dtype, size_t length) {
    edgeopt_tensor t;
    t.param = (float*)param;
    t.grad = (const float*)grad;
    t.length = length;
    t.param_dtype = param_dtype;
    t.grad_dtype = grad_dtype;
    return t;
}

static inline edgeopt_tensor edgeopt_tensor_f32(float* param, const float* grad, size_t length) {
    return edgeopt_tensor_of(param, EDGEOPT_F32, grad, EDGEOPT_F32, length);
}

/* Lays out state for `count` tensors in the caller's arena and sets it to torch's initial values. */
edgeopt_status edgeopt_init(edgeopt_optimizer* opt, const edgeopt_config* config, const size_t* lengths,
                            size_t count, void* arena, size_t arena_bytes);
/* One optimizer step over all tensors (in init()'s order). */
edgeopt_status edgeopt_step(edgeopt_optimizer* opt, const edgeopt_tensor* tensors, size_t count);
/* Steps since init() or reset() after which a q8 state block held NaN or Inf
 * (a non-finite gradient, or an overflow, reached q8 state).  Such a step
 * still returns EDGEOPT_OK, as it would with float32 state, but a q8 block
 * has one scale for its 64 values, so one NaN poisons all 64 (and with Lion
 * freezes their parameters): check this after steps, or keep non-finite
 * gradients out with edgeopt_step_guarded() (train.h).  0 without q8 state. */
uint64_t edgeopt_q8_nonfinite_count(const edgeopt_optimizer* opt);
/* Changes the learning rate for the following steps (schedules). */
edgeopt_status edgeopt_set_lr(edgeopt_optimizer* opt, double lr);
/* Replaces all hyper-parameters; the algorithm and state slots must stay the same. */
edgeopt_status edgeopt_set_config(edgeopt_optimizer* opt, const edgeopt_config* config);
edgeopt_status edgeopt_get_config(const edgeopt_optimizer* opt, edgeopt_config* out);
/* Steps taken since init() or reset(). 0 for an uninitialized optimizer. */
uint64_t edgeopt_step_count(const edgeopt_optimizer* opt);
/* Back to step 0 with the state init() would lay out for the current options
 * (Adagrad's accumulator refills with the current initial_accumulator_value). */
edgeopt_status edgeopt_reset(edgeopt_optimizer* opt);
/* Forgets the arena; the optimizer must be init()ed again before use. */
void edgeopt_destroy(edgeopt_optimizer* opt);
/* Forces a kernel (EDGEOPT_ISA_AUTO restores the default). */
edgeopt_status edgeopt_set_isa(edgeopt_optimizer* opt, edgeopt_isa isa);
edgeopt_isa edgeopt_get_isa(const edgeopt_optimizer* opt);
/* A tensor's state buffer (length floats) for a slot; NULL if the slot is
 * unused, out of range, not float32, or the tensor is empty. */
float* edgeopt_state_buffer(const edgeopt_optimizer* opt, size_t tensor, unsigned slot);
/* Any slot's values widened to float32 (length floats into out), whatever
 * its dtype: what the kernels read as that state. */
edgeopt_status edgeopt_state_read(const edgeopt_optimizer* opt, size_t tensor, unsigned slot, float* out);
/* Replaces a slot's values (length floats), narrowed into the slot's dtype
 * exactly as a step stores state (round-to-nearest-even, q8 per block).
 * With edgeopt_set_step_count, this imports state another program made
 * (PyTorch's state_dict: python/edgeopt).  values may not overlap the arena. */
edgeopt_status edgeopt_state_write(edgeopt_optimizer* opt, size_t tensor, unsigned slot, const float* values);
/* Sets the steps taken and NAdam's mu product (the product of its momentum
 * coefficients, torch's state['mu_product']; pass 1.0 for other algorithms).
 * EDGEOPT_ERR_INVALID_STEP unless 0 <= mu_product <= 1, finite, and exactly
 * 1.0 at step 0 or for an algorithm other than NAdam. */
edgeopt_status edgeopt_set_step_count(edgeopt_optimizer* opt, uint64_t step, double nadam_mu_product);
/* NAdam's mu product after the steps taken (1.0 before the first step and for
 * other algorithms); NaN for an uninitialized optimizer. */
double edgeopt_nadam_mu_product(const edgeopt_optimizer* opt);

/* torch's per-parameter scalar state besides 'step', as its state_dict would
 * hold it after the steps taken (ASGD: "eta" and "mu", float32 values): the
 * index-th name and value; EDGEOPT_ERR_NO_SUCH_STATE past the last (at
 * index 0 for algorithms that keep none). */
edgeopt_status edgeopt_state_scalar(const edgeopt_optimizer* opt, unsigned index, const char** name, double* value);

#ifdef __cplusplus
}
#endif

/* The step in pieces (ranges, threads, RTOS chunks) and the introspection
 * bindings read have headers of their own. */
#include "edgeopt/step.h"
#include "edgeopt/introspect.h"

#endif /* EDGEOPT_EDGEOPT_H */
