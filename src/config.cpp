// SPDX-License-Identifier: Apache-2.0
// Defaults, names and validation of hyper-parameters: the parts of the C API
// that need no optimizer object.
#include <cmath>
#include <cstddef>
#include <cstring>

#include "enum_value.hpp"
#include "optim/algorithms.hpp"

namespace {

using edgeopt::optim::algorithm_name;
using edgeopt::optim::name_entry;

constexpr const char* dtype_names[EDGEOPT_DTYPE_COUNT] = {"f32", "bf16", "f16", "q8"};

// Names are matched without regard to ASCII case (EDGEOPT_ISA=AVX2, "BF16"),
// and without the C locale: tolower() could map other bytes on some libcs.
bool same_name(const char* canonical, const char* name) {
    for (;; ++canonical, ++name) {
        const char c = *name >= 'A' && *name <= 'Z' ? static_cast<char>(*name - 'A' + 'a') : *name;
        if (c != *canonical) return false;
        if (c == '\0') return true;
    }
}

// The index of `name` in names[0..count), or -1.
int index_of(const char* const* names, int count, const char* name) {
    for (int i = 0; name && i < count; ++i)
        if (same_name(names[i], name)) return i;
    return -1;
}

unsigned slot_mask_of(const edgeopt_config& config) {
    return edgeopt::optim::visit(
        config.algorithm, [&](auto tag) { return decltype(tag)::type::slot_mask(decltype(tag)::type::of(config)); },
        [] { return 0u; });
}

bool known_dtype(const edgeopt_dtype& d) { return edgeopt::enum_in(d, 0, EDGEOPT_DTYPE_COUNT); }

constexpr const char* isa_names[EDGEOPT_ISA_COUNT] = {"auto",   "scalar", "sse2",  "avx2",
                                                      "avx512", "neon64", "neonv7", "helium"};

}  // namespace

extern "C" {

edgeopt_config edgeopt_defaults(edgeopt_algorithm algorithm) {
    edgeopt_config c;
    std::memset(&c, 0, sizeof c);
    // The algorithm is stored only once the registry knows it (a C caller's
    // value may be any int: enum_value.hpp).
    const bool known = edgeopt::optim::visit(
        algorithm,
        [&](auto tag) {
            decltype(tag)::type::of(c) = decltype(tag)::type::defaults(algorithm);
            return true;
        },
        [] { return false; });
    if (known) c.algorithm = algorithm;
    return c;
}

const char* edgeopt_algorithm_name(edgeopt_algorithm algorithm) {
    const algorithm_name* entry = name_entry(algorithm);
    return entry ? entry->name : nullptr;
}

const char* edgeopt_algorithm_torch_name(edgeopt_algorithm algorithm) {
    const algorithm_name* entry = name_entry(algorithm);
    return entry ? entry->torch_name : nullptr;
}

size_t edgeopt_option_count(edgeopt_algorithm algorithm) {
    return edgeopt::optim::visit(
        algorithm, [](auto tag) { return sizeof decltype(tag)::type::fields / sizeof decltype(tag)::type::fields[0]; },
        [] { return std::size_t{0}; });
}

edgeopt_status edgeopt_option_describe(edgeopt_algorithm algorithm, size_t index, edgeopt_option_info* out) {
    if (!out) return EDGEOPT_ERR_NULL_POINTER;
    if (!name_entry(algorithm)) return EDGEOPT_ERR_UNKNOWN_ALGORITHM;
    if (index >= edgeopt_option_count(algorithm)) return EDGEOPT_ERR_NO_SUCH_STATE;
    // Every options struct is a member of one union, so all start at the same offset.
    constexpr std::size_t options_offset = offsetof(edgeopt_config, sgd);
    const edgeopt::optim::option_field field = edgeopt::optim::visit(
        algorithm, [&](auto tag) { return decltype(tag)::type::fields[index]; },
        [] { return edgeopt::optim::option_field{}; });
    *out = {field.name, field.torch_keyword, field.torch_index, field.kind, options_offset + field.offset};
    return EDGEOPT_OK;
}

bool edgeopt_algorithm_parse(const char* name, edgeopt_algorithm* out) {
    if (!name || !out) return false;
    bool found = false;
    edgeopt::optim::for_each([&](auto tag) {
        for (const algorithm_name& entry : decltype(tag)::type::names) {
            if (!found && same_name(entry.name, name)) {
                *out = entry.algorithm;
                found = true;
            }
        }
    });
    return found;
}

// Every options struct has an lr (the registry's fields say where).
double* edgeopt_config_lr(edgeopt_config* c) {
    if (!c) return nullptr;
    return edgeopt::optim::visit(
        c->algorithm,
        [&](auto tag) -> double* {
            using opt = typename decltype(tag)::type;
            for (const edgeopt::optim::option_field& field : opt::fields)
                if (std::strcmp(field.name, "lr") == 0)
                    return reinterpret_cast<double*>(reinterpret_cast<unsigned char*>(&opt::of(*c)) + field.offset);
            return nullptr;
        },
        []() -> double* { return nullptr; });
}

edgeopt_status edgeopt_validate(const edgeopt_config* config) {
    if (!config) return EDGEOPT_ERR_NULL_POINTER;
    const edgeopt_status options = edgeopt::optim::visit(
        config->algorithm, [&](auto tag) { return decltype(tag)::type::validate(decltype(tag)::type::of(*config)); },
        [] { return EDGEOPT_ERR_UNKNOWN_ALGORITHM; });
    if (options != EDGEOPT_OK) return options;
    for (const edgeopt_dtype& d : config->state_dtype) {
        if (!known_dtype(d)) return EDGEOPT_ERR_INVALID_DTYPE;
#ifdef EDGEOPT_NO_LOW_PRECISION
        if (d != EDGEOPT_F32) return EDGEOPT_ERR_DTYPE_UNSUPPORTED;
#endif
    }
    if (!edgeopt::enum_in(config->param_rounding, 0, EDGEOPT_ROUNDING_COUNT)) return EDGEOPT_ERR_INVALID_ROUNDING;
    if (!edgeopt::enum_in(config->form, 0, EDGEOPT_FORM_COUNT)) return EDGEOPT_ERR_INVALID_FORM;
    const bool form_exists = config->form == EDGEOPT_FORM_TORCH ||
                             edgeopt::optim::visit(
                                 config->algorithm,
                                 [](auto tag) { return edgeopt::optim::has_folded_form<typename decltype(tag)::type>::value; },
                                 [] { return false; });
    if (!form_exists) return EDGEOPT_ERR_INVALID_FORM;
    return EDGEOPT_OK;
}

const char* edgeopt_dtype_name(edgeopt_dtype dtype) { return known_dtype(dtype) ? dtype_names[dtype] : nullptr; }

bool edgeopt_dtype_parse(const char* name, edgeopt_dtype* out) {
    const int i = index_of(dtype_names, EDGEOPT_DTYPE_COUNT, name);
    if (i < 0 || !out) return false;
    *out = static_cast<edgeopt_dtype>(i);
    return true;
}

unsigned edgeopt_state_slots(const edgeopt_config* config) {
    const unsigned mask = config ? slot_mask_of(*config) : 0u;
    return (mask & 1u) + ((mask >> 1) & 1u) + ((mask >> 2) & 1u);
}

bool edgeopt_state_slot_used(const edgeopt_config* config, unsigned slot) {
    return config && slot < 3 && ((slot_mask_of(*config) >> slot) & 1u);
}

const char* edgeopt_state_slot_name(const edgeopt_config* config, unsigned slot) {
    if (!config) return nullptr;
    return edgeopt::optim::visit(
        config->algorithm, [&](auto tag) { return decltype(tag)::type::slot_name(slot); },
        []() -> const char* { return nullptr; });
}

const char* edgeopt_isa_name(edgeopt_isa isa) {
    return edgeopt::enum_in(isa, 0, EDGEOPT_ISA_COUNT) ? isa_names[isa] : nullptr;
}

bool edgeopt_isa_parse(const char* name, edgeopt_isa* out) {
    const int i = index_of(isa_names, EDGEOPT_ISA_COUNT, name);
    if (i < 0 || !out) return false;
    *out = static_cast<edgeopt_isa>(i);
    return true;
}

}  // extern "C"
