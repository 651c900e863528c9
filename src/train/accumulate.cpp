// SPDX-License-Identifier: Apache-2.0
// Gradient accumulation: sum k micro-batch gradients in float32, then divide
// by k — torch's `p.grad` after k backward() calls, then p.grad.div_(k).
#include <cstdint>

#include "edgeopt/train.h"

namespace {

constexpr std::uint32_t accumulator_magic = 0xACC0111Au;

bool initialized(const edgeopt_accumulator* acc) { return acc && acc->magic == accumulator_magic; }

void zero(const edgeopt_grad* sums, size_t count) {
    for (size_t i = 0; i < count; ++i)
        for (size_t j = 0; j < sums[i].length; ++j) sums[i].grad[j] = 0.0f;
}

}  // namespace

extern "C" {

edgeopt_status edgeopt_accumulator_init(edgeopt_accumulator* acc, const edgeopt_grad* sums, size_t count) {
    if (!acc || !sums) return EDGEOPT_ERR_NULL_POINTER;
    if (count == 0) return EDGEOPT_ERR_NO_TENSORS;
    for (size_t i = 0; i < count; ++i)
        if (sums[i].length != 0 && !sums[i].grad) return EDGEOPT_ERR_NULL_POINTER;
    zero(sums, count);
    *acc = edgeopt_accumulator{accumulator_magic, 0, false, sums, count};
    return EDGEOPT_OK;
}

edgeopt_status edgeopt_accumulator_add(edgeopt_accumulator* acc, const edgeopt_tensor* micro, size_t count) {
    if (!acc || !micro) return EDGEOPT_ERR_NULL_POINTER;
    if (!initialized(acc) || acc->averaged) return EDGEOPT_ERR_NOT_INITIALIZED;
    if (count != acc->count) return EDGEOPT_ERR_TENSOR_COUNT_MISMATCH;
    for (size_t i = 0; i < count; ++i) {
        if (micro[i].length != acc->sums[i].length) return EDGEOPT_ERR_LENGTH_MISMATCH;
        if (micro[i].length != 0 && !micro[i].grad) return EDGEOPT_ERR_NULL_POINTER;
    }
    for (size_t i = 0; i < count; ++i) {
        float* sum = acc->sums[i].grad;
        const float* grad = micro[i].grad;
        for (size_t j = 0; j < micro[i].length; ++j) sum[j] += grad[j];
    }
    acc->micro_batches += 1;
    return EDGEOPT_OK;
}

edgeopt_status edgeopt_accumulator_mean(edgeopt_accumulator* acc) {
    if (!acc) return EDGEOPT_ERR_NULL_POINTER;
    if (!initialized(acc)) return EDGEOPT_ERR_NOT_INITIALIZED;
    if (acc->micro_batches == 0) return EDGEOPT_ERR_NO_TENSORS;
    // torch's div_(k) by a Python int: float32 division by (float)k.
    const float k = static_cast<float>(acc->micro_batches);
    if (acc->micro_batches > 1)
        for (size_t i = 0; i < acc->count; ++i)
            for (size_t j = 0; j < acc->sums[i].length; ++j) acc->sums[i].grad[j] /= k;
    acc->micro_batches = 0;
    acc->averaged = true;
    return EDGEOPT_OK;
}

edgeopt_status edgeopt_accumulator_reset(edgeopt_accumulator* acc) {
    if (!acc) return EDGEOPT_ERR_NULL_POINTER;
    if (!initialized(acc)) return EDGEOPT_ERR_NOT_INITIALIZED;
    zero(acc->sums, acc->count);
    acc->micro_batches = 0;
    acc->averaged = false;
    return EDGEOPT_OK;
}

uint32_t edgeopt_accumulator_count(const edgeopt_accumulator* acc) {
    return initialized(acc) ? acc->micro_batches : 0;
}

}  // extern "C"
