// SPDX-License-Identifier: Apache-2.0
// Optimizer specs in the case files' syntax, "adam lr=0.01 betas=0.9,0.999
// amsgrad=true" (torch's keyword names): the golden replay reads them from
// tests/golden/cases, and the other firmware tests write their option lists
// and bad inputs with them.  No heap; hyper-parameters are not validated
// here (the library does that, which the error tests rely on).
#pragma once
#include "edgeopt/edgeopt.h"

namespace firmware {

// Fills `out` from `text` (which may end at '\0', '\n' or '#').  Returns
// nullptr, or what is wrong as a static message.
const char* parse_spec(const char* text, edgeopt_config& out);

// Parses up to `capacity` floats separated by blanks; returns how many, or
// -1 if a word is not a number or there are more than `capacity`.
int parse_floats(const char* text, float* out, int capacity);

}  // namespace firmware
