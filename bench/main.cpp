// SPDX-License-Identifier: Apache-2.0
// edgeopt-bench: every optimizer × every kernel the host runs × sizes, its
// roofline and its peers, in one Google Benchmark run.
//
//   edgeopt-bench [--smoke | --check] [--pin=CPU] [--min-time=S] [--iterations-large=N]
//                 [--repetitions-large=N] [Google Benchmark flags...]
//
// --smoke runs every benchmark once at the smallest size, for CI: it checks
// that everything runs, never how fast.  --check compares every peer's
// parameters with edgeopt's after a few steps and exits non-zero on a mismatch.
#include <benchmark/benchmark.h>
#include <sched.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "benchmarks.hpp"
#include "build_info.hpp"
#include "cases.hpp"
#include "check.hpp"
#include "edgeopt/edgeopt.h"
#include "peers/peers.hpp"

namespace {

// "model name" plus family, model and stepping: a virtual machine may name
// only the vendor ("AMD EPYC"), and the numbers still tell the generation.
std::string cpu_model() {
    std::ifstream cpuinfo("/proc/cpuinfo");
    std::string name = "unknown", family, model, stepping;
    for (std::string line; std::getline(cpuinfo, line) && line.find_first_not_of(" \t") != std::string::npos;) {
        const auto colon = line.find(':');
        if (colon == std::string::npos || colon + 2 > line.size()) continue;
        const std::string key = line.substr(0, line.find_last_not_of(" \t", colon - 1) + 1);
        const std::string value = line.substr(colon + 2);
        if (key == "model name") name = value;
        if (key == "cpu family") family = value;
        if (key == "model") model = value;
        if (key == "stepping") stepping = value;
    }
    if (family.empty()) return name;
    return name + " (family " + family + ", model " + model + ", stepping " + stepping + ")";
}

std::string affinity() {
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) != 0) return "unknown";
    std::string cpus;
    for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu)
        if (CPU_ISSET(cpu, &set)) cpus += (cpus.empty() ? "" : ",") + std::to_string(cpu);
    return cpus;
}

bool pin(int cpu) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return sched_setaffinity(0, sizeof set, &set) == 0;
}

bool take(const char* arg, const char* prefix, const char** value) {
    const std::size_t n = std::strlen(prefix);
    if (std::strncmp(arg, prefix, n) != 0) return false;
    *value = arg + n;
    return true;
}

void add_context(const bench::run_options& options) {
    using benchmark::AddCustomContext;
    AddCustomContext("cpu_model", cpu_model());
    AddCustomContext("affinity", affinity());
    AddCustomContext("compiler", EDGEOPT_BENCH_COMPILER);
    AddCustomContext("library_flags", EDGEOPT_BENCH_LIBRARY_FLAGS);
    AddCustomContext("peer_flags", EDGEOPT_BENCH_PEER_FLAGS);
    AddCustomContext("mode", options.smoke ? "smoke" : "full");
    AddCustomContext("torch", bench::torch_available() ? "libtorch " EDGEOPT_BENCH_TORCH_VERSION
                                                         : "skipped: libtorch not installed");
    std::string isas;
    for (int isa = EDGEOPT_ISA_SCALAR; isa < EDGEOPT_ISA_COUNT; ++isa)
        if (edgeopt_isa_available(static_cast<edgeopt_isa>(isa)))
            isas += (isas.empty() ? "" : ",") + std::string(edgeopt_isa_name(static_cast<edgeopt_isa>(isa)));
    AddCustomContext("kernels", isas);
    for (const bench::optimizer_case& c : bench::optimizer_cases()) {
        AddCustomContext("default_isa/" + c.name, edgeopt_isa_name(edgeopt_isa_default(c.config.algorithm)));
        AddCustomContext("ops/" + c.name, bench::describe(bench::count_ops(c)));
        AddCustomContext("slots/" + c.name, std::to_string(bench::state_slots(c)));
    }
}

}  // namespace

int main(int argc, char** argv) {
    bench::run_options options;
    std::vector<char*> passed{argv[0]};
    for (int i = 1; i < argc; ++i) {
        const char* value = nullptr;
        if (std::strcmp(argv[i], "--smoke") == 0) {
            options.smoke = true;
        } else if (std::strcmp(argv[i], "--check") == 0) {
            return bench::check_peers() == 0 ? 0 : 1;
        } else if (take(argv[i], "--pin=", &value)) {
            if (!pin(std::atoi(value))) std::fprintf(stderr, "edgeopt-bench: cannot pin to CPU %s\n", value);
        } else if (take(argv[i], "--min-time=", &value)) {
            options.min_time = std::atof(value);
        } else if (take(argv[i], "--iterations-large=", &value)) {
            options.iterations_large = std::atoi(value);
        } else if (take(argv[i], "--repetitions-large=", &value)) {
            options.repetitions_large = std::atoi(value);
        } else {
            passed.push_back(argv[i]);
        }
    }
    int passed_count = static_cast<int>(passed.size());
    passed.push_back(nullptr);
    benchmark::Initialize(&passed_count, passed.data());
    if (benchmark::ReportUnrecognizedArguments(passed_count, passed.data())) return 1;
    add_context(options);
    bench::register_all(options);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
