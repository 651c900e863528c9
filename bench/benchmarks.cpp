// SPDX-License-Identifier: Apache-2.0
#include "benchmarks.hpp"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdio>
#include <vector>
#include <string>

#include "cases.hpp"
#include "dtypes.hpp"
#include "peers/peers.hpp"
#include "roofline/roofline.hpp"
#include "workload.hpp"

namespace bench {

namespace {

constexpr edgeopt_isa kernel_isas[] = {EDGEOPT_ISA_SCALAR, EDGEOPT_ISA_SSE2, EDGEOPT_ISA_AVX2, EDGEOPT_ISA_AVX512,
                                       EDGEOPT_ISA_NEON64, EDGEOPT_ISA_NEONV7, EDGEOPT_ISA_HELIUM};

void set_rates(benchmark::State& state, std::size_t params, std::size_t bytes_per_param) {
    using benchmark::Counter;
    state.counters["params/s"] = Counter(static_cast<double>(params), Counter::kIsIterationInvariantRate);
    state.counters["bytes/s"] =
        Counter(static_cast<double>(params * bytes_per_param), Counter::kIsIterationInvariantRate);
}

void run_edgeopt(benchmark::State& state, const optimizer_case& c, const shape& s, edgeopt_isa isa) {
    workload w(s.lengths, 0);
    const std::size_t bytes = edgeopt_state_bytes(&c.config, w.lengths().data(), w.count());
    float_buffer arena(bytes / sizeof(float) + 1);
    edgeopt_optimizer opt;
    edgeopt_status status = edgeopt_init(&opt, &c.config, w.lengths().data(), w.count(), arena.data(), bytes);
    if (status == EDGEOPT_OK) status = edgeopt_set_isa(&opt, isa);
    for (unsigned i = 0; i < warm_steps(c) && status == EDGEOPT_OK; ++i)
        status = edgeopt_step(&opt, w.tensors().data(), w.count());
    if (status != EDGEOPT_OK) {
        state.SkipWithError(edgeopt_status_message(status));
        return;
    }
    for (auto _ : state) {
        edgeopt_step(&opt, w.tensors().data(), w.count());
        benchmark::ClobberMemory();
    }
    set_rates(state, w.total(), bytes_per_param(state_slots(c)));
    state.SetLabel(edgeopt_isa_name(edgeopt_get_isa(&opt)));
}

using peer_factory = std::unique_ptr<stepper> (*)(const optimizer_case&, workload&);

void run_peer(benchmark::State& state, const optimizer_case& c, const shape& s, peer_factory make,
              unsigned slots) {
    workload w(s.lengths, slots);
    std::unique_ptr<stepper> peer = make(c, w);
    if (!peer) {
        state.SkipWithError("no such peer");
        return;
    }
    for (unsigned i = 0; i < warm_steps(c); ++i) peer->step();
    for (auto _ : state) {
        peer->step();
        benchmark::ClobberMemory();
    }
    set_rates(state, w.total(), bytes_per_param(state_slots(c)));
}

// Whether a peer has the case (its factory gives a stepper for a small workload).
bool implements(peer_factory make, const optimizer_case& c) {
    if (make == make_torch && !torch_available()) return false;
    workload probe({64}, 3);
    return make(c, probe) != nullptr;
}

// Arrays of n·(2 + slots)/k floats each, k arrays: the optimizer's footprint.
std::size_t stream_length(std::size_t params, unsigned slots, unsigned arrays) {
    const std::size_t floats = params * (2 + slots) / arrays;
    return (floats + 63) / 64 * 64;
}

void run_copy(benchmark::State& state, std::size_t params, unsigned slots, vector_isa isa) {
    const std::size_t n = stream_length(params, slots, 2);
    workload w({n}, 1);
    for (auto _ : state) {
        copy(isa, w.state(0, 0), w.param(0), n);
        benchmark::ClobberMemory();
    }
    set_rates(state, n, copy_bytes_per_element);
}

void run_triad(benchmark::State& state, std::size_t params, unsigned slots, vector_isa isa) {
    const std::size_t n = stream_length(params, slots, 3);
    workload w({n}, 1);
    for (auto _ : state) {
        triad(isa, w.state(0, 0), w.param(0), w.grad(0), 0.5f, n);
        benchmark::ClobberMemory();
    }
    set_rates(state, n, triad_bytes_per_element);
}

void run_streams(benchmark::State& state, std::size_t params, unsigned slots, vector_isa isa) {
    const std::size_t n = (params + 63) / 64 * 64;
    workload w({n}, slots);
    float* buffers[3] = {w.state(0, 0), w.state(1, 0), w.state(2, 0)};
    for (auto _ : state) {
        streams(isa, w.param(0), w.grad(0), buffers, slots, n);
        benchmark::ClobberMemory();
    }
    set_rates(state, n, bytes_per_param(slots));
}

void run_compute(benchmark::State& state, op_mix mix, vector_isa isa) {
    float sink[16];
    std::size_t elements = 0;
    for (auto _ : state) elements += compute(isa, mix, 256, sink);
    benchmark::DoNotOptimize(sink);
    state.counters["params/s"] = benchmark::Counter(static_cast<double>(elements), benchmark::Counter::kIsRate);
    state.SetLabel(describe(mix));
}

// Timing policy: in-cache shapes are cheap, so many short repetitions.  At
// 16M a step takes 15 ms (AVX2) to 350 ms (scalar) and every repetition
// pays the set-up (allocation, warm steps), so a fixed count of steps,
// without Google Benchmark's iteration-count search.
// Repetitions also report their slowest and fastest, the report's error bars.
double minimum(const std::vector<double>& v) { return v.empty() ? 0.0 : *std::min_element(v.begin(), v.end()); }
double maximum(const std::vector<double>& v) { return v.empty() ? 0.0 : *std::max_element(v.begin(), v.end()); }

void apply_policy(benchmark::internal::Benchmark* b, const shape& s, const run_options& o) {
    b->Unit(benchmark::kMicrosecond);
    b->ComputeStatistics("min", minimum)->ComputeStatistics("max", maximum);
    if (o.smoke) {
        b->MinTime(0.01)->Repetitions(1);
    } else if (s.total() >= (std::size_t{1} << 24)) {
        b->Iterations(o.iterations_large);
        if (o.repetitions_large > 0) b->Repetitions(o.repetitions_large);
    } else {
        b->MinTime(o.min_time);
    }
}

}  // namespace

void register_all(const run_options& options) {
    // Benchmarks keep pointers into these for the whole run.
    static const std::vector<shape> all_shapes = shapes(options.smoke);
    const std::vector<optimizer_case>& cases = optimizer_cases();

    for (const optimizer_case& c : cases) {
        for (const shape& s : all_shapes) {
            for (edgeopt_isa isa : kernel_isas) {
                if (!edgeopt_isa_available(isa)) continue;
                const std::string name = "opt/" + c.name + "/" + edgeopt_isa_name(isa) + "/" + s.name;
                apply_policy(benchmark::RegisterBenchmark(name.c_str(), run_edgeopt, c, s, isa), s, options);
            }
            struct {
                const char* name;
                peer_factory make;
                unsigned slots;
            } const peers[] = {{"plain", make_plain, state_slots(c)},
                               {"plain_no_errno", make_plain_no_errno, state_slots(c)},
                               {"eigen", make_eigen, state_slots(c)},
                               {"torch", make_torch, 0},
                               {"deepspeed_avx512", make_deepspeed_avx512, state_slots(c)},
                               {"deepspeed_avx2", make_deepspeed_avx2, state_slots(c)}};
            for (const auto& peer : peers) {
                if (c.config.form != EDGEOPT_FORM_TORCH) continue;  // the torch-form case has the same peers
                if (!implements(peer.make, c)) continue;
                const std::string name = "peer/" + c.name + "/" + peer.name + "/" + s.name;
                apply_policy(benchmark::RegisterBenchmark(name.c_str(), run_peer, c, s, peer.make, peer.slots), s,
                             options);
            }
        }
    }

    for (vector_isa isa : {vector_isa::avx2, vector_isa::avx512}) {
        if (!available(isa)) continue;
        for (unsigned slots = 0; slots <= 3; ++slots) {
            for (const shape& s : all_shapes) {
                const std::string tail = "/s" + std::to_string(slots) + "/" + s.name + "/" + name(isa);
                apply_policy(benchmark::RegisterBenchmark(("roof/copy" + tail).c_str(), run_copy, s.total(), slots, isa),
                             s, options);
                apply_policy(
                    benchmark::RegisterBenchmark(("roof/triad" + tail).c_str(), run_triad, s.total(), slots, isa), s,
                    options);
                apply_policy(
                    benchmark::RegisterBenchmark(("roof/streams" + tail).c_str(), run_streams, s.total(), slots, isa),
                    s, options);
            }
        }
        for (const optimizer_case& c : cases) {
            const std::string name_ = "roof/compute/" + c.name + "/" + name(isa);
            apply_policy(benchmark::RegisterBenchmark(name_.c_str(), run_compute, count_ops(c), isa), all_shapes.front(),
                         options);
        }
    }
    static run_options dtype_options;
    dtype_options = options;
    register_dtypes(all_shapes, [](benchmark::internal::Benchmark* b, const shape& s) { apply_policy(b, s, dtype_options); });
    if (!torch_available()) std::fprintf(stderr, "peer torch: skipped: libtorch not installed\n");
}

}  // namespace bench
