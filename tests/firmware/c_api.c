/* SPDX-License-Identifier: Apache-2.0 */
/* The C API from plain C11 on the board (tests/test_c_api.c runs here too):
 * names, state layout, arena macros, schedules, reset, kernels, and that
 * none of it touches the heap. */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "edgeopt/edgeopt.h"
#include "support.h"

#define A_LENGTH 7
#define B_LENGTH 33

static float a[A_LENGTH], b[B_LENGTH], grad_a[A_LENGTH], grad_b[B_LENGTH];
/* RMSprop centered with momentum: all 3 slots, for two tensors. */
static unsigned char arena[EDGEOPT_ARENA_BYTES(3, 2, A_LENGTH + B_LENGTH)];
static const size_t lengths[2] = {A_LENGTH, B_LENGTH};

static void check_names(void) {
  check_context("names");
  for (int i = EDGEOPT_SGD; i < EDGEOPT_SGD + (int)EDGEOPT_ALGORITHM_COUNT; ++i) {
    edgeopt_algorithm parsed = (edgeopt_algorithm)0;
    const char *name = edgeopt_algorithm_name((edgeopt_algorithm)i);
    CHECK(name != NULL && edgeopt_algorithm_parse(name, &parsed) && parsed == (edgeopt_algorithm)i);
    edgeopt_config config = edgeopt_defaults((edgeopt_algorithm)i);
    /* Slots are numbered 0..2 whether these options use them or not. */
    CHECK(edgeopt_state_slots(&config) <= 3 && edgeopt_state_slot_name(&config, 3) == NULL);
    CHECK(edgeopt_state_slot_name(&config, 0) != NULL);
  }
  for (int i = EDGEOPT_ISA_AUTO; i < EDGEOPT_ISA_COUNT; ++i) {
    edgeopt_isa parsed = EDGEOPT_ISA_COUNT;
    CHECK(edgeopt_isa_parse(edgeopt_isa_name((edgeopt_isa)i), &parsed) && parsed == (edgeopt_isa)i);
  }
  edgeopt_algorithm unused;
  CHECK(!edgeopt_algorithm_parse("adamm", &unused) && edgeopt_algorithm_name((edgeopt_algorithm)0) == NULL);
}

static void fill(unsigned step) {
  for (int i = 0; i < A_LENGTH; ++i) grad_a[i] = 0.01f * (float)((i * 7 + (int)step) % 11 - 5);
  for (int i = 0; i < B_LENGTH; ++i) grad_b[i] = 0.02f * (float)((i * 5 + (int)step) % 13 - 6);
}

/* Runs `steps` steps from fixed parameters; returns the sum of |params|. */
static float run(edgeopt_optimizer *opt, unsigned steps) {
  const edgeopt_tensor tensors[2] = {{a, grad_a, A_LENGTH}, {b, grad_b, B_LENGTH}};
  for (int i = 0; i < A_LENGTH; ++i) a[i] = 0.1f * (float)(i - 3);
  for (int i = 0; i < B_LENGTH; ++i) b[i] = 0.05f * (float)(i % 9 - 4);
  for (unsigned s = 0; s < steps; ++s) {
    fill(s);
    CHECK(edgeopt_step(opt, tensors, 2) == EDGEOPT_OK);
  }
  float sum = 0.0f;
  for (int i = 0; i < A_LENGTH; ++i) sum += a[i] < 0 ? -a[i] : a[i];
  for (int i = 0; i < B_LENGTH; ++i) sum += b[i] < 0 ? -b[i] : b[i];
  return sum;
}

static void check_optimizer(void) {
  edgeopt_config config = edgeopt_defaults(EDGEOPT_RMSPROP);
  config.rmsprop.centered = true;
  config.rmsprop.momentum = 0.9;
  check_context("rmsprop centered momentum, two tensors");
  CHECK(edgeopt_state_slots(&config) == 3);
  CHECK(edgeopt_state_bytes(&config, lengths, 2) <= sizeof arena);
  CHECK(strcmp(edgeopt_state_slot_name(&config, 2), "momentum_buffer") == 0);

  size_t heap_before = cortexm_heap_used();
  edgeopt_optimizer opt;
  CHECK(edgeopt_init(&opt, &config, lengths, 2, arena, sizeof arena) == EDGEOPT_OK);
  float first = run(&opt, 5);
  CHECK(edgeopt_step_count(&opt) == 5);
  CHECK(edgeopt_reset(&opt) == EDGEOPT_OK && edgeopt_step_count(&opt) == 0);
  CHECK(run(&opt, 5) == first); /* reset is a fresh start */
  CHECK(edgeopt_state_buffer(&opt, 1, 0) != NULL && edgeopt_state_buffer(&opt, 2, 0) == NULL);

  CHECK(edgeopt_reset(&opt) == EDGEOPT_OK && edgeopt_set_lr(&opt, 0.0) == EDGEOPT_OK);
  edgeopt_config got;
  CHECK(edgeopt_get_config(&opt, &got) == EDGEOPT_OK && got.rmsprop.lr == 0.0 && got.rmsprop.centered);
  run(&opt, 2);
  CHECK(a[0] == 0.1f * -3.0f); /* lr 0 leaves parameters where they were */

  for (int i = EDGEOPT_ISA_SCALAR; i < EDGEOPT_ISA_COUNT; ++i) {
    edgeopt_status status = edgeopt_set_isa(&opt, (edgeopt_isa)i);
    CHECK(edgeopt_isa_available((edgeopt_isa)i) ? status == EDGEOPT_OK && edgeopt_get_isa(&opt) == (edgeopt_isa)i
                                                : status == EDGEOPT_ERR_ISA_UNAVAILABLE);
  }
  edgeopt_destroy(&opt);
  CHECK(edgeopt_get_isa(&opt) == EDGEOPT_ISA_AUTO);
  check_context("the heap");
  CHECK(cortexm_heap_used() == heap_before);
}

int main(void) {
  printf("c_api: heap used before the tests: %u bytes\n", (unsigned)cortexm_heap_used());
  check_names();
  check_optimizer();
  return check_summary("c_api");
}
