// SPDX-License-Identifier: Apache-2.0
// Defaults, names and validation of hyper-parameters: the parts of the C API
// that need no optimizer object.
#include <cmath>
#include <cstddef>
#include <cstring>

#include "enum_value.hpp"
#include "optim/algorithms.hpp"

namespace {

struct algorithm_name {
    edgeopt_algorithm algorithm;
    const char* name;
    const char* torch_name;  // torch.optim's class
};

constexpr algorithm_name algorithm_names[] = {
    {EDGEOPT_SGD, "sgd", "SGD"},           {EDGEOPT_ADAGRAD, "adagrad", "Adagrad"},
    {EDGEOPT_RMSPROP, "rmsprop", "RMSprop"}, {EDGEOPT_ADADELTA, "adadelta", "Adadelta"},
    {EDGEOPT_ADAM, "adam", "Adam"},        {EDGEOPT_ADAMW, "adamw", "AdamW"},
    {EDGEOPT_ADAMAX, "adamax", "Adamax"},  {EDGEOPT_NADAM, "nadam", "NAdam"},
    {EDGEOPT_RADAM, "radam", "RAdam"},     {EDGEOPT_LION, "lion", "Lion"},
};
static_assert(sizeof algorithm_names / sizeof algorithm_names[0] == EDGEOPT_ALGORITHM_COUNT,
              "EDGEOPT_ALGORITHM_COUNT counts the algorithms");

// By reference and as an integer: a C caller's value may be any int (enum_value.hpp).
const algorithm_name* entry_of(const edgeopt_algorithm& algorithm) {
    for (const algorithm_name& entry : algorithm_names)
        if (entry.algorithm == edgeopt::enum_value(algorithm)) return &entry;
    return nullptr;
}

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
    switch (edgeopt::enum_value(algorithm)) {
        case EDGEOPT_SGD: c.sgd = {NAN, 0.0, 0.0, 0.0, false, false}; break;
        case EDGEOPT_ADAGRAD: c.adagrad = {1e-2, 0.0, 0.0, 0.0, 1e-10, false}; break;
        case EDGEOPT_RMSPROP: c.rmsprop = {1e-2, 0.99, 1e-8, 0.0, 0.0, false, false}; break;
        case EDGEOPT_ADADELTA: c.adadelta = {1.0, 0.9, 1e-6, 0.0, false}; break;
        case EDGEOPT_ADAM: c.adam = {1e-3, 0.9, 0.999, 1e-8, 0.0, false, false}; break;
        case EDGEOPT_ADAMW: c.adam = {1e-3, 0.9, 0.999, 1e-8, 1e-2, false, false}; break;
        case EDGEOPT_ADAMAX: c.adamax = {2e-3, 0.9, 0.999, 1e-8, 0.0, false}; break;
        case EDGEOPT_NADAM: c.nadam = {2e-3, 0.9, 0.999, 1e-8, 0.0, 4e-3}; break;
        case EDGEOPT_RADAM: c.radam = {1e-3, 0.9, 0.999, 1e-8, 0.0}; break;
        case EDGEOPT_LION: c.lion = {1e-4, 0.9, 0.99, 0.0}; break;
        default: return c;  // algorithm 0: unknown
    }
    c.algorithm = algorithm;  // a listed value: the switch matched
    return c;
}

const char* edgeopt_algorithm_name(edgeopt_algorithm algorithm) {
    const algorithm_name* entry = entry_of(algorithm);
    return entry ? entry->name : nullptr;
}

const char* edgeopt_algorithm_torch_name(edgeopt_algorithm algorithm) {
    const algorithm_name* entry = entry_of(algorithm);
    return entry ? entry->torch_name : nullptr;
}

size_t edgeopt_option_count(edgeopt_algorithm algorithm) {
    return edgeopt::optim::visit(
        algorithm, [](auto tag) { return sizeof decltype(tag)::type::fields / sizeof decltype(tag)::type::fields[0]; },
        [] { return std::size_t{0}; });
}

edgeopt_status edgeopt_option_describe(edgeopt_algorithm algorithm, size_t index, edgeopt_option_info* out) {
    if (!out) return EDGEOPT_ERR_NULL_POINTER;
    if (!entry_of(algorithm)) return EDGEOPT_ERR_UNKNOWN_ALGORITHM;
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
    for (const algorithm_name& entry : algorithm_names) {
        if (same_name(entry.name, name)) {
            *out = entry.algorithm;
            return true;
        }
    }
    return false;
}

double* edgeopt_config_lr(edgeopt_config* c) {
    if (!c) return nullptr;
    switch (edgeopt::enum_value(c->algorithm)) {
        case EDGEOPT_SGD: return &c->sgd.lr;
        case EDGEOPT_ADAGRAD: return &c->adagrad.lr;
        case EDGEOPT_RMSPROP: return &c->rmsprop.lr;
        case EDGEOPT_ADADELTA: return &c->adadelta.lr;
        case EDGEOPT_ADAM:
        case EDGEOPT_ADAMW: return &c->adam.lr;
        case EDGEOPT_ADAMAX: return &c->adamax.lr;
        case EDGEOPT_NADAM: return &c->nadam.lr;
        case EDGEOPT_RADAM: return &c->radam.lr;
        case EDGEOPT_LION: return &c->lion.lr;
    }
    return nullptr;
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
