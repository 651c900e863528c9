/* SPDX-License-Identifier: Apache-2.0 */
/* The fuzzers' calls that pass an enum by value holding any int: made from C,
 * where that is legal (in C++ the caller itself would load an out-of-range
 * enum, which is undefined and which clang's -fsanitize=enum reports). */
#include "c_calls.h"

edgeopt_status fuzz_set_isa(edgeopt_optimizer* opt, int isa) { return edgeopt_set_isa(opt, (edgeopt_isa)isa); }

/* An ISA the differential oracle can hold to bit-identity: the scalar
 * reference's bits, or refused by set_isa. */
bool fuzz_isa_bit_exact_or_absent(int isa) {
    return edgeopt_isa_bit_exact((edgeopt_isa)isa) || !edgeopt_isa_available((edgeopt_isa)isa);
}

edgeopt_config fuzz_defaults(int algorithm) { return edgeopt_defaults((edgeopt_algorithm)algorithm); }

const char* fuzz_status_message(int status) { return edgeopt_status_message((edgeopt_status)status); }
