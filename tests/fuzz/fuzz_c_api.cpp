// SPDX-License-Identifier: Apache-2.0
// The C API as random call sequences, on two optimizers built alike: `main`
// on the kernel edgeopt picks (or another the input forces) and `twin` on
// the scalar reference (edgeopt_set_isa(EDGEOPT_ISA_SCALAR)).  Oracles:
//   differential  every call gets the same status on both, and after every
//                 successful one the parameters, every state slot (read back
//                 as float32), the step count and the config are bit-identical
//                 (any NaN equals any NaN: payloads may differ between ISAs);
//   untouched     a call that returns an error has changed no byte of the
//                 optimizer object, its arena, the parameters or the guard.
// Inputs include unlisted enum values, NaN/Inf/huge gradients and options,
// odd-address bf16/f16 tensors, overlaps and mismatched tensors, and state
// and step counts written from outside (edgeopt_state_write/set_step_count).
#include <fuzzer/FuzzedDataProvider.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "c_calls.h"
#include "edgeopt/edgeopt.h"
#include "edgeopt/train.h"

namespace {

using bytes = std::vector<unsigned char>;

[[noreturn]] void fail(const char* what) {
    __builtin_fprintf(stderr, "fuzz_c_api: %s\n", what);
    std::abort();
}
void expect(bool ok, const char* what) {
    if (!ok) fail(what);
}

// Enum values are kept as ints here: mostly listed ones, sometimes any int.
// They reach the library as a C caller would pass them: stored into a field
// through memcpy (set_enum) or passed from C (c_calls.c); this C++ code never
// loads an enum holding an unlisted value.
int any_enum(FuzzedDataProvider& in, int listed_end) {
    return in.ConsumeIntegralInRange<int>(0, 7) == 0 ? in.ConsumeIntegralInRange<int>(-3, 300)
                                                      : in.ConsumeIntegralInRange<int>(0, listed_end - 1);
}

template <class E>
void set_enum(E& field, int value) {
    static_assert(sizeof field == sizeof value, "C enums are int-sized here");
    std::memcpy(&field, &value, sizeof value);
}

double any_double(FuzzedDataProvider& in) {
    static const double interesting[] = {0.0, 1e-3, 0.01, 0.1, 0.5, 0.9, 0.99, 0.999, 1.0, 2.0, -0.1, 1e-8,
                                         1e30, -1e30, HUGE_VAL, -HUGE_VAL, NAN, 5e-324};
    if (in.ConsumeBool()) return in.PickValueInArray(interesting);
    return in.ConsumeFloatingPoint<double>();
}

float any_float(FuzzedDataProvider& in) {
    switch (in.ConsumeIntegralInRange<int>(0, 9)) {
        case 0: return NAN;
        case 1: return INFINITY;
        case 2: return -1e38f;
        case 3: return 1e-42f;  // subnormal
        case 4: return -0.0f;
        default: return static_cast<float>(in.ConsumeIntegralInRange<int>(-4000, 4000)) / 1000.0f;
    }
}

// A tensor's parameters (or gradients) as raw bytes, at an offset of
// 0..3 bytes for 16-bit dtypes (any alignment is promised for those).
struct buffer {
    bytes raw;
    std::size_t offset = 0;
    unsigned char* data() { return raw.data() + offset; }
};

std::size_t element_bytes(int dtype) { return dtype == EDGEOPT_F32 ? 4 : 2; }

struct side {
    edgeopt_optimizer opt;
    bytes arena;
    std::vector<buffer> params;
    edgeopt_guard guard{};

    bytes image() const {  // every byte an error must leave alone
        bytes out(reinterpret_cast<const unsigned char*>(&opt), reinterpret_cast<const unsigned char*>(&opt + 1));
        out.insert(out.end(), arena.begin(), arena.end());
        for (const buffer& b : params) out.insert(out.end(), b.raw.begin(), b.raw.end());
        out.insert(out.end(), reinterpret_cast<const unsigned char*>(&guard),
                   reinterpret_cast<const unsigned char*>(&guard + 1));
        return out;
    }
};

bool same_float_bits(const unsigned char* a, const unsigned char* b, std::size_t n, std::size_t width) {
    for (std::size_t i = 0; i < n; i += width) {
        if (width == 4) {
            float x, y;
            std::memcpy(&x, a + i, 4);
            std::memcpy(&y, b + i, 4);
            if (std::isnan(x) && std::isnan(y)) continue;
        } else {
            std::uint16_t x, y;
            std::memcpy(&x, a + i, 2);
            std::memcpy(&y, b + i, 2);
            // bf16 and f16 NaNs: exponent all ones and a non-zero mantissa (either format's)
            auto nan16 = [](std::uint16_t h) { return ((h & 0x7F80u) == 0x7F80u && (h & 0x7Fu)) || ((h & 0x7C00u) == 0x7C00u && (h & 0x3FFu)); };
            if (nan16(x) && nan16(y)) continue;
        }
        if (std::memcmp(a + i, b + i, width) != 0) return false;
    }
    return true;
}

struct run {
    edgeopt_config config;
    std::vector<std::size_t> lengths;
    std::vector<int> param_dtype, grad_dtype;
    side main, twin;

    std::vector<edgeopt_tensor> tensors(side& s, std::vector<buffer>& grads) {
        std::vector<edgeopt_tensor> t;
        for (std::size_t i = 0; i < lengths.size(); ++i) {
            edgeopt_tensor x{reinterpret_cast<float*>(s.params[i].data()),
                             reinterpret_cast<const float*>(grads[i].data()), lengths[i], EDGEOPT_F32, EDGEOPT_F32};
            set_enum(x.param_dtype, param_dtype[i]);
            set_enum(x.grad_dtype, grad_dtype[i]);
            t.push_back(x);
        }
        return t;
    }

    void compare() {
        for (std::size_t i = 0; i < lengths.size(); ++i)
            expect(same_float_bits(main.params[i].data(), twin.params[i].data(), lengths[i] * element_bytes(param_dtype[i]),
                                   element_bytes(param_dtype[i])),
                   "parameters differ from the scalar twin");
        for (std::size_t i = 0; i < lengths.size(); ++i) {
            for (unsigned k = 0; k < 3; ++k) {
                std::vector<float> a(lengths[i] + 1), b(lengths[i] + 1);
                const edgeopt_status sa = edgeopt_state_read(&main.opt, i, k, a.data());
                const edgeopt_status sb = edgeopt_state_read(&twin.opt, i, k, b.data());
                expect(sa == sb, "state_read status differs");
                expect(same_float_bits(reinterpret_cast<unsigned char*>(a.data()),
                                       reinterpret_cast<unsigned char*>(b.data()), 4 * lengths[i], 4),
                       "state differs from the scalar twin");
            }
        }
        expect(edgeopt_step_count(&main.opt) == edgeopt_step_count(&twin.opt), "step counts differ");
        const double mu_main = edgeopt_nadam_mu_product(&main.opt), mu_twin = edgeopt_nadam_mu_product(&twin.opt);
        expect(std::memcmp(&mu_main, &mu_twin, sizeof mu_main) == 0, "NAdam mu products differ");
        edgeopt_config a, b;
        expect(edgeopt_get_config(&main.opt, &a) == EDGEOPT_OK && edgeopt_get_config(&twin.opt, &b) == EDGEOPT_OK,
               "get_config");
        expect(std::memcmp(&a, &b, sizeof a) == 0, "configs differ");
    }

    // The same call on both sides: same status; on error nothing changed on either.
    template <class Call>
    edgeopt_status both(Call call) {
        const bytes before_main = main.image(), before_twin = twin.image();
        const edgeopt_status a = call(main), b = call(twin);
        expect(a == b, "status differs from the scalar twin");
        if (a != EDGEOPT_OK) {
            expect(main.image() == before_main && twin.image() == before_twin, "an error changed something");
        } else {
            compare();
        }
        return a;
    }
};

std::vector<buffer> make_values(FuzzedDataProvider& in, const std::vector<std::size_t>& lengths,
                                const std::vector<int>& dtypes, std::size_t offset) {
    std::vector<buffer> out(lengths.size());
    for (std::size_t i = 0; i < lengths.size(); ++i) {
        const std::size_t width = element_bytes(dtypes[i]);
        out[i].offset = width == 2 ? offset : 0;
        out[i].raw.assign(out[i].offset + width * lengths[i], 0);
        for (std::size_t j = 0; j < lengths[i]; ++j) {
            float f = any_float(in);
            const edgeopt_dtype to = dtypes[i] == EDGEOPT_BF16 ? EDGEOPT_BF16 : dtypes[i] == EDGEOPT_F16 ? EDGEOPT_F16 : EDGEOPT_F32;
            if (element_bytes(to) == width) edgeopt_convert(&f, EDGEOPT_F32, out[i].data() + width * j, to, 1);
        }
    }
    return out;
}

void mutate(FuzzedDataProvider& in, edgeopt_config& c) {
    switch (in.ConsumeIntegralInRange<int>(0, 6)) {
        case 0: if (double* lr = edgeopt_config_lr(&c)) *lr = any_double(in); break;
        case 1: {  // another algorithm: a listed one with its defaults (its bools must be real bools), or any int
            const int algorithm = any_enum(in, EDGEOPT_SGD + EDGEOPT_ALGORITHM_COUNT);
            if (algorithm >= EDGEOPT_SGD && algorithm < EDGEOPT_SGD + static_cast<int>(EDGEOPT_ALGORITHM_COUNT)) {
                edgeopt_config d = fuzz_defaults(algorithm);
                std::memcpy(d.state_dtype, c.state_dtype, sizeof d.state_dtype);
                std::memcpy(&d.param_rounding, &c.param_rounding, sizeof d.param_rounding);
                std::memcpy(&d.form, &c.form, sizeof d.form);
                d.seed = c.seed;
                c = d;
            } else {
                set_enum(c.algorithm, algorithm);
            }
            break;
        }
        case 2: set_enum(c.state_dtype[in.ConsumeIntegralInRange<int>(0, 2)], any_enum(in, EDGEOPT_DTYPE_COUNT)); break;
        case 3: set_enum(c.param_rounding, any_enum(in, EDGEOPT_ROUNDING_COUNT)); break;
        case 4: set_enum(c.form, any_enum(in, EDGEOPT_FORM_COUNT)); break;  // FOLDED is refused for most algorithms
        default: {  // any of the options union's first 4 doubles, or a bool (0 or 1) where one may sit
            // Every algorithm's options start with at least 4 doubles; bools follow
            // the doubles, at byte 32 or 40 on this ABI: writing 0/1 there is a valid
            // bool, or one byte of a double.  (Other bytes in a bool are UB in C too.)
            unsigned char* raw = reinterpret_cast<unsigned char*>(&c.sgd);
            if (in.ConsumeBool()) {
                const double d = any_double(in);
                std::memcpy(raw + 8 * in.ConsumeIntegralInRange<std::size_t>(0, 3), &d, 8);
            } else {
                static const std::size_t bool_places[] = {32, 33, 40, 41};
                raw[in.PickValueInArray(bool_places)] = in.ConsumeBool();
            }
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    FuzzedDataProvider in(data, size);
    run r;
    r.config = fuzz_defaults(any_enum(in, EDGEOPT_SGD + EDGEOPT_ALGORITHM_COUNT));
    if (double* lr = edgeopt_config_lr(&r.config)) *lr = 0.01;
    for (int m = in.ConsumeIntegralInRange<int>(0, 3); m > 0; --m) mutate(in, r.config);
    const std::size_t count = in.ConsumeIntegralInRange<std::size_t>(0, 3);
    for (std::size_t i = 0; i < count; ++i) {
        r.lengths.push_back(in.ConsumeIntegralInRange<std::size_t>(0, 70));
        r.param_dtype.push_back(any_enum(in, EDGEOPT_Q8));  // f32, bf16, f16 (q8 and others: errors)
        r.grad_dtype.push_back(any_enum(in, EDGEOPT_Q8));
    }
    const std::size_t offset = in.ConsumeIntegralInRange<std::size_t>(0, 3);
    const std::size_t need = edgeopt_state_bytes(&r.config, r.lengths.data(), r.lengths.size());
    const std::size_t arena_bytes = need + in.ConsumeIntegralInRange<std::size_t>(0, 70) -
                                    (in.ConsumeIntegralInRange<int>(0, 15) == 0 && need ? 1 : 0);
    for (side* s : {&r.main, &r.twin}) {
        s->arena.assign(arena_bytes + 1, 0xA5);
        std::memset(&s->opt, 0x5C, sizeof s->opt);
    }
    r.main.params = make_values(in, r.lengths, r.param_dtype, offset);
    r.twin.params = r.main.params;
    const edgeopt_status init = r.both([&](side& s) {
        const edgeopt_status st =
            edgeopt_init(&s.opt, &r.config, r.lengths.data(), r.lengths.size(), s.arena.data() + 1, arena_bytes);
        if (st == EDGEOPT_OK && &s == &r.twin) expect(edgeopt_set_isa(&s.opt, EDGEOPT_ISA_SCALAR) == EDGEOPT_OK, "twin");
        return st;
    });
    if (init != EDGEOPT_OK) return 0;

    for (int op = 0; op < 48 && in.remaining_bytes() > 0; ++op) {
        switch (in.ConsumeIntegralInRange<int>(0, 10)) {
            case 0:
            case 1: {  // a step with fresh gradients
                std::vector<buffer> grads = make_values(in, r.lengths, r.grad_dtype, offset);
                r.both([&](side& s) {
                    const std::vector<edgeopt_tensor> t = r.tensors(s, grads);
                    return edgeopt_step(&s.opt, t.data(), t.size());
                });
                break;
            }
            case 2: {  // a step with something wrong (or not)
                std::vector<buffer> grads = make_values(in, r.lengths, r.grad_dtype, offset);
                const int what = in.ConsumeIntegralInRange<int>(0, 5);
                const std::size_t which = in.ConsumeIntegralInRange<std::size_t>(0, 2);
                const int bad = any_enum(in, EDGEOPT_DTYPE_COUNT + 1);
                r.both([&](side& s) {
                    std::vector<edgeopt_tensor> t = r.tensors(s, grads);
                    std::size_t n = t.size();
                    if (what == 0) n = n ? n - 1 : 1;
                    if (which < t.size()) {
                        edgeopt_tensor& x = t[which];
                        if (what == 1) x.length += 1;
                        if (what == 2) x.grad = nullptr;
                        // Another dtype whose elements are wider than the buffer's would be the
                        // caller's overflow, not the library's: only unlisted or no wider ones.
                        auto fits = [&](int now) { return bad > EDGEOPT_F16 || bad < 0 || element_bytes(bad) <= element_bytes(now); };
                        if (what == 3 && fits(r.param_dtype[which])) set_enum(x.param_dtype, bad);
                        if (what == 4) x.grad = reinterpret_cast<const float*>(s.arena.data() + 1);  // overlap
                        if (what == 5 && fits(r.grad_dtype[which])) set_enum(x.grad_dtype, bad);
                    }
                    return edgeopt_step(&s.opt, t.empty() ? nullptr : t.data(), n);
                });
                break;
            }
            case 3: {
                const double lr = any_double(in);
                r.both([&](side& s) { return edgeopt_set_lr(&s.opt, lr); });
                break;
            }
            case 4: {
                edgeopt_config c;
                edgeopt_get_config(&r.main.opt, &c);
                mutate(in, c);
                r.both([&](side& s) { return edgeopt_set_config(&s.opt, &c); });
                break;
            }
            case 5: r.both([&](side& s) { return edgeopt_reset(&s.opt); }); break;
            case 6: {  // another kernel for main: must stay bit-identical, or be refused untouched
                const int isa = any_enum(in, EDGEOPT_ISA_COUNT);
                if (!fuzz_isa_bit_exact_or_absent(isa)) break;
                const bytes before = r.main.image();
                if (fuzz_set_isa(&r.main.opt, isa) != EDGEOPT_OK) expect(r.main.image() == before, "set_isa error changed something");
                break;
            }
            case 7: {  // a guarded step
                std::vector<buffer> grads = make_values(in, r.lengths, r.grad_dtype, offset);
                r.both([&](side& s) {
                    const std::vector<edgeopt_tensor> t = r.tensors(s, grads);
                    const edgeopt_status st = edgeopt_step_guarded(&s.opt, &s.guard, t.data(), t.size());
                    // A skipped step counts in the guard (documented): compare and undo that count.
                    if (st == EDGEOPT_ERR_NONFINITE_GRADIENT) {
                        expect(s.guard.steps_skipped > 0, "skip not counted");
                        --s.guard.steps_skipped;
                        s.guard.consecutive_skipped = 0;
                    }
                    return st;
                });
                r.main.guard = r.twin.guard = edgeopt_guard{};
                break;
            }
            case 8: {  // state imported from elsewhere (any values, any slot or tensor index)
                const std::size_t tensor = in.ConsumeIntegralInRange<std::size_t>(0, 3);
                const unsigned slot = in.ConsumeIntegralInRange<unsigned>(0, 3);
                std::vector<float> values(80);
                for (float& v : values) v = any_float(in);
                r.both([&](side& s) { return edgeopt_state_write(&s.opt, tensor, slot, values.data()); });
                break;
            }
            case 9: {  // a step count (and NAdam product) from elsewhere
                const std::uint64_t step = in.ConsumeBool() ? in.ConsumeIntegral<std::uint64_t>()
                                                            : in.ConsumeIntegralInRange<std::uint64_t>(0, 5);
                const double mu = in.ConsumeBool() ? 1.0 : any_double(in);
                r.both([&](side& s) { return edgeopt_set_step_count(&s.opt, step, mu); });
                break;
            }
            default: {  // a query with any slot or tensor index
                const std::size_t tensor = in.ConsumeIntegralInRange<std::size_t>(0, 4);
                const unsigned slot = in.ConsumeIntegralInRange<unsigned>(0, 4);
                std::vector<float> out(80);
                r.both([&](side& s) { return edgeopt_state_read(&s.opt, tensor, slot, out.data()); });
            }
        }
    }
    return 0;
}
