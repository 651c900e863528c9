/* SPDX-License-Identifier: Apache-2.0 */
/* edgeopt — introspection: each algorithm's options, torch names and state
 * slots, for bindings and tools.  Included by edgeopt.h; C API, usable from
 * C99 and C++. */
#ifndef EDGEOPT_INTROSPECT_H
#define EDGEOPT_INTROSPECT_H

#include "edgeopt/edgeopt.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Introspection: what each algorithm takes, for bindings and tools ----
 * (the Python package reads these instead of keeping its own tables). */
#define EDGEOPT_ALGORITHM_COUNT 12u /* EDGEOPT_SGD .. EDGEOPT_SGD + COUNT - 1 */
/* torch.optim's class name ("SGD", "Adam", "AdamW", ...; "Lion"); NULL if unknown. */
const char* edgeopt_algorithm_torch_name(edgeopt_algorithm algorithm);
typedef enum edgeopt_option_kind { EDGEOPT_OPTION_REAL = 0, EDGEOPT_OPTION_FLAG } edgeopt_option_kind;
typedef struct edgeopt_option_info {
    const char* name;          /* the options struct's field: "beta1" */
    const char* torch_keyword; /* torch.optim's constructor keyword: "betas" */
    int torch_index;           /* the position in torch's tuple (betas[0]), or -1 */
    edgeopt_option_kind kind;  /* REAL: a double; FLAG: a bool */
    size_t offset;             /* of the field from the start of edgeopt_config */
} edgeopt_option_info;
/* Number of options of an algorithm (0 if unknown), in the options struct's
 * declaration order, which is also a checkpoint image's order. */
size_t edgeopt_option_count(edgeopt_algorithm algorithm);
edgeopt_status edgeopt_option_describe(edgeopt_algorithm algorithm, size_t index, edgeopt_option_info* out);
/* Whether these options use state slot `slot` (names: edgeopt_state_slot_name). */
bool edgeopt_state_slot_used(const edgeopt_config* config, unsigned slot);

#ifdef __cplusplus
}
#endif

#endif /* EDGEOPT_INTROSPECT_H */
