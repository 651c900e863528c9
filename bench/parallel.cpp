// SPDX-License-Identifier: Apache-2.0
// edgeopt-bench-parallel: one step on 1 thread (edgeopt_step) and on 2
// threads (edgeopt_step_parallel on the bundled pool), for every optimizer
// case at 64K, 1M, 16M parameters and the ResNet-110-shaped list, with the
// STREAM triad on 1 and 2 threads as the memory roof.  Medians of 5
// repetitions, each at least 20 ms of steps; prints a table and the CPU.
//   edgeopt-bench-parallel [--smoke]   --smoke: 4K only, one short repetition
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "cases.hpp"
#include "edgeopt/pool.h"
#include "workload.hpp"

namespace {

using clock_type = std::chrono::steady_clock;

struct options {
    bool smoke = false;
    int repetitions = 5;
    double min_seconds = 0.02;
};

// Median seconds per call of `work`, each repetition long enough to time.
template <class Work>
double seconds_per_call(const options& o, Work&& work) {
    work();  // warm: page faults, caches, the pool's threads
    std::vector<double> samples;
    for (int r = 0; r < o.repetitions; ++r) {
        std::size_t calls = 0;
        const auto start = clock_type::now();
        double elapsed = 0.0;
        do {
            work();
            ++calls;
            elapsed = std::chrono::duration<double>(clock_type::now() - start).count();
        } while (elapsed < o.min_seconds);
        samples.push_back(elapsed / double(calls));
    }
    std::sort(samples.begin(), samples.end());
    return samples[samples.size() / 2];
}

// The machine is shared: the load average says how much of it was ours.
std::string load_average() {
    std::ifstream in("/proc/loadavg");
    std::string one, five, fifteen;
    in >> one >> five >> fifteen;
    return one + " " + five + " " + fifteen;
}

std::string cpu_model() {
    std::ifstream in("/proc/cpuinfo");
    for (std::string line; std::getline(in, line);)
        if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
    return "unknown";
}

// STREAM triad a = b + s·c over n floats, split in `threads` ranges.
struct triad {
    float *a, *b, *c;
    std::size_t n, tasks;
    static void task(void* context, std::size_t index) {
        const triad& t = *static_cast<const triad*>(context);
        const std::size_t begin = t.n * index / t.tasks, end = t.n * (index + 1) / t.tasks;
        for (std::size_t i = begin; i < end; ++i) t.a[i] = t.b[i] + 3.0f * t.c[i];
    }
};

double triad_gbps(const options& o, edgeopt_pool* pool, std::size_t n) {
    bench::float_buffer a(n), b(n), c(n);
    for (std::size_t i = 0; i < n; ++i) b.data()[i] = c.data()[i] = 1.0f;
    triad t{a.data(), b.data(), c.data(), n, edgeopt_pool_threads(pool)};
    const double s = seconds_per_call(o, [&] { edgeopt_pool_run(pool, t.tasks, triad::task, &t); });
    bench::keep(a.data()[n / 2]);
    return 12.0 * double(n) / s / 1e9;
}

}  // namespace

int main(int argc, char** argv) {
    options o;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--smoke") == 0) {
            o.smoke = true;
            o.repetitions = 1;
            o.min_seconds = 0.0;
        } else {
            std::fprintf(stderr, "usage: %s [--smoke]\n", argv[0]);
            return 2;
        }
    }
    edgeopt_pool* pools[2] = {edgeopt_pool_create(1), edgeopt_pool_create(2)};
    if (!pools[0] || !pools[1]) return 1;
    std::printf("cpu: %s; %u hardware threads; kernel: %s; load average before: %s\n", cpu_model().c_str(),
                unsigned(std::thread::hardware_concurrency()),
                edgeopt_isa_name(edgeopt_isa_default(EDGEOPT_ADAM)), load_average().c_str());
    const std::size_t stream_n = o.smoke ? 4096 : std::size_t{1} << 24;
    const double roof1 = triad_gbps(o, pools[0], stream_n), roof2 = triad_gbps(o, pools[1], stream_n);
    std::printf("stream triad %zu floats: 1 thread %.1f GB/s, 2 threads %.1f GB/s (%.2fx)\n\n", stream_n, roof1, roof2,
                roof2 / roof1);

    std::vector<bench::shape> shapes = bench::shapes(o.smoke);
    if (!o.smoke) shapes.erase(shapes.begin());  // 4K: a step is a few microseconds, below a wake-up
    std::printf("| optimizer | size | 1 thread us | 2 threads us | speed-up | 2-thread GB/s |\n");
    std::printf("|---|---|---|---|---|---|\n");
    int failures = 0;
    for (const bench::optimizer_case& c : bench::optimizer_cases()) {
        for (const bench::shape& shape : shapes) {
            bench::workload w(shape.lengths, 0);
            const std::size_t bytes = edgeopt_state_bytes(&c.config, shape.lengths.data(), shape.lengths.size());
            bench::float_buffer arena((bytes + 3) / 4);
            edgeopt_optimizer opt;
            if (edgeopt_init(&opt, &c.config, shape.lengths.data(), shape.lengths.size(), arena.data(), bytes) !=
                EDGEOPT_OK) {
                ++failures;
                continue;
            }
            const edgeopt_tensor* tensors = w.tensors().data();
            const std::size_t count = w.count();
            for (unsigned s = 0; s < bench::warm_steps(c); ++s) failures += edgeopt_step(&opt, tensors, count) != EDGEOPT_OK;
            const double one = seconds_per_call(o, [&] { failures += edgeopt_step(&opt, tensors, count) != EDGEOPT_OK; });
            const edgeopt_parallel_for pf = edgeopt_pool_parallel_for(pools[1]);
            const double two = seconds_per_call(o, [&] {
                failures += edgeopt_step_parallel(&opt, tensors, count, &pf) != EDGEOPT_OK;
            });
            const double moved = double(shape.total()) * double(bench::bytes_per_param(bench::state_slots(c)));
            std::printf("| %s | %s | %.1f | %.1f | %.2fx | %.1f |\n", c.name.c_str(), shape.name.c_str(), one * 1e6, two * 1e6,
                        one / two, moved / two / 1e9);
            std::fflush(stdout);
        }
    }
    edgeopt_pool_destroy(pools[0]);
    edgeopt_pool_destroy(pools[1]);
    std::printf("\nload average after: %s\n", load_average().c_str());
    if (failures) std::printf("%d steps failed\n", failures);
    return failures ? 1 : 0;
}
