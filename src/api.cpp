// SPDX-License-Identifier: Apache-2.0
// The optimizer object: init, step, and the calls around them.  Everything
// here checks first and writes last, so a call that returns an error has not
// modified parameters, state or the optimizer object.
#include <cmath>
#include <cstdlib>
#include <cstring>

#include "arena.hpp"
#include "enum_value.hpp"
#include "optimizer_object.hpp"
#include "tensor_checks.hpp"
#include "kernel/table.hpp"
#include "optim/algorithms.hpp"

namespace {

using namespace edgeopt;

bool same_layout(const edgeopt_config& a, const edgeopt_config& b) {
    const arena::layout x = layout_of(a), y = layout_of(b);
    if (x.mask != y.mask) return false;
    for (unsigned k = 0; k < 3; ++k)
        if ((x.mask & (1u << k)) && x.dtype[k] != y.dtype[k]) return false;
    return true;
}

// EDGEOPT_ISA=name in the environment forces a kernel on hosted builds.
edgeopt_status resolve_isa(edgeopt_isa requested, edgeopt_algorithm algorithm, edgeopt_isa* out) {
    edgeopt_isa isa = requested;
#ifndef EDGEOPT_FREESTANDING
    if (isa == EDGEOPT_ISA_AUTO) {
        const char* forced = std::getenv("EDGEOPT_ISA");
        if (forced && *forced && !edgeopt_isa_parse(forced, &isa)) return EDGEOPT_ERR_UNKNOWN_ISA;
    }
#endif
    if (isa == EDGEOPT_ISA_AUTO) isa = kernel::default_isa(algorithm);
    if (static_cast<unsigned>(isa) >= EDGEOPT_ISA_COUNT) return EDGEOPT_ERR_UNKNOWN_ISA;
    if (!kernel::table_for(isa)) return EDGEOPT_ERR_ISA_UNAVAILABLE;
    *out = isa;
    return EDGEOPT_OK;
}

void fill_initial_state(const edgeopt_optimizer& opt) {
    const edgeopt_config& config = opt.config;
    const arena::layout layout = layout_of(config);
    unsigned char* cursor = opt.state;
    for (std::size_t i = 0; i < opt.tensor_count; ++i) {
        void* slots[3];
        arena::tensor_slots(layout, opt.lengths[i], cursor, slots);
        for (unsigned k = 0; k < 3; ++k) {
            if (!slots[k]) continue;
            const float value = optim::visit(
                config.algorithm,
                [&](auto tag) { return decltype(tag)::type::initial_value(decltype(tag)::type::of(config), k); },
                [] { return 0.0f; });
            kernel::fill_state(slots[k], layout.dtype[k], opt.lengths[i], value);
        }
    }
}

// Outside the extern "C" block: GCC gives a C-linkage function in an unnamed
// namespace an external, unprefixed symbol.
void* slot_data(const edgeopt_optimizer* opt, size_t tensor, unsigned slot) {
    if (!initialized(opt) || tensor >= opt->tensor_count || slot >= 3 || opt->lengths[tensor] == 0) return nullptr;
    const arena::layout layout = layout_of(opt->config);
    unsigned char* cursor = opt->state;
    void* slots[3];
    for (std::size_t i = 0; i <= tensor; ++i) arena::tensor_slots(layout, opt->lengths[i], cursor, slots);
    return slots[slot];
}

}  // namespace

extern "C" {

size_t edgeopt_state_bytes(const edgeopt_config* config, const size_t* lengths, size_t count) {
    if (!config || !lengths || count == 0 || edgeopt_validate(config) != EDGEOPT_OK) return 0;
    const std::size_t bytes = arena::required_bytes(layout_of(*config), lengths, count);
    return bytes == arena::size_max ? 0 : bytes;
}

edgeopt_status edgeopt_convert(const void* in, edgeopt_dtype from, void* out, edgeopt_dtype to, size_t n) {
    if (!train::tensor_dtype(from) || !train::tensor_dtype(to)) return EDGEOPT_ERR_INVALID_DTYPE;
    if (n == 0) return EDGEOPT_OK;
    if (!in || !out) return EDGEOPT_ERR_NULL_POINTER;
    const bool same_size = train::tensor_bytes(1, from) == train::tensor_bytes(1, to);
    if ((in != out || !same_size) && train::overlap(in, train::tensor_bytes(n, from), out, train::tensor_bytes(n, to)))
        return EDGEOPT_ERR_OVERLAP;
    for (std::size_t i = 0; i < n; ++i)
        kernel::typed::store_value<float, false>(out, to, i, kernel::typed::load_value<float, false>(in, from, i, 1), 1);
    return EDGEOPT_OK;
}

double edgeopt_state_bytes_per_param(const edgeopt_config* config) {
    if (!config || edgeopt_validate(config) != EDGEOPT_OK) return 0.0;
    const arena::layout layout = layout_of(*config);
    double bytes = 0.0;  // one q8 block's worth of values, so its scale counts exactly
    for (unsigned k = 0; k < 3; ++k)
        if (layout.mask & (1u << k)) bytes += double(arena::data_bytes(EDGEOPT_Q8_BLOCK, layout.dtype[k]));
    return bytes / EDGEOPT_Q8_BLOCK;
}

edgeopt_status edgeopt_init(edgeopt_optimizer* opt, const edgeopt_config* config, const size_t* lengths,
                            size_t count, void* arena_memory, size_t arena_bytes) {
    if (!opt || !config || !lengths || !arena_memory) return EDGEOPT_ERR_NULL_POINTER;
    const edgeopt_status valid = edgeopt_validate(config);
    if (valid != EDGEOPT_OK) return valid;
    if (count == 0) return EDGEOPT_ERR_NO_TENSORS;
    const std::size_t needed = arena::required_bytes(layout_of(*config), lengths, count);
    if (needed == arena::size_max || arena_bytes < needed) return EDGEOPT_ERR_ARENA_TOO_SMALL;
    if (train::overlap(lengths, count * sizeof(size_t), arena_memory, arena_bytes) ||
        train::overlap(opt, sizeof *opt, arena_memory, arena_bytes))
        return EDGEOPT_ERR_OVERLAP;
    edgeopt_isa isa = EDGEOPT_ISA_SCALAR;
    const edgeopt_status resolved = resolve_isa(EDGEOPT_ISA_AUTO, config->algorithm, &isa);
    if (resolved != EDGEOPT_OK) return resolved;

    unsigned char* base = arena::aligned_start(arena_memory);
    edgeopt_optimizer o;
    std::memset(&o, 0, sizeof o);
    o.config = *config;
    o.isa = isa;
    o.nadam_mu_product = 1.0;
    o.tensor_count = count;
    o.lengths = reinterpret_cast<size_t*>(base);
    o.state = base + arena::table_bytes(count);
    o.arena = static_cast<unsigned char*>(arena_memory);
    o.arena_bytes = arena_bytes;
    o.magic = initialized_magic;
    std::memcpy(o.lengths, lengths, count * sizeof(size_t));
    fill_initial_state(o);
    *opt = o;
    return EDGEOPT_OK;
}

edgeopt_status edgeopt_set_lr(edgeopt_optimizer* opt, double lr) {
    if (!opt) return EDGEOPT_ERR_NULL_POINTER;
    if (!initialized(opt)) return EDGEOPT_ERR_NOT_INITIALIZED;
    if (std::isnan(lr)) return EDGEOPT_ERR_INVALID_LR;  // not SGD's "lr required": it was given
    edgeopt_config changed = opt->config;
    *edgeopt_config_lr(&changed) = lr;
    return edgeopt_set_config(opt, &changed);
}

edgeopt_status edgeopt_set_config(edgeopt_optimizer* opt, const edgeopt_config* config) {
    if (!opt || !config) return EDGEOPT_ERR_NULL_POINTER;
    if (!initialized(opt)) return EDGEOPT_ERR_NOT_INITIALIZED;
    const edgeopt_status valid = edgeopt_validate(config);
    if (valid != EDGEOPT_OK) return valid;
    if (config->algorithm != opt->config.algorithm || !same_layout(*config, opt->config))
        return EDGEOPT_ERR_LAYOUT_CHANGE;
    opt->config = *config;
    changed(*opt);
    return EDGEOPT_OK;
}

edgeopt_status edgeopt_get_config(const edgeopt_optimizer* opt, edgeopt_config* out) {
    if (!opt || !out) return EDGEOPT_ERR_NULL_POINTER;
    if (!initialized(opt)) return EDGEOPT_ERR_NOT_INITIALIZED;
    *out = opt->config;
    return EDGEOPT_OK;
}

uint64_t edgeopt_step_count(const edgeopt_optimizer* opt) { return initialized(opt) ? opt->step : 0; }

edgeopt_status edgeopt_reset(edgeopt_optimizer* opt) {
    if (!opt) return EDGEOPT_ERR_NULL_POINTER;
    if (!initialized(opt)) return EDGEOPT_ERR_NOT_INITIALIZED;
    opt->step = 0;
    opt->nadam_mu_product = 1.0;
    opt->q8_nonfinite_steps = 0;
    fill_initial_state(*opt);
    changed(*opt);
    return EDGEOPT_OK;
}

void edgeopt_destroy(edgeopt_optimizer* opt) {
    if (opt) std::memset(opt, 0, sizeof *opt);
}

edgeopt_status edgeopt_set_isa(edgeopt_optimizer* opt, edgeopt_isa isa) {
    if (!opt) return EDGEOPT_ERR_NULL_POINTER;
    if (!initialized(opt)) return EDGEOPT_ERR_NOT_INITIALIZED;
    if (!enum_in(isa, 0, EDGEOPT_ISA_COUNT)) return EDGEOPT_ERR_UNKNOWN_ISA;
    edgeopt_isa resolved = EDGEOPT_ISA_SCALAR;
    const edgeopt_status status = resolve_isa(isa, opt->config.algorithm, &resolved);
    if (status != EDGEOPT_OK) return status;
    opt->isa = resolved;
    changed(*opt);
    return EDGEOPT_OK;
}

edgeopt_isa edgeopt_get_isa(const edgeopt_optimizer* opt) { return initialized(opt) ? opt->isa : EDGEOPT_ISA_AUTO; }

float* edgeopt_state_buffer(const edgeopt_optimizer* opt, size_t tensor, unsigned slot) {
    void* data = slot_data(opt, tensor, slot);
    return data && opt->config.state_dtype[slot] == EDGEOPT_F32 ? static_cast<float*>(data) : nullptr;
}

edgeopt_status edgeopt_state_read(const edgeopt_optimizer* opt, size_t tensor, unsigned slot, float* out) {
    if (!opt || !out) return EDGEOPT_ERR_NULL_POINTER;
    if (!initialized(opt)) return EDGEOPT_ERR_NOT_INITIALIZED;
    if (tensor >= opt->tensor_count || slot >= 3 || !(slot_mask(opt->config) & (1u << slot)))
        return EDGEOPT_ERR_NO_SUCH_STATE;
    void* data = slot_data(opt, tensor, slot);
    if (data) kernel::read_state(data, opt->config.state_dtype[slot], opt->lengths[tensor], out);
    return EDGEOPT_OK;
}

edgeopt_status edgeopt_state_write(edgeopt_optimizer* opt, size_t tensor, unsigned slot, const float* values) {
    if (!opt || !values) return EDGEOPT_ERR_NULL_POINTER;
    if (!initialized(opt)) return EDGEOPT_ERR_NOT_INITIALIZED;
    if (tensor >= opt->tensor_count || slot >= 3 || !(slot_mask(opt->config) & (1u << slot)))
        return EDGEOPT_ERR_NO_SUCH_STATE;
    const std::size_t length = opt->lengths[tensor];
    if (train::overlap(values, length * sizeof(float), opt->arena, opt->arena_bytes)) return EDGEOPT_ERR_OVERLAP;
    void* data = slot_data(opt, tensor, slot);
    if (data) kernel::write_state(data, opt->config.state_dtype[slot], length, values);
    changed(*opt);
    return EDGEOPT_OK;
}

edgeopt_status edgeopt_set_step_count(edgeopt_optimizer* opt, uint64_t step, double nadam_mu_product) {
    if (!opt) return EDGEOPT_ERR_NULL_POINTER;
    if (!initialized(opt)) return EDGEOPT_ERR_NOT_INITIALIZED;
    // Πₜ is a product of factors in [0, 1): exactly 1 before any, and for
    // algorithms that keep none.
    const bool must_be_one = step == 0 || opt->config.algorithm != EDGEOPT_NADAM;
    if (!(nadam_mu_product >= 0.0 && nadam_mu_product <= 1.0) || (must_be_one && nadam_mu_product != 1.0) ||
        step == UINT64_MAX)
        return EDGEOPT_ERR_INVALID_STEP;
    opt->step = step;
    opt->nadam_mu_product = nadam_mu_product;
    changed(*opt);
    return EDGEOPT_OK;
}

double edgeopt_nadam_mu_product(const edgeopt_optimizer* opt) { return initialized(opt) ? opt->nadam_mu_product : NAN; }

edgeopt_status edgeopt_state_scalar(const edgeopt_optimizer* opt, unsigned index, const char** name, double* value) {
    if (!opt || !name || !value) return EDGEOPT_ERR_NULL_POINTER;
    if (!initialized(opt)) return EDGEOPT_ERR_NOT_INITIALIZED;
    return optim::visit(
        opt->config.algorithm,
        [&](auto tag) {
            using opt_type = typename decltype(tag)::type;
            if constexpr (optim::has_scalar_state<opt_type>::value) {
                if (index < sizeof opt_type::scalar_names / sizeof opt_type::scalar_names[0]) {
                    *name = opt_type::scalar_names[index];
                    *value = opt_type::scalar_value(opt_type::of(opt->config), opt->step, index);
                    return EDGEOPT_OK;
                }
            }
            return EDGEOPT_ERR_NO_SUCH_STATE;
        },
        [] { return EDGEOPT_ERR_NOT_INITIALIZED; });
}

bool edgeopt_isa_available(edgeopt_isa isa) {
    return edgeopt::enum_in(isa, 0, EDGEOPT_ISA_COUNT) && edgeopt::kernel::table_for(isa) != nullptr;
}

// NEONv7 flushes subnormals, but its kernels detect that (FPSCR) and redo
// those vectors on VFP, so it is exact too; Helium is not (see its kernels).
bool edgeopt_isa_bit_exact(edgeopt_isa isa) {
    if (!edgeopt::enum_in(isa, 0, EDGEOPT_ISA_COUNT)) return false;
    return isa == EDGEOPT_ISA_SCALAR || isa == EDGEOPT_ISA_SSE2 || isa == EDGEOPT_ISA_AVX2 || isa == EDGEOPT_ISA_AVX512 ||
           isa == EDGEOPT_ISA_NEON64 || isa == EDGEOPT_ISA_NEONV7;
}

edgeopt_isa edgeopt_isa_default(edgeopt_algorithm algorithm) {
    // The preference only distinguishes listed algorithms; any other value gets the general one.
    const edgeopt_algorithm known = edgeopt::enum_in(algorithm, EDGEOPT_SGD, EDGEOPT_SGD + EDGEOPT_ALGORITHM_COUNT) ? algorithm : EDGEOPT_SGD;
    return edgeopt::kernel::default_isa(known);
}

}  // extern "C"
