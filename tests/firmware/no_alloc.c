/* SPDX-License-Identifier: Apache-2.0 */
/* Linked with the whole library and every allocator wrapped to an undefined
 * __wrap_ symbol (CMakeLists.txt): if any library object referred to malloc,
 * free, calloc, realloc, newlib's _malloc_r/_free_r, operator new or delete,
 * this program would not link. Built without -DNO_ALLOC_CONTROL, that is the
 * test; with it, this file calls malloc itself, and the link must fail (the
 * control that the wrapping catches a reference). No stdio here: newlib's
 * printf allocates its buffers. */
#include <stdlib.h>

#include "edgeopt/edgeopt.h"

int main(void) {
  static unsigned char arena[EDGEOPT_ARENA_BYTES_1(2, 4)];
  static float params[4], grads[4] = {1, 2, 3, 4};
  const size_t length = 4;
  const edgeopt_config config = edgeopt_defaults(EDGEOPT_ADAM);
  const edgeopt_tensor tensor = {params, grads, length};
  edgeopt_optimizer opt;
#ifdef NO_ALLOC_CONTROL
  free(malloc(16));
#endif
  if (edgeopt_init(&opt, &config, &length, 1, arena, sizeof arena) != EDGEOPT_OK) return 1;
  return edgeopt_step(&opt, &tensor, 1) == EDGEOPT_OK && params[0] < 0.0f ? 0 : 1;
}
