// SPDX-License-Identifier: Apache-2.0
// torch.nn.utils.clip_grad_norm_ and clip_grad_value_ with a fixed
// reduction order (train.h), so the total norm has the same bits on every
// platform: double accumulators, 4 per tensor round-robin, fixed combine.
// Widening to double makes squares exact and the sum good to ~n·2^-53, far
// below torch's own float32 reduction error.
#include <cmath>

#include "edgeopt/train.h"

namespace {

enum class norm_kind { l1, l2, linf };

bool parse_norm(double norm_type, norm_kind& kind) {
    if (norm_type == 1.0) kind = norm_kind::l1;
    else if (norm_type == 2.0) kind = norm_kind::l2;
    else if (norm_type == HUGE_VAL) kind = norm_kind::linf;
    else return false;
    return true;
}

// Σ|g| or Σg² of one tensor: element j into accumulator j % 4.
double tensor_sum(const float* g, size_t n, bool squares) {
    double acc[4] = {0.0, 0.0, 0.0, 0.0};
    for (size_t j = 0; j < n; ++j) {
        const double x = g[j];
        acc[j & 3u] += squares ? x * x : std::fabs(x);
    }
    return (acc[0] + acc[1]) + (acc[2] + acc[3]);
}

// max|g|, NaN if any element is NaN (torch's max propagates NaN).
double tensor_max_abs(const float* g, size_t n) {
    float best = 0.0f;
    bool nan = false;
    for (size_t j = 0; j < n; ++j) {
        const float a = std::fabs(g[j]);
        nan |= a != a;
        best = a > best ? a : best;
    }
    return nan ? NAN : best;
}

double total_norm(const edgeopt_grad* grads, size_t count, norm_kind kind) {
    double total = 0.0;
    for (size_t i = 0; i < count; ++i) {
        if (grads[i].length == 0) continue;
        if (kind == norm_kind::linf) {
            const double m = tensor_max_abs(grads[i].grad, grads[i].length);
            total = (m != m || total != total) ? NAN : (m > total ? m : total);
        } else {
            total += tensor_sum(grads[i].grad, grads[i].length, kind == norm_kind::l2);
        }
    }
    return kind == norm_kind::l2 ? std::sqrt(total) : total;
}

edgeopt_status check_grads(const edgeopt_grad* grads, size_t count) {
    if (!grads && count != 0) return EDGEOPT_ERR_NULL_POINTER;
    for (size_t i = 0; i < count; ++i)
        if (grads[i].length != 0 && !grads[i].grad) return EDGEOPT_ERR_NULL_POINTER;
    return EDGEOPT_OK;
}

}  // namespace

extern "C" {

edgeopt_status edgeopt_grad_norm(const edgeopt_grad* grads, size_t count, double norm_type, double* total) {
    const edgeopt_status checked = check_grads(grads, count);
    if (checked != EDGEOPT_OK) return checked;
    norm_kind kind;
    if (!parse_norm(norm_type, kind)) return EDGEOPT_ERR_INVALID_CLIP;
    const double norm = total_norm(grads, count, kind);
    if (total) *total = norm;
    return EDGEOPT_OK;
}

edgeopt_status edgeopt_clip_grad_norm(const edgeopt_grad* grads, size_t count, double max_norm, double norm_type,
                                      bool error_if_nonfinite, double* total) {
    const edgeopt_status checked = check_grads(grads, count);
    if (checked != EDGEOPT_OK) return checked;
    norm_kind kind;
    if (!parse_norm(norm_type, kind) || !(max_norm >= 0.0 && max_norm <= 1.7976931348623157e308))
        return EDGEOPT_ERR_INVALID_CLIP;
    const double norm = total_norm(grads, count, kind);
    if (error_if_nonfinite && !std::isfinite(norm)) return EDGEOPT_ERR_NONFINITE_GRADIENT;
    // torch 1.13: max_norm / (total_norm + 1e-6) on a float32 tensor is
    // total_norm.add(1e-6).reciprocal().mul(max_norm), then clamp(max=1).
    const float shifted = static_cast<float>(norm) + 1e-6f;
    float coef = (1.0f / shifted) * static_cast<float>(max_norm);
    if (coef > 1.0f) coef = 1.0f;  // NaN stays NaN, as in torch.clamp
    if (coef != 1.0f)              // × 1 would change no bits
        for (size_t i = 0; i < count; ++i)
            for (size_t j = 0; j < grads[i].length; ++j) grads[i].grad[j] *= coef;
    if (total) *total = norm;
    return EDGEOPT_OK;
}

edgeopt_status edgeopt_clip_grad_value(const edgeopt_grad* grads, size_t count, double clip_value) {
    const edgeopt_status checked = check_grads(grads, count);
    if (checked != EDGEOPT_OK) return checked;
    if (!(clip_value >= 0.0)) return EDGEOPT_ERR_INVALID_CLIP;
    const float hi = static_cast<float>(clip_value), lo = -hi;
    for (size_t i = 0; i < count; ++i)
        for (size_t j = 0; j < grads[i].length; ++j) {
            float& g = grads[i].grad[j];
            if (g > hi) g = hi;  // comparisons leave NaN and −0 as they are
            else if (g < lo) g = lo;
        }
    return EDGEOPT_OK;
}

}  // extern "C"
