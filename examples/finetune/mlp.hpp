// SPDX-License-Identifier: Apache-2.0
// The model being fine-tuned: 784 → 128 → ReLU → 10 → softmax cross-entropy,
// with plain loops.  Weights are stored input-major (w1[i][j] joins pixel i
// to hidden unit j), the transpose of torch.nn.Linear.weight, so that every
// inner loop runs over one contiguous row.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "edgeopt/edgeopt.h"
#include "fashion_mnist.hpp"

namespace finetune {

constexpr int hidden_units = 128;

struct mlp {
    static constexpr std::size_t tensor_count = 4;
    std::vector<float> w1, b1, w2, b2;  // parameters
    std::vector<float> w1_grad, b1_grad, w2_grad, b2_grad;

    // torch.nn.Linear's initialisation: U(−1/√fan_in, 1/√fan_in) for
    // weights and biases, from a generator seeded with `seed`.
    explicit mlp(std::uint64_t seed);

    // Lengths and (param, grad) pairs in the order the optimizer sees them.
    static const std::size_t* tensor_lengths();
    void tensors(edgeopt_tensor (&out)[tensor_count]);
    std::size_t parameter_count() const { return w1.size() + b1.size() + w2.size() + b2.size(); }
};

// Scratch space for one batch, allocated once.
struct workspace {
    explicit workspace(int max_batch);
    int max_batch;
    std::vector<float> inputs_t;  // image_pixels × batch: the batch transposed
    std::vector<float> hidden;    // batch × hidden_units, after ReLU
    std::vector<float> hidden_grad;
    std::vector<float> logits;  // batch × class_count; then softmax − one-hot
};

// Forward and backward over images[indices[0..count)]: fills the model's
// gradients with those of the mean cross-entropy; returns the summed loss.
double forward_backward(mlp& model, const image_set& images, const int* indices, int count, workspace& work);

// Fraction of `images` classified correctly.
double accuracy(const mlp& model, const image_set& images, workspace& work);

}  // namespace finetune
