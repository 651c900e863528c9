// SPDX-License-Identifier: Apache-2.0
// plain.cpp again, compiled with -fno-math-errno (see its header comment).
#define EDGEOPT_BENCH_PLAIN_FACTORY make_plain_no_errno
#include "peers/plain.cpp"
