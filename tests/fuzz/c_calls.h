/* SPDX-License-Identifier: Apache-2.0 */
/* See c_calls.c. */
#ifndef EDGEOPT_FUZZ_C_CALLS_H
#define EDGEOPT_FUZZ_C_CALLS_H
#include <stdbool.h>

#include "edgeopt/edgeopt.h"

#ifdef __cplusplus
extern "C" {
#endif
edgeopt_status fuzz_set_isa(edgeopt_optimizer* opt, int isa);
bool fuzz_isa_bit_exact_or_absent(int isa);
edgeopt_config fuzz_defaults(int algorithm);
const char* fuzz_status_message(int status);
#ifdef __cplusplus
}
#endif
#endif
