// SPDX-License-Identifier: Apache-2.0
// A step in pieces: begin (check everything, form the per-step scalars once
// into the caller's plan), run over element ranges of the flattened space
// (tensor 0's elements, then tensor 1's, ...), end (advance the step count).
// edgeopt_step is the three in a row, so there is one path.
//
// Why any split gives the same bits: every kernel updates an element from
// that element's own parameter, gradient and state alone (a partial vector
// computes its lanes exactly like a full one, driver.hpp), stochastic
// rounding draws from (seed, step, tensor, index in the tensor), and a q8
// block is only ever updated whole — which is why a range may not cut one.
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "arena.hpp"
#include "kernel/table.hpp"
#include "optim/algorithms.hpp"
#include "optimizer_object.hpp"
#include "tensor_checks.hpp"

namespace {

using namespace edgeopt;

constexpr std::uint32_t begun_magic = 0x57E9B391u;
constexpr std::size_t block = EDGEOPT_Q8_BLOCK;

template <class Opt>
void store_coeffs(edgeopt_step_plan& plan, const typename Opt::coeffs& c) {
    using coeffs = typename Opt::coeffs;
    static_assert(sizeof(coeffs) <= sizeof plan.coeffs, "edgeopt_step_plan.coeffs is too small for this optimizer");
    static_assert(alignof(coeffs) <= alignof(std::uint64_t) && std::is_trivially_copyable<coeffs>::value, "");
    std::memcpy(plan.coeffs, &c, sizeof c);
}

template <class Opt>
typename Opt::coeffs load_coeffs(const edgeopt_step_plan& plan) {
    typename Opt::coeffs c;
    std::memcpy(&c, plan.coeffs, sizeof c);
    return c;
}

bool has_q8(const arena::layout& layout) {
    for (unsigned k = 0; k < 3; ++k)
        if ((layout.mask & (1u << k)) && layout.dtype[k] == EDGEOPT_Q8) return true;
    return false;
}

// has_q8(layout_of(config)) without finding the algorithm's slot mask, for
// the common case (no slot is q8) on every step.
bool has_q8(const edgeopt_config& config) {
    for (unsigned k = 0; k < 3; ++k)
        if (config.state_dtype[k] == EDGEOPT_Q8) return has_q8(layout_of(config));
    return false;
}

// Where flat element `at` falls: the first flat element of its tensor and
// the tensor's length.  at_end picks the tensor a range ending at `at` ends
// in (start < at <= start + length); otherwise the one holding `at`.
struct place {
    std::size_t start, length;
};

place locate(const edgeopt_optimizer& opt, std::size_t at, bool at_end) {
    std::size_t start = 0;
    for (std::size_t i = 0; i < opt.tensor_count; ++i) {
        const std::size_t length = opt.lengths[i];
        if (at_end ? (at > start && at <= start + length) : at < start + length) return {start, length};
        start += length;
    }
    return {start, 0};
}

// Whether a range may start (or end) at flat element `at` with this layout:
// anywhere without q8 state, else on a block boundary or a tensor's end.
bool on_boundary(const edgeopt_optimizer& opt, std::size_t at, bool at_end) {
    const place p = locate(opt, at, at_end);
    const std::size_t local = at - p.start;
    return local % block == 0 || local == p.length;
}

edgeopt_status check_range(const edgeopt_optimizer& opt, const edgeopt_step_plan& plan, std::size_t begin,
                           std::size_t end) {
    if (begin > end || end > plan.total) return EDGEOPT_ERR_RANGE_OUTSIDE;
    if (begin == end || !has_q8(opt.config)) return EDGEOPT_OK;
    return on_boundary(opt, begin, false) && on_boundary(opt, end, true) ? EDGEOPT_OK : EDGEOPT_ERR_RANGE_SPLITS_BLOCK;
}

edgeopt_status check_plan(const edgeopt_optimizer* opt, const edgeopt_step_plan* plan) {
    if (!opt || !plan) return EDGEOPT_ERR_NULL_POINTER;
    if (!initialized(opt)) return EDGEOPT_ERR_NOT_INITIALIZED;
    if (plan->magic != begun_magic) return EDGEOPT_ERR_STEP_NOT_BEGUN;
    if (plan->opt != opt) return EDGEOPT_ERR_PLAN_FOREIGN;
    if (plan->step != opt->step + 1) return EDGEOPT_ERR_PLAN_STALE;
    if (plan->generation != opt->generation) return EDGEOPT_ERR_CHANGED_MID_STEP;
    return EDGEOPT_OK;
}

bool all_f32(const edgeopt_tensor& t, const arena::layout& layout) {
    return t.param_dtype == EDGEOPT_F32 && t.grad_dtype == EDGEOPT_F32 && layout.all_f32();
}

template <class Opt>
void run_range(const edgeopt_optimizer& opt, const kernel::table& kernels, const edgeopt_step_plan& plan,
               std::size_t begin, std::size_t end) {
    const typename Opt::coeffs coeffs = load_coeffs<Opt>(plan);
    const arena::layout layout = arena::layout::of(Opt::slot_mask(Opt::of(opt.config)), opt.config);
    unsigned char* cursor = opt.state;
    std::size_t start = 0;
    for (std::size_t i = 0; i < opt.tensor_count && start < end; ++i) {
        const edgeopt_tensor& tensor = plan.tensors[i];
        void* slots[3];
        arena::tensor_slots(layout, tensor.length, cursor, slots);
        const std::size_t first = begin > start ? begin - start : 0;
        const std::size_t last = end - start < tensor.length ? end - start : tensor.length;
        start += tensor.length;
        if (first >= last) continue;
        if (all_f32(tensor, layout)) {
            kernel::tensor_streams streams{tensor.param + first, tensor.grad + first, {}, last - first};
            for (unsigned k = 0; k < 3; ++k)
                if (slots[k]) streams.state[k] = static_cast<float*>(slots[k]) + first;
            kernels.float32.get<Opt>()(coeffs, streams);
        } else {
            const bool stochastic =
                tensor.param_dtype == EDGEOPT_BF16 && opt.config.param_rounding == EDGEOPT_ROUND_STOCHASTIC;
            const kernel::typed_streams streams{
                tensor.param, tensor.grad, {slots[0], slots[1], slots[2]}, tensor.param_dtype,
                tensor.grad_dtype, {layout.dtype[0], layout.dtype[1], layout.dtype[2]}, stochastic,
                kernel::random_key::of(opt.config.seed, plan.step, i), tensor.length, first, last};
            kernels.typed.get<Opt>()(coeffs, streams);
        }
    }
}

// After check_plan and check_range.
void run_checked(edgeopt_optimizer& opt, const edgeopt_step_plan& plan, std::size_t begin, std::size_t end) {
    const kernel::table* kernels = kernel::compiled_table(opt.isa);  // begin() found it
    optim::visit(
        opt.config.algorithm,
        [&](auto tag) { run_range<typename decltype(tag)::type>(opt, *kernels, plan, begin, end); }, [] {});
}

// False if a q8 slice holds NaN or Inf.  A q8 block's scale is its largest
// magnitude, so a non-finite value anywhere in the block makes the scale
// non-finite: scanning the scales (1 float per 64 values) suffices.
bool q8_finite(const edgeopt_optimizer& opt) {
    if (!has_q8(opt.config)) return true;
    const arena::layout layout = layout_of(opt.config);
    unsigned char* cursor = opt.state;
    for (std::size_t i = 0; i < opt.tensor_count; ++i) {
        void* slots[3];
        arena::tensor_slots(layout, opt.lengths[i], cursor, slots);
        const std::size_t blocks = (opt.lengths[i] + kernel::q8_block - 1) / kernel::q8_block;
        for (unsigned k = 0; k < 3; ++k)
            if (slots[k] && layout.dtype[k] == EDGEOPT_Q8 && !train::finite_f32(kernel::q8_scales(slots[k]), blocks))
                return false;
    }
    return true;
}

void end_checked(edgeopt_optimizer& opt, edgeopt_step_plan& plan) {
    if (!q8_finite(opt)) ++opt.q8_nonfinite_steps;  // after every range ran: one thread, once per step
    opt.step = plan.step;
    opt.nadam_mu_product = plan.mu_product;
    changed(opt);
    plan.magic = 0;
}

// Boundary k of a split into `tasks`: total·k/tasks rounded to the nearest
// block boundary of its tensor, or to the tensor's end.  Non-decreasing in k.
std::size_t split_boundary(const edgeopt_optimizer& opt, std::size_t total, std::size_t tasks, std::size_t k) {
    if (k >= tasks) return total;
    const std::size_t target =
        total / tasks * k + static_cast<std::size_t>(std::uint64_t(total % tasks) * k / tasks);  // < 2^32: tasks <= 2^16
    const place p = locate(opt, target, false);
    std::size_t local = (target - p.start + block / 2) / block * block;
    if (local > p.length) local = p.length;
    return p.start + local;
}

struct parallel_job {
    edgeopt_optimizer* opt;
    const edgeopt_step_plan* plan;
    std::size_t tasks;
};

void run_task(void* context, std::size_t index) {
    const parallel_job& job = *static_cast<const parallel_job*>(context);
    if (index >= job.tasks) return;
    const std::size_t begin = split_boundary(*job.opt, job.plan->total, job.tasks, index);
    const std::size_t end = split_boundary(*job.opt, job.plan->total, job.tasks, index + 1);
    run_checked(*job.opt, *job.plan, begin, end);
}

}  // namespace

extern "C" {

edgeopt_status edgeopt_step_begin(edgeopt_optimizer* opt, const edgeopt_tensor* tensors, size_t count,
                                  edgeopt_step_plan* plan) {
    if (!opt || !plan) return EDGEOPT_ERR_NULL_POINTER;
    if (!initialized(opt)) return EDGEOPT_ERR_NOT_INITIALIZED;
    const edgeopt_status checked = train::check_step_tensors(*opt, tensors, count);
    if (checked != EDGEOPT_OK) return checked;
    if (!kernel::compiled_table(opt->isa)) return EDGEOPT_ERR_ISA_UNAVAILABLE;
    // Checked: nothing below can fail.  Written in place, as a local copy
    // doubled the stack of a whole step on the Cortex-M4 (220 -> 470 bytes).
    // Field by field, not memset: GCC made the 104-byte memset a rep stos,
    // whose start-up cost was a measurable part of a 4K-parameter step.
    edgeopt_step_plan& p = *plan;
    p.total = 0;
    for (std::size_t i = 0; i < count; ++i) p.total += tensors[i].length;
    for (std::uint64_t& word : p.coeffs) word = 0;  // store_coeffs fills its own part only
    p.magic = begun_magic;
    p.generation = opt->generation;
    p.opt = opt;
    p.tensors = tensors;
    p.step = opt->step + 1;
    p.mu_product = opt->nadam_mu_product;
    optim::visit(
        opt->config.algorithm,
        [&](auto tag) {
            using Opt = typename decltype(tag)::type;
            store_coeffs<Opt>(p, Opt::at_step(opt->config, p.step, p.mu_product));
        },
        [] {});
    return EDGEOPT_OK;
}

edgeopt_status edgeopt_step_run(edgeopt_optimizer* opt, const edgeopt_step_plan* plan, size_t begin, size_t end) {
    const edgeopt_status valid = check_plan(opt, plan);
    if (valid != EDGEOPT_OK) return valid;
    const edgeopt_status in_range = check_range(*opt, *plan, begin, end);
    if (in_range != EDGEOPT_OK) return in_range;
    run_checked(*opt, *plan, begin, end);
    return EDGEOPT_OK;
}

edgeopt_status edgeopt_step_end(edgeopt_optimizer* opt, edgeopt_step_plan* plan) {
    const edgeopt_status valid = check_plan(opt, plan);
    if (valid != EDGEOPT_OK) return valid;
    end_checked(*opt, *plan);
    return EDGEOPT_OK;
}

edgeopt_status edgeopt_step(edgeopt_optimizer* opt, const edgeopt_tensor* tensors, size_t count) {
    edgeopt_step_plan plan;
    const edgeopt_status begun = edgeopt_step_begin(opt, tensors, count, &plan);
    if (begun != EDGEOPT_OK) return begun;
    run_checked(*opt, plan, 0, plan.total);
    end_checked(*opt, plan);
    return EDGEOPT_OK;
}

uint64_t edgeopt_q8_nonfinite_count(const edgeopt_optimizer* opt) {
    return initialized(opt) ? opt->q8_nonfinite_steps : 0;
}

edgeopt_status edgeopt_step_split(const edgeopt_step_plan* plan, size_t tasks, size_t index, size_t* begin,
                                  size_t* end) {
    if (!plan || !begin || !end) return EDGEOPT_ERR_NULL_POINTER;
    if (plan->magic != begun_magic) return EDGEOPT_ERR_STEP_NOT_BEGUN;  // before trusting plan->opt
    const edgeopt_status valid = check_plan(plan->opt, plan);
    if (valid != EDGEOPT_OK) return valid;
    if (tasks == 0 || tasks > EDGEOPT_MAX_TASKS) return EDGEOPT_ERR_INVALID_TASKS;
    if (index >= tasks) return EDGEOPT_ERR_RANGE_OUTSIDE;
    *begin = split_boundary(*plan->opt, plan->total, tasks, index);
    *end = split_boundary(*plan->opt, plan->total, tasks, index + 1);
    return EDGEOPT_OK;
}

edgeopt_status edgeopt_step_parallel(edgeopt_optimizer* opt, const edgeopt_tensor* tensors, size_t count,
                                     const edgeopt_parallel_for* parallel) {
    if (!opt || !parallel || !parallel->run) return EDGEOPT_ERR_NULL_POINTER;
    if (parallel->tasks == 0 || parallel->tasks > EDGEOPT_MAX_TASKS) return EDGEOPT_ERR_INVALID_TASKS;
    edgeopt_step_plan plan;
    const edgeopt_status begun = edgeopt_step_begin(opt, tensors, count, &plan);
    if (begun != EDGEOPT_OK) return begun;
    parallel_job job{opt, &plan, parallel->tasks};
    parallel->run(parallel->context, parallel->tasks, run_task, &job);
    end_checked(*opt, plan);
    return EDGEOPT_OK;
}

edgeopt_status edgeopt_step_chunks_begin(edgeopt_optimizer* opt, const edgeopt_tensor* tensors, size_t count,
                                         edgeopt_step_chunks* chunks) {
    if (!chunks) return EDGEOPT_ERR_NULL_POINTER;
    edgeopt_step_plan plan;
    const edgeopt_status begun = edgeopt_step_begin(opt, tensors, count, &plan);
    if (begun != EDGEOPT_OK) return begun;
    chunks->plan = plan;
    chunks->next = 0;
    return EDGEOPT_OK;
}

edgeopt_status edgeopt_step_chunk(edgeopt_optimizer* opt, edgeopt_step_chunks* chunks, size_t max_elements,
                                  bool* done) {
    if (!chunks || !done) return EDGEOPT_ERR_NULL_POINTER;
    const edgeopt_status valid = check_plan(opt, &chunks->plan);
    if (valid != EDGEOPT_OK) return valid;
    const bool q8 = has_q8(opt->config);
    if (max_elements == 0 || (q8 && max_elements < block)) return EDGEOPT_ERR_CHUNK_TOO_SMALL;
    const std::size_t next = chunks->next, total = chunks->plan.total;
    std::size_t stop = total - next < max_elements ? total : next + max_elements;
    if (q8 && !on_boundary(*opt, stop, true)) {  // back to the block boundary before stop: next is one, so
        const place p = locate(*opt, stop, true);  // a whole block still fits
        stop = p.start + (stop - p.start) / block * block;
    }
    run_checked(*opt, chunks->plan, next, stop);
    chunks->next = stop;
    *done = stop == total;
    if (*done) end_checked(*opt, chunks->plan);
    return EDGEOPT_OK;
}

}  // extern "C"
