// SPDX-License-Identifier: Apache-2.0
#include "mlp.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

// x86-64 builds default to SSE2, and these loops are nearly all the run
// time: GCC and Clang also compile AVX2 and AVX-512 copies, picked at load
// time (AVX-512 trains about 2.5x faster than SSE2 on the Xeon we measured).
// With -ffp-contract=off every copy gives the same bits.
#if defined(__x86_64__) && defined(__linux__) && (defined(__GNUC__) || defined(__clang__))
#define FINETUNE_VECTOR_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define FINETUNE_VECTOR_CLONES
#endif

namespace finetune {

namespace {

constexpr std::size_t lengths[mlp::tensor_count] = {std::size_t(image_pixels) * hidden_units, hidden_units,
                                                    std::size_t(hidden_units) * class_count, class_count};

// mt19937_64's output is fixed by the standard; uniform_real_distribution's
// is not, so the floats are made here to keep the weights the same everywhere.
void fill_uniform(std::vector<float>& values, std::size_t n, float bound, std::mt19937_64& random) {
    values.resize(n);
    for (float& v : values) {
        const float unit = float(random() >> 40) * 0x1p-24f;  // [0, 1), 24 random bits
        v = (2.0f * unit - 1.0f) * bound;
    }
}

// Fills logits for `count` images whose pixels are inputs_t (transposed),
// keeping the ReLU outputs in work.hidden.
FINETUNE_VECTOR_CLONES void forward(const mlp& model, int count, workspace& work) {
    float* hidden = work.hidden.data();
    for (int b = 0; b < count; ++b) std::copy(model.b1.begin(), model.b1.end(), hidden + b * hidden_units);
    // Pixel-major, so each weight row is read once per batch while the
    // batch's hidden rows (64 × 512 B) stay in L1; background pixels are skipped.
    for (int i = 0; i < image_pixels; ++i) {
        const float* w_row = model.w1.data() + std::size_t(i) * hidden_units;
        const float* pixel = work.inputs_t.data() + std::size_t(i) * work.max_batch;
        for (int b = 0; b < count; ++b) {
            const float x = pixel[b];
            if (x == 0.0f) continue;
            float* h = hidden + b * hidden_units;
            for (int j = 0; j < hidden_units; ++j) h[j] += x * w_row[j];
        }
    }
    for (int k = 0; k < count * hidden_units; ++k) hidden[k] = std::max(hidden[k], 0.0f);
    for (int b = 0; b < count; ++b) {
        float* logit = work.logits.data() + b * class_count;
        std::copy(model.b2.begin(), model.b2.end(), logit);
        const float* h = hidden + b * hidden_units;
        for (int j = 0; j < hidden_units; ++j) {
            const float* w_row = model.w2.data() + j * class_count;
            for (int c = 0; c < class_count; ++c) logit[c] += h[j] * w_row[c];
        }
    }
}

void load_batch(const image_set& images, const int* indices, int count, workspace& work) {
    for (int b = 0; b < count; ++b) {
        const float* image = images.image(indices[b]);
        for (int i = 0; i < image_pixels; ++i) work.inputs_t[std::size_t(i) * work.max_batch + b] = image[i];
    }
}

}  // namespace

mlp::mlp(std::uint64_t seed) {
    std::mt19937_64 random(seed);
    const float bound1 = 1.0f / std::sqrt(float(image_pixels)), bound2 = 1.0f / std::sqrt(float(hidden_units));
    fill_uniform(w1, lengths[0], bound1, random);
    fill_uniform(b1, lengths[1], bound1, random);
    fill_uniform(w2, lengths[2], bound2, random);
    fill_uniform(b2, lengths[3], bound2, random);
    w1_grad.assign(w1.size(), 0.0f);
    b1_grad.assign(b1.size(), 0.0f);
    w2_grad.assign(w2.size(), 0.0f);
    b2_grad.assign(b2.size(), 0.0f);
}

const std::size_t* mlp::tensor_lengths() { return lengths; }

void mlp::tensors(edgeopt_tensor (&out)[tensor_count]) {
    out[0] = {w1.data(), w1_grad.data(), w1.size(), EDGEOPT_F32, EDGEOPT_F32};
    out[1] = {b1.data(), b1_grad.data(), b1.size(), EDGEOPT_F32, EDGEOPT_F32};
    out[2] = {w2.data(), w2_grad.data(), w2.size(), EDGEOPT_F32, EDGEOPT_F32};
    out[3] = {b2.data(), b2_grad.data(), b2.size(), EDGEOPT_F32, EDGEOPT_F32};
}

workspace::workspace(int batch)
    : max_batch(batch),
      inputs_t(std::size_t(image_pixels) * batch),
      hidden(std::size_t(batch) * hidden_units),
      hidden_grad(std::size_t(batch) * hidden_units),
      logits(std::size_t(batch) * class_count) {}

FINETUNE_VECTOR_CLONES double forward_backward(mlp& model, const image_set& images, const int* indices, int count,
                                               workspace& work) {
    load_batch(images, indices, count, work);
    forward(model, count, work);

    // Softmax cross-entropy; logits become d(mean loss)/d(logits).
    double loss = 0.0;
    const float scale = 1.0f / float(count);
    for (int b = 0; b < count; ++b) {
        float* logit = work.logits.data() + b * class_count;
        const int label = images.labels[indices[b]];
        const float largest = *std::max_element(logit, logit + class_count), logit_label = logit[label];
        float sum = 0.0f;
        for (int c = 0; c < class_count; ++c) sum += (logit[c] = std::exp(logit[c] - largest));
        loss += std::log(sum) - (logit_label - largest);  // −log softmax, without underflow to log(0)
        for (int c = 0; c < class_count; ++c) logit[c] = (logit[c] / sum - (c == label ? 1.0f : 0.0f)) * scale;
    }

    // Output layer, and the gradient reaching the hidden units through ReLU.
    std::fill(model.w2_grad.begin(), model.w2_grad.end(), 0.0f);
    std::fill(model.b2_grad.begin(), model.b2_grad.end(), 0.0f);
    for (int b = 0; b < count; ++b) {
        const float* delta = work.logits.data() + b * class_count;
        const float* h = work.hidden.data() + b * hidden_units;
        float* h_grad = work.hidden_grad.data() + b * hidden_units;
        for (int c = 0; c < class_count; ++c) model.b2_grad[c] += delta[c];
        for (int j = 0; j < hidden_units; ++j) {
            float* w_grad_row = model.w2_grad.data() + j * class_count;
            const float* w_row = model.w2.data() + j * class_count;
            float back = 0.0f;
            for (int c = 0; c < class_count; ++c) {
                w_grad_row[c] += h[j] * delta[c];
                back += w_row[c] * delta[c];
            }
            h_grad[j] = h[j] > 0.0f ? back : 0.0f;
        }
    }

    // Hidden layer, pixel-major like the forward pass: one gradient row stays hot.
    std::fill(model.b1_grad.begin(), model.b1_grad.end(), 0.0f);
    for (int b = 0; b < count; ++b)
        for (int j = 0; j < hidden_units; ++j) model.b1_grad[j] += work.hidden_grad[b * hidden_units + j];
    for (int i = 0; i < image_pixels; ++i) {
        float* w_grad_row = model.w1_grad.data() + std::size_t(i) * hidden_units;
        std::fill(w_grad_row, w_grad_row + hidden_units, 0.0f);
        const float* pixel = work.inputs_t.data() + std::size_t(i) * work.max_batch;
        for (int b = 0; b < count; ++b) {
            const float x = pixel[b];
            if (x == 0.0f) continue;
            const float* h_grad = work.hidden_grad.data() + b * hidden_units;
            for (int j = 0; j < hidden_units; ++j) w_grad_row[j] += x * h_grad[j];
        }
    }
    return loss;
}

double accuracy(const mlp& model, const image_set& images, workspace& work) {
    std::vector<int> indices(work.max_batch);
    int correct = 0;
    for (int first = 0; first < images.count; first += work.max_batch) {
        const int count = std::min(work.max_batch, images.count - first);
        std::iota(indices.begin(), indices.begin() + count, first);
        load_batch(images, indices.data(), count, work);
        forward(model, count, work);
        for (int b = 0; b < count; ++b) {
            const float* logit = work.logits.data() + b * class_count;
            correct += int(std::max_element(logit, logit + class_count) - logit) == images.labels[first + b];
        }
    }
    return double(correct) / images.count;
}

}  // namespace finetune
