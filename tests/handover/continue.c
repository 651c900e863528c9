/* SPDX-License-Identifier: Apache-2.0 */
/* Handover: optimizer state that PyTorch trained continues here, bit for bit.
 *
 * make_handover.py trained each case K steps in torch 1.13 and saved it with
 * edgeopt.torch as an A/B region; this program, using only the public
 * headers, configures the optimizer from its own case table (a device knows
 * its configuration), restores the region from memory-mapped storage with
 * edgeopt_checkpoint_load (parameters included), takes the M recorded steps
 * and compares every parameter's bits with torch's after K + M steps.
 *
 *   handover_continue [MODE] DATA_DIR [CASE...]     (no CASE: every case)
 *     (no MODE)        the default kernel (EDGEOPT_ISA=name forces one)
 *     --every-isa      each kernel this machine has that is bit exact
 *     --flip-gradient  negates the first gradient of the first step, and
 *                      succeeds only if every case then mismatches: the
 *                      comparison can fail
 * Exit status 0 if every case passed.  Plain C11 and stdio, so it runs
 * unchanged on Linux, under qemu-user and on the Cortex-M boards (files
 * through semihosting; newlib's printf has no %zu, hence the casts).
 *
 * Built with HANDOVER_EMBEDDED (tests/firmware), DATA_DIR "embedded" takes
 * the cases compiled into the program by handover_embedded.h instead: the
 * region is then loaded straight from the const array, which is where a
 * device keeps it (flash), not from a copy in RAM. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "edgeopt/checkpoint.h"
#include "edgeopt/edgeopt.h"

#ifdef HANDOVER_EMBEDDED
/* Generated: static const handover_embedded_case handover_embedded[] =
 * {{"name", region, region_bytes, grads, grads_bytes, expected, expected_bytes}, ...}. */
#include "handover_embedded.h"
#endif

#define TENSORS 2
#define TOTAL 52 /* 37 + 5 x 3 */
#define STEPS_BEFORE 5 /* K: torch's steps in the image */
#define STEPS_AFTER 7  /* M: the steps taken here */
#define CANARY_FLOATS 4
#define MAX_REGION 4096

static const size_t lengths[TENSORS] = {37, 15};

typedef struct handover_case {
    const char *name;
    edgeopt_config config;
} handover_case;

/* make_handover.py's options, every field spelled out as torch has it. */
static const handover_case cases[] = {
    {"adadelta", {.algorithm = EDGEOPT_ADADELTA, .adadelta = {.lr = 0.5, .rho = 0.85, .eps = 1e-5, .weight_decay = 0.01}}},
    {"adagrad",
     {.algorithm = EDGEOPT_ADAGRAD,
      .adagrad = {.lr = 0.05, .lr_decay = 0.01, .weight_decay = 0.003, .initial_accumulator_value = 0.1, .eps = 1e-10}}},
    {"adam_amsgrad",
     {.algorithm = EDGEOPT_ADAM,
      .adam = {.lr = 0.01, .beta1 = 0.8, .beta2 = 0.99, .eps = 1e-6, .weight_decay = 0.01, .amsgrad = true,
               .maximize = true}}},
    {"adamax",
     {.algorithm = EDGEOPT_ADAMAX, .adamax = {.lr = 0.02, .beta1 = 0.85, .beta2 = 0.98, .eps = 1e-8, .weight_decay = 0.01}}},
    {"adamw",
     {.algorithm = EDGEOPT_ADAMW, .adam = {.lr = 0.02, .beta1 = 0.9, .beta2 = 0.995, .eps = 1e-8, .weight_decay = 0.05}}},
    {"nadam",
     {.algorithm = EDGEOPT_NADAM,
      .nadam = {.lr = 0.01, .beta1 = 0.9, .beta2 = 0.999, .eps = 1e-8, .weight_decay = 0.01, .momentum_decay = 0.006}}},
    {"radam", {.algorithm = EDGEOPT_RADAM, .radam = {.lr = 0.01, .beta1 = 0.9, .beta2 = 0.999, .eps = 1e-8, .weight_decay = 0.01}}},
    {"rmsprop_centered",
     {.algorithm = EDGEOPT_RMSPROP,
      .rmsprop = {.lr = 0.01, .alpha = 0.95, .eps = 1e-7, .weight_decay = 0.002, .momentum = 0.5, .centered = true}}},
    {"sgd_nesterov",
     {.algorithm = EDGEOPT_SGD, .sgd = {.lr = 0.05, .momentum = 0.9, .weight_decay = 0.001, .nesterov = true}}},
};
#define CASE_COUNT (sizeof cases / sizeof cases[0])

/* Static: the firmware boards have small stacks. */
static unsigned char region_copy[MAX_REGION];
static const unsigned char *region = region_copy; /* or an embedded array */
static float grads[STEPS_AFTER][TOTAL];
static float expected[TOTAL];
static float loaded[TOTAL];
/* Each tensor followed by canaries: nothing may write past a tensor's end. */
static float params[TOTAL + TENSORS * CANARY_FLOATS];
#define ARENA_BYTES EDGEOPT_ARENA_BYTES(3, TENSORS, TOTAL)
static unsigned char arena[ARENA_BYTES + 64];

static const uint32_t canary_bits = 0x7FC0DEADu; /* a NaN no step writes */
static const unsigned char arena_canary = 0xA5;

static uint32_t bits_of(float value) {
    uint32_t bits;
    memcpy(&bits, &value, sizeof bits);
    return bits;
}

/* A file into buffer: exactly capacity bytes, or (bytes not NULL) up to
 * capacity, the count in *bytes; false, with a message, otherwise. */
static bool read_file(const char *dir, const char *name, const char *suffix, void *buffer, size_t capacity,
                      size_t *bytes) {
    char path[512];
    snprintf(path, sizeof path, "%s/%s%s", dir, name, suffix);
    FILE *file = fopen(path, "rb");
    if (file == NULL) {
        printf("%s: cannot open\n", path);
        return false;
    }
    size_t got = fread(buffer, 1, capacity, file);
    /* One byte more than the buffer holds means the file is too big. */
    unsigned char extra;
    bool too_big = got == capacity && fread(&extra, 1, 1, file) == 1;
    fclose(file);
    if (too_big || (bytes == NULL && got != capacity)) {
        printf("%s: %lu bytes%s, expected %lu\n", path, (unsigned long)got, too_big ? " or more" : "",
               (unsigned long)capacity);
        return false;
    }
    if (bytes != NULL) *bytes = got;
    return true;
}

/* Raw little-endian float32 into host floats (the host may be big-endian). */
static void from_little_endian(float *values, size_t count) {
    for (size_t i = 0; i < count; ++i) {
        const unsigned char *b = (const unsigned char *)&values[i];
        uint32_t bits = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
        memcpy(&values[i], &bits, sizeof bits);
    }
}

static float *tensor_param(size_t tensor) { return tensor == 0 ? params : params + lengths[0] + CANARY_FLOATS; }

static size_t tensor_offset(size_t tensor) { return tensor == 0 ? 0 : lengths[0]; }

static void set_canaries(void) {
    for (size_t t = 0; t < TENSORS; ++t)
        for (size_t i = 0; i < CANARY_FLOATS; ++i) memcpy(tensor_param(t) + lengths[t] + i, &canary_bits, 4);
    memset(arena, arena_canary, sizeof arena);
}

static bool canaries_intact(size_t arena_used) {
    for (size_t t = 0; t < TENSORS; ++t)
        for (size_t i = 0; i < CANARY_FLOATS; ++i)
            if (bits_of(tensor_param(t)[lengths[t] + i]) != canary_bits) return false;
    for (size_t i = arena_used; i < sizeof arena; ++i)
        if (arena[i] != arena_canary) return false;
    return true;
}

/* The restored options must be the device's: every field, bit for bit. */
static bool same_options(const char *name, const edgeopt_config *device, const edgeopt_config *image) {
    const size_t count = edgeopt_option_count(device->algorithm);
    bool same = image->algorithm == device->algorithm;
    for (size_t i = 0; i < count && same; ++i) {
        edgeopt_option_info info;
        if (edgeopt_option_describe(device->algorithm, i, &info) != EDGEOPT_OK) return false;
        const unsigned char *want = (const unsigned char *)device + info.offset;
        const unsigned char *got = (const unsigned char *)image + info.offset;
        const size_t size = info.kind == EDGEOPT_OPTION_REAL ? sizeof(double) : sizeof(bool);
        if (memcmp(want, got, size) != 0) {
            double w = 0, g = 0;
            if (info.kind == EDGEOPT_OPTION_REAL) {
                memcpy(&w, want, sizeof w);
                memcpy(&g, got, sizeof g);
            } else {
                w = *(const bool *)want;
                g = *(const bool *)got;
            }
            printf("%s: the image's %s is %.17g, the device's %.17g\n", name, info.name, g, w);
            same = false;
        }
    }
    for (unsigned k = 0; k < 3 && same; ++k) same = image->state_dtype[k] == EDGEOPT_F32;
    return same;
}

/* Points region at the case's bytes and loads grads/expected. */
static bool read_case(const char *dir, const char *name, size_t *region_bytes) {
#ifdef HANDOVER_EMBEDDED
    if (strcmp(dir, "embedded") == 0) {
        const size_t count = sizeof handover_embedded / sizeof handover_embedded[0];
        size_t i = 0;
        while (i < count && strcmp(handover_embedded[i].name, name) != 0) ++i;
        if (i == count || handover_embedded[i].grads_bytes != sizeof grads ||
            handover_embedded[i].expected_bytes != sizeof expected) {
            printf("%s: not embedded, or of other sizes\n", name);
            return false;
        }
        region = handover_embedded[i].region;
        *region_bytes = handover_embedded[i].region_bytes;
        memcpy(grads, handover_embedded[i].grads, sizeof grads);
        memcpy(expected, handover_embedded[i].expected, sizeof expected);
        from_little_endian(&grads[0][0], sizeof grads / sizeof(float));
        from_little_endian(expected, TOTAL);
        return true;
    }
#endif
    region = region_copy;
    if (!read_file(dir, name, ".region", region_copy, sizeof region_copy, region_bytes) ||
        !read_file(dir, name, ".grads", grads, sizeof grads, NULL) ||
        !read_file(dir, name, ".expected", expected, sizeof expected, NULL))
        return false;
    from_little_endian(&grads[0][0], sizeof grads / sizeof(float));
    from_little_endian(expected, TOTAL);
    return true;
}

typedef enum outcome { MATCH, MISMATCH, BROKEN } outcome;

/* Restores, continues and compares one case with one kernel. */
static outcome run_case(const handover_case *c, size_t region_bytes, edgeopt_isa isa, bool flip_gradient) {
    const char *name = c->name;
    edgeopt_optimizer opt;
    const size_t arena_used = edgeopt_state_bytes(&c->config, lengths, TENSORS);
    set_canaries();
    edgeopt_status status = edgeopt_init(&opt, &c->config, lengths, TENSORS, arena, arena_used);
    if (arena_used == 0 || arena_used > ARENA_BYTES || status != EDGEOPT_OK) {
        printf("%s: init: %s\n", name, edgeopt_status_message(status));
        return BROKEN;
    }
    if ((status = edgeopt_set_isa(&opt, isa)) != EDGEOPT_OK) {
        printf("%s: set_isa(%s): %s\n", name, edgeopt_isa_name(isa), edgeopt_status_message(status));
        return BROKEN;
    }
    edgeopt_isa used = edgeopt_get_isa(&opt);
    if (used == EDGEOPT_ISA_AUTO) used = edgeopt_isa_default(c->config.algorithm);

    edgeopt_checkpoint_storage storage;
    memset(&storage, 0, sizeof storage);
    storage.size = region_bytes;
    storage.memory = region; /* memory-mapped, as internal flash: no read callback */
    edgeopt_tensor tensors[TENSORS];
    for (size_t t = 0; t < TENSORS; ++t) {
        tensors[t] = edgeopt_tensor_of(tensor_param(t), EDGEOPT_F32, NULL, EDGEOPT_F32, lengths[t]);
        memset(tensor_param(t), 0, lengths[t] * sizeof(float));
    }
    edgeopt_checkpoint_info info;
    if ((status = edgeopt_checkpoint_newest(&storage, &info)) != EDGEOPT_OK ||
        (status = edgeopt_checkpoint_load(&opt, tensors, TENSORS, NULL, 0, NULL, &storage)) != EDGEOPT_OK) {
        printf("%s: load: %s\n", name, edgeopt_status_message(status));
        return BROKEN;
    }
    edgeopt_config restored;
    edgeopt_get_config(&opt, &restored);
    /* torch.optim.SGD keeps no step count: edgeopt.torch records 1 for "the
     * momentum buffer exists", all an SGD step needs to know. */
    const uint64_t step = c->config.algorithm == EDGEOPT_SGD ? 1 : STEPS_BEFORE;
    if (!info.has_params || edgeopt_step_count(&opt) != step) {
        printf("%s: the image holds step %lu%s, torch was at step %lu\n", name,
               (unsigned long)edgeopt_step_count(&opt), info.has_params ? "" : " without parameters",
               (unsigned long)step);
        return BROKEN;
    }
    if (!same_options(name, &c->config, &restored)) return BROKEN;
    for (size_t t = 0; t < TENSORS; ++t)
        memcpy(loaded + tensor_offset(t), tensor_param(t), lengths[t] * sizeof(float));
    /* Were the restored parameters already torch's final ones, the steps
     * below would prove nothing. */
    if (memcmp(loaded, expected, sizeof expected) == 0) {
        printf("%s: the region's parameters equal the expected ones: no steps to check\n", name);
        return BROKEN;
    }

    for (int s = 0; s < STEPS_AFTER; ++s) {
        float grad[TOTAL];
        memcpy(grad, grads[s], sizeof grad);
        if (flip_gradient && s == 0) grad[0] = -grad[0];
        for (size_t t = 0; t < TENSORS; ++t) tensors[t].grad = grad + tensor_offset(t);
        if ((status = edgeopt_step(&opt, tensors, TENSORS)) != EDGEOPT_OK) {
            printf("%s: step %d: %s\n", name, STEPS_BEFORE + s + 1, edgeopt_status_message(status));
            return BROKEN;
        }
    }
    if (!canaries_intact(arena_used)) {
        printf("%s [%s]: a write past the end of a parameter tensor or the arena\n", name, edgeopt_isa_name(used));
        return BROKEN;
    }

    for (size_t t = 0; t < TENSORS; ++t) {
        for (size_t i = 0; i < lengths[t]; ++i) {
            const float got = tensor_param(t)[i], want = expected[tensor_offset(t) + i];
            if (bits_of(got) != bits_of(want)) {
                printf("%s [%s]: MISMATCH after step %d, tensor %lu element %lu: %.9g (0x%08lx), torch %.9g "
                       "(0x%08lx)\n",
                       name, edgeopt_isa_name(used), STEPS_BEFORE + STEPS_AFTER, (unsigned long)t, (unsigned long)i, (double)got,
                       (unsigned long)bits_of(got), (double)want, (unsigned long)bits_of(want));
                return MISMATCH;
            }
        }
    }
    printf("%s [%s]: %d parameters after steps %d..%d match torch bit for bit\n", name, edgeopt_isa_name(used),
           TOTAL, STEPS_BEFORE + 1, STEPS_BEFORE + STEPS_AFTER);
    return MATCH;
}

static const handover_case *find_case(const char *name) {
    for (size_t i = 0; i < CASE_COUNT; ++i)
        if (strcmp(cases[i].name, name) == 0) return &cases[i];
    printf("no case named %s\n", name);
    return NULL;
}

int main(int argc, char **argv) {
    bool every_isa = false, flip_gradient = false;
    int arg = 1;
    if (arg < argc && strcmp(argv[arg], "--every-isa") == 0) {
        every_isa = true;
        ++arg;
    } else if (arg < argc && strcmp(argv[arg], "--flip-gradient") == 0) {
        flip_gradient = true;
        ++arg;
    }
    if (arg >= argc || argv[arg][0] == '-') {
        printf("usage: %s [--every-isa | --flip-gradient] DATA_DIR [CASE...]\n", argv[0]);
        return 2;
    }
    const char *dir = argv[arg++];
    const size_t named = (size_t)(argc - arg);
    if (named == 0 && strcmp(dir, "embedded") == 0) {
        printf("name the embedded cases to run\n");
        return 2;
    }

    int failures = 0, runs = 0;
    for (size_t i = 0; i < (named ? named : CASE_COUNT); ++i) {
        const handover_case *c = named ? find_case(argv[arg + (int)i]) : &cases[i];
        size_t region_bytes = 0;
        if (c == NULL || !read_case(dir, c->name, &region_bytes)) {
            ++failures;
            continue;
        }
        for (int isa = EDGEOPT_ISA_AUTO; isa < EDGEOPT_ISA_COUNT; ++isa) {
            if (every_isa ? isa == EDGEOPT_ISA_AUTO || !edgeopt_isa_available((edgeopt_isa)isa) ||
                                !edgeopt_isa_bit_exact((edgeopt_isa)isa)
                          : isa != EDGEOPT_ISA_AUTO)
                continue;
            const outcome result = run_case(c, region_bytes, (edgeopt_isa)isa, flip_gradient);
            ++runs;
            if (result != (flip_gradient ? MISMATCH : MATCH)) ++failures;
            if (flip_gradient && result == MATCH) printf("%s: a negated gradient went unnoticed\n", c->name);
        }
    }
    printf("handover%s: %d runs, %d failed\n", every_isa ? " (every bit-exact kernel)" : flip_gradient ? " (negated gradient)" : "",
           runs, failures);
    return failures == 0 && runs > 0 ? 0 : 1;
}
