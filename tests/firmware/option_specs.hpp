// SPDX-License-Identifier: Apache-2.0
// Every optimizer with each of its options switched on at least once (the
// host's tests/option_matrix.cpp, in case-file syntax): the sweep and the
// benchmark run all of them.
#pragma once
#include <cstddef>

namespace firmware {

extern const char* const option_specs[];
extern const std::size_t option_spec_count;

}  // namespace firmware
