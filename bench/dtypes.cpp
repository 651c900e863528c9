// SPDX-License-Identifier: Apache-2.0
// Low-precision rows: one optimizer step with bf16/f16/q8 state and bf16
// parameters and gradients, against the same step in float32, so the ratio
// shows what the smaller footprint buys.  Names:
//   dtype/<case>/<variant>/<isa>/<shape>
// with variant f32 (the baseline), bf16_state, f16_state, q8_state,
// bf16_params (bf16 parameters and gradients, float32 state) and bf16_all
// (bf16 parameters, gradients and state), bf16_q8 (bf16 tensors, q8 state).
#include "dtypes.hpp"

#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>

#include "cases.hpp"
#include "kernel/convert.hpp"
#include "workload.hpp"

namespace bench {

namespace {

struct variant {
    const char* name;
    edgeopt_dtype tensors, state;
};

constexpr variant variants[] = {
    {"f32", EDGEOPT_F32, EDGEOPT_F32},          {"bf16_state", EDGEOPT_F32, EDGEOPT_BF16},
    {"f16_state", EDGEOPT_F32, EDGEOPT_F16},    {"q8_state", EDGEOPT_F32, EDGEOPT_Q8},
    {"bf16_params", EDGEOPT_BF16, EDGEOPT_F32}, {"bf16_all", EDGEOPT_BF16, EDGEOPT_BF16},
    {"bf16_q8", EDGEOPT_BF16, EDGEOPT_Q8},
};

double dtype_bytes(edgeopt_dtype d) {
    switch (d) {
        case EDGEOPT_BF16:
        case EDGEOPT_F16: return 2.0;
        case EDGEOPT_Q8: return 1.0 + 4.0 / EDGEOPT_Q8_BLOCK;
        default: return 4.0;
    }
}

// Read p, g and every slot; write p and every slot.
double bytes_per_param(const variant& v, unsigned slots) {
    return 3 * dtype_bytes(v.tensors) + 2 * slots * dtype_bytes(v.state);
}

// The workload's tensors, or bf16 copies of them.
class typed_tensors {
public:
    typed_tensors(const workload& w, edgeopt_dtype dtype) {
        if (dtype == EDGEOPT_F32) {
            tensors_ = w.tensors();
            return;
        }
        std::size_t padded = 0;
        for (std::size_t i = 0; i < w.count(); ++i) padded += (w.length(i) + 31) / 32 * 32;
        params_ = float_buffer(padded / 2);
        grads_ = float_buffer(padded / 2);
        auto* p = reinterpret_cast<std::uint16_t*>(params_.data());
        auto* g = reinterpret_cast<std::uint16_t*>(grads_.data());
        for (std::size_t i = 0; i < w.count(); ++i) {
            for (std::size_t j = 0; j < w.length(i); ++j) {
                p[j] = static_cast<std::uint16_t>(edgeopt::kernel::bf16_narrow<float>(w.param(i)[j]));
                g[j] = static_cast<std::uint16_t>(edgeopt::kernel::bf16_narrow<float>(w.grad(i)[j]));
            }
            tensors_.push_back(edgeopt_tensor_of(p, dtype, g, dtype, w.length(i)));
            p += (w.length(i) + 31) / 32 * 32;
            g += (w.length(i) + 31) / 32 * 32;
        }
    }
    const std::vector<edgeopt_tensor>& tensors() const { return tensors_; }

private:
    float_buffer params_, grads_;
    std::vector<edgeopt_tensor> tensors_;
};

void run_dtype(benchmark::State& state, const optimizer_case& c, const variant& v, const shape& s, edgeopt_isa isa) {
    workload w(s.lengths, 0);
    const typed_tensors t(w, v.tensors);
    edgeopt_config config = c.config;
    for (edgeopt_dtype& d : config.state_dtype) d = v.state;
    const std::size_t bytes = edgeopt_state_bytes(&config, w.lengths().data(), w.count());
    float_buffer arena(bytes / sizeof(float) + 1);
    edgeopt_optimizer opt;
    edgeopt_status status = edgeopt_init(&opt, &config, w.lengths().data(), w.count(), arena.data(), bytes);
    if (status == EDGEOPT_OK) status = edgeopt_set_isa(&opt, isa);
    for (unsigned i = 0; i < warm_steps(c) && status == EDGEOPT_OK; ++i)
        status = edgeopt_step(&opt, t.tensors().data(), w.count());
    if (status != EDGEOPT_OK) {
        state.SkipWithError(edgeopt_status_message(status));
        return;
    }
    for (auto _ : state) {
        edgeopt_step(&opt, t.tensors().data(), w.count());
        benchmark::ClobberMemory();
    }
    using benchmark::Counter;
    const double params = static_cast<double>(w.total());
    state.counters["params/s"] = Counter(params, Counter::kIsIterationInvariantRate);
    state.counters["bytes/s"] = Counter(params * bytes_per_param(v, state_slots(c)), Counter::kIsIterationInvariantRate);
    state.counters["state_bytes"] = static_cast<double>(bytes);
    state.SetLabel(edgeopt_isa_name(edgeopt_get_isa(&opt)));
}

}  // namespace

void register_dtypes(const std::vector<shape>& all_shapes, void (*policy)(benchmark::internal::Benchmark*, const shape&)) {
    constexpr edgeopt_isa isas[] = {EDGEOPT_ISA_SCALAR, EDGEOPT_ISA_SSE2, EDGEOPT_ISA_AVX2, EDGEOPT_ISA_AVX512,
                                    EDGEOPT_ISA_NEON64, EDGEOPT_ISA_NEONV7, EDGEOPT_ISA_HELIUM};
    for (const optimizer_case& c : optimizer_cases()) {
        if (c.name != "adam" && c.name != "sgd_momentum" && c.name != "lion") continue;
        for (const shape& s : all_shapes) {
            if (s.name != "4K" && s.name != "64K" && s.name != "1M" && s.name != "16M") continue;
            for (edgeopt_isa isa : isas) {
                if (!edgeopt_isa_available(isa)) continue;
                for (const variant& v : variants) {
                    const std::string name =
                        "dtype/" + c.name + "/" + v.name + "/" + edgeopt_isa_name(isa) + "/" + s.name;
                    policy(benchmark::RegisterBenchmark(name.c_str(), run_dtype, c, v, s, isa), s);
                }
            }
        }
    }
}

}  // namespace bench
