// SPDX-License-Identifier: Apache-2.0
// What every optimizer file shares: the C types, the scalar ops, and the
// conventions below.
//
// Each optimizer is one struct in one file:
//   options        its edgeopt_*_options (torch's names and defaults)
//   validate()     torch's hyper-parameter checks, as named errors
//   slot_mask()    which of the 3 state slots these options use
//   initial_value()what a state slot holds before the first step
//   coeffs         per-step scalars, formed once per step in double by
//   at_step()      and rounded once to float (as torch rounds Python floats
//                  into a float32 kernel)
//   update<V>()    the element-wise maths, for V = float (the reference) or a
//                  SIMD vector; written with fma/sqrt/maximum/sign and + − × ÷.
//   variants       the forms the kernel loop is compiled in, and
//   variant()      which of them a step's coeffs need (see below)
//   has_folded_form  (optional) true if at_step()/update() also implement
//                  EDGEOPT_FORM_FOLDED, as the folded_variant flag
//   fields         its options as bindings see them: name, torch keyword,
//                  kind and place (edgeopt_option_describe)
//   names          the algorithm(s) it implements: enum value, edgeopt name,
//                  torch.optim class
//   defaults()     torch's default options for one of those algorithms
//   slot_name()    its state slots, by torch's state_dict keys
// optim/algorithms.hpp lists the structs; everything else (config, names,
// checkpoint fields, kernel tables, tools) is derived from these members.
#pragma once
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "edgeopt/edgeopt.h"
#include "kernel/scalar_ops.hpp"

namespace edgeopt::optim {

inline float to_f32(double x) { return static_cast<float>(x); }

// One option of an options struct, in declaration order (doubles, then
// bools: the order a checkpoint image stores them in).
struct option_field {
    const char* name;
    const char* torch_keyword;
    int torch_index;  // position in torch's tuple (betas), or -1
    edgeopt_option_kind kind;
    std::size_t offset;  // from the start of the options struct
};
constexpr option_field real(const char* name, std::size_t offset) { return {name, name, -1, EDGEOPT_OPTION_REAL, offset}; }
constexpr option_field flag(const char* name, std::size_t offset) { return {name, name, -1, EDGEOPT_OPTION_FLAG, offset}; }
// betas=(beta1, beta2) in torch: one keyword, two fields.
constexpr option_field beta(const char* name, int index, std::size_t offset) {
    return {name, "betas", index, EDGEOPT_OPTION_REAL, offset};
}

// One algorithm an optimizer struct implements (Adam serves Adam and AdamW).
struct algorithm_name {
    edgeopt_algorithm algorithm;
    const char* name;        // edgeopt's: "adamw"
    const char* torch_name;  // torch.optim's class: "AdamW"
};

// torch's "0 <= x" checks, written so that NaN fails them; infinity fails too
// (torch lets it through, then every parameter becomes NaN or inf).
inline bool non_negative(double x) { return x >= 0.0 && x <= 1.7976931348623157e308; }
inline bool unit_interval_open(double x) { return x >= 0.0 && x < 1.0; }
inline bool unit_interval_closed(double x) { return x >= 0.0 && x <= 1.0; }

// Kernel variants.  kernel/driver.hpp compiles an optimizer's loop once per
// entry of its `variants` and runs the one variant(coeffs) names, so nothing
// listed there is tested per vector.  Bits 0-2 are slot_mask(), the state
// slots the loop loads and stores; higher bits are option flags the
// optimizer fixes at compile time, read in update<Variant>() through has().
// Flags not in the variant stay run-time tests, which GCC 12 lifts out of the
// loop (unswitching) only while there are at most three of them and the loop
// is small (max-unswitch-level 3, max-unswitch-insns 50); every variant here
// meets both.  Listing every combination would multiply the code (Cortex-M4
// budget: 2 KB an optimizer), so a variant is only worth a bit where it
// removes a state slot or a flag the loop could not otherwise lose.
//
// update() without a Variant (any_variant) reads every flag at run time.
constexpr unsigned any_variant = ~0u;

// Whether `bits` are set: known at compile time for a listed variant, else
// the run-time flag that says the same.
template <unsigned Variant>
constexpr bool has(unsigned bits, bool at_run_time) {
    return Variant == any_variant ? at_run_time : (Variant & bits) == bits;
}

// The folded form (edgeopt_form) as a variant flag, in a bit of its own so
// that optimizers can add flags below it.  An optimizer that has a folded
// form says so with `static constexpr bool has_folded_form = true`; FOLDED
// is refused for the others (config.cpp).
constexpr unsigned folded_variant = 1u << 8;

template <class Opt, class = void>
struct has_folded_form : std::false_type {};
template <class Opt>
struct has_folded_form<Opt, std::void_t<decltype(Opt::has_folded_form)>> : std::bool_constant<Opt::has_folded_form> {};

inline bool folded(const edgeopt_config& config) { return config.form == EDGEOPT_FORM_FOLDED; }

// An optimizer whose options never change the kernel: one variant.
template <unsigned SlotMask>
struct one_variant {
    static constexpr unsigned variants[] = {SlotMask};
    template <class Coeffs>
    static constexpr unsigned variant(const Coeffs&) { return SlotMask; }
};

// State of optimizers that keep exactly exp_avg and exp_avg_sq, both starting at 0.
template <class Options>
struct two_moment_state : one_variant<3u> {
    static const char* slot_name(unsigned slot) {
        static const char* const names[] = {"exp_avg", "exp_avg_sq"};
        return slot < 2 ? names[slot] : nullptr;
    }
    static unsigned slot_mask(const Options&) { return 3u; }
    static float initial_value(const Options&, unsigned) { return 0.0f; }
};

// The checks Adam-like optimizers share.
inline edgeopt_status validate_adam_like(double lr, double eps, double beta1, double beta2, double weight_decay) {
    if (!non_negative(lr)) return EDGEOPT_ERR_INVALID_LR;
    if (!non_negative(eps)) return EDGEOPT_ERR_INVALID_EPS;
    if (!unit_interval_open(beta1)) return EDGEOPT_ERR_INVALID_BETA1;
    if (!unit_interval_open(beta2)) return EDGEOPT_ERR_INVALID_BETA2;
    if (!non_negative(weight_decay)) return EDGEOPT_ERR_INVALID_WEIGHT_DECAY;
    return EDGEOPT_OK;
}

// "g ← −g if maximize; g ← g + λθ if λ ≠ 0", which most optimizers start with.
struct grad_prep {
    float weight_decay;
    bool maximize, weight_decay_on;

    static grad_prep of(double weight_decay, bool maximize) {
        return {to_f32(weight_decay), maximize, weight_decay != 0.0};
    }
    template <class V>
    V operator()(V g, V p) const {
        if (maximize) g = -g;
        if (weight_decay_on) g = fma(V(weight_decay), p, g);  // torch: g.add(p, alpha=λ), fused
        return g;
    }
};

// A running average's weights: the old value is scaled by `keep`, the new
// one by `blend` (β and 1 − β, each rounded from double as torch rounds them).
struct average_weights {
    float keep, blend;
    static average_weights of(double beta) { return {to_f32(beta), to_f32(1.0 - beta)}; }
};

// torch's avg.mul_(β).add_(x, alpha=1−β): β·avg rounded, then one fma.
template <class V>
V running_average(average_weights w, V avg, V x) {
    return fma(V(w.blend), x, V(w.keep) * avg);
}

// torch's avg.mul_(β).addcmul_(x, x, value=1−β): (1−β)·x and β·avg rounded, then one fma.
template <class V>
V running_average_sq(average_weights w, V avg, V x) {
    return fma(V(w.blend) * x, x, V(w.keep) * avg);
}

}  // namespace edgeopt::optim
