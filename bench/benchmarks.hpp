// SPDX-License-Identifier: Apache-2.0
// Registration of every benchmark with Google Benchmark.  Names are
//   opt/<case>/<isa>/<shape>          edgeopt with a forced kernel
//   peer/<case>/<peer>/<shape>        plain, plain_no_errno, eigen, torch
//   roof/<copy|triad|streams>/s<slots>/<shape>/<avx2|avx512>
//   roof/compute/<case>/<avx2|avx512>
// and bench/report.py relies on them.
#pragma once

namespace bench {

struct run_options {
    bool smoke = false;     // 4K only, short runs, one repetition
    double min_time = 0.03;      // seconds per repetition, 4K to model
    int iterations_large = 3;    // steps per repetition at 16M
    int repetitions_large = 3;   // at 16M; 0 = --benchmark_repetitions
};

void register_all(const run_options& options);

}  // namespace bench
