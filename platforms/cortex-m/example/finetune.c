/* SPDX-License-Identifier: Apache-2.0 */
/* Fine-tuning on the device: a 2-layer network (6 inputs, 12 ReLU units, 3
 * classes) adapts to this board's sensor with edgeopt's Adam, all memory
 * static. The data is synthetic and built in: 3-axis accelerometer windows
 * summarised as mean and spread per axis, for three activities (resting,
 * walking, shaking), on a sensor with its own offset and gain. The weights
 * start as shipped (here a fixed pseudo-random set); full-batch training
 * prints the cross-entropy falling and fails (exit 1) unless the final loss
 * is below a quarter of the first. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "edgeopt/edgeopt.h"

enum { INPUTS = 6, HIDDEN = 12, CLASSES = 3, SAMPLES = 96, STEPS = 150 };

static float w1[HIDDEN * INPUTS], b1[HIDDEN], w2[CLASSES * HIDDEN], b2[CLASSES];
static float g_w1[HIDDEN * INPUTS], g_b1[HIDDEN], g_w2[CLASSES * HIDDEN], g_b2[CLASSES];
static float features[SAMPLES][INPUTS];
static int labels[SAMPLES];
/* Adam keeps 2 floats per parameter: 4 tensors, 123 parameters in all. */
static unsigned char arena[EDGEOPT_ARENA_BYTES(2, 4, HIDDEN * INPUTS + HIDDEN + CLASSES * HIDDEN + CLASSES)];

static unsigned random_state = 12345u;
static float uniform(void) { /* [-1, 1) */
  random_state = random_state * 1664525u + 1013904223u;
  return (float)(random_state >> 8) * 0x1p-23f - 1.0f;
}

static void make_data(void) {
  /* Per class: mean acceleration (g) and spread per axis; the board's sensor
   * reads 0.3 g high on x and 1.5x on the spreads. */
  static const float mean[CLASSES][3] = {{0.0f, 0.0f, 1.0f}, {0.1f, 0.3f, 0.9f}, {0.4f, -0.2f, 0.7f}};
  static const float spread[CLASSES] = {0.02f, 0.25f, 0.6f};
  for (int n = 0; n < SAMPLES; ++n) {
    const int c = n % CLASSES;
    labels[n] = c;
    for (int axis = 0; axis < 3; ++axis) {
      features[n][axis] = mean[c][axis] + 0.3f * (axis == 0) + 0.1f * uniform();
      features[n][3 + axis] = 1.5f * spread[c] * (1.0f + 0.3f * uniform());
    }
  }
  for (int i = 0; i < HIDDEN * INPUTS; ++i) w1[i] = 0.5f * uniform();
  for (int i = 0; i < CLASSES * HIDDEN; ++i) w2[i] = 0.5f * uniform();
}

/* Mean cross-entropy over the data set; fills the gradients (backprop). */
static float loss_and_gradients(void) {
  float loss = 0.0f;
  memset(g_w1, 0, sizeof g_w1), memset(g_b1, 0, sizeof g_b1);
  memset(g_w2, 0, sizeof g_w2), memset(g_b2, 0, sizeof g_b2);
  for (int n = 0; n < SAMPLES; ++n) {
    const float *x = features[n];
    float hidden[HIDDEN], logits[CLASSES], largest = -INFINITY, total = 0.0f;
    for (int h = 0; h < HIDDEN; ++h) {
      float sum = b1[h];
      for (int i = 0; i < INPUTS; ++i) sum += w1[h * INPUTS + i] * x[i];
      hidden[h] = sum > 0.0f ? sum : 0.0f;
    }
    for (int c = 0; c < CLASSES; ++c) {
      logits[c] = b2[c];
      for (int h = 0; h < HIDDEN; ++h) logits[c] += w2[c * HIDDEN + h] * hidden[h];
      largest = logits[c] > largest ? logits[c] : largest;
    }
    for (int c = 0; c < CLASSES; ++c) total += expf(logits[c] - largest);
    loss += logf(total) + largest - logits[labels[n]];
    float back[HIDDEN] = {0};
    for (int c = 0; c < CLASSES; ++c) {
      /* d loss / d logit = softmax - one-hot, averaged over the samples */
      const float d = (expf(logits[c] - largest) / total - (c == labels[n])) / SAMPLES;
      g_b2[c] += d;
      for (int h = 0; h < HIDDEN; ++h) {
        g_w2[c * HIDDEN + h] += d * hidden[h];
        back[h] += d * w2[c * HIDDEN + h];
      }
    }
    for (int h = 0; h < HIDDEN; ++h) {
      if (hidden[h] <= 0.0f) continue;
      g_b1[h] += back[h];
      for (int i = 0; i < INPUTS; ++i) g_w1[h * INPUTS + i] += back[h] * x[i];
    }
  }
  return loss / SAMPLES;
}

int main(void) {
  make_data();
  const size_t lengths[] = {HIDDEN * INPUTS, HIDDEN, CLASSES * HIDDEN, CLASSES};
  const edgeopt_tensor tensors[] = {{w1, g_w1, lengths[0], EDGEOPT_F32, EDGEOPT_F32},
                                    {b1, g_b1, lengths[1], EDGEOPT_F32, EDGEOPT_F32},
                                    {w2, g_w2, lengths[2], EDGEOPT_F32, EDGEOPT_F32},
                                    {b2, g_b2, lengths[3], EDGEOPT_F32, EDGEOPT_F32}};
  edgeopt_config config = edgeopt_defaults(EDGEOPT_ADAM);
  config.adam.lr = 0.02;
  edgeopt_optimizer opt;
  edgeopt_status status = edgeopt_init(&opt, &config, lengths, 4, arena, sizeof arena);
  if (status != EDGEOPT_OK) {
    printf("init: %s\n", edgeopt_status_message(status));
    return 1;
  }
  printf("finetune: Adam on %s, %u bytes of optimizer state\n", edgeopt_isa_name(edgeopt_get_isa(&opt)),
         (unsigned)edgeopt_state_bytes(&config, lengths, 4));
  float first = 0.0f, loss = 0.0f;
  for (int step = 0; step <= STEPS; ++step) {
    loss = loss_and_gradients();
    if (step == 0) first = loss;
    if (step % 15 == 0) printf("step %3d  loss %.4f\n", step, (double)loss);
    if (step < STEPS && (status = edgeopt_step(&opt, tensors, 4)) != EDGEOPT_OK) {
      printf("step: %s\n", edgeopt_status_message(status));
      return 1;
    }
  }
  const int ok = loss < 0.25f * first;
  printf("finetune: loss %.4f -> %.4f (%s)\n", (double)first, (double)loss, ok ? "ok" : "FAIL: not below a quarter");
  return ok ? 0 : 1;
}
