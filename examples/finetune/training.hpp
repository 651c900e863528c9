// SPDX-License-Identifier: Apache-2.0
// One fine-tuning run: an optimizer, the MLP from a fixed seed, mini-batches
// of the training subset, a warm-up + cosine learning-rate schedule,
// optional gradient clipping, checkpoints, test accuracy twice an epoch.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "edgeopt/edgeopt.h"
#include "fashion_mnist.hpp"

namespace finetune {

enum class schedule_kind { cosine, constant };

struct run_options {
    int epochs = 4;
    int train_size = 60000;
    int batch = 64;
    std::uint64_t seed = 1;
    schedule_kind schedule = schedule_kind::cosine;
    int warmup_steps = -1;  // -1: 5% of all steps
    double clip_norm = 0;   // 0: no clipping
    std::string save_path, resume_path;
    int stop_after = 0;  // stop after this epoch (as if the power went out); 0: never
    // Storage of the optimizer state and of the weights the optimizer updates
    // (the forward pass reads them widened to float32); README "Low precision".
    edgeopt_dtype state_dtype = EDGEOPT_F32, param_dtype = EDGEOPT_F32;
    edgeopt_rounding rounding = EDGEOPT_ROUND_NEAREST;
    // > 0: a partial update (README, "Partial updates"): each step updates only
    // the last this-many rows of the output layer's weights (one row per
    // hidden unit) and its bias; every other weight keeps its initial value.
    int update_last_rows = 0;
};

struct curve_point {
    double x, y;
};

struct run_result {
    std::string label;
    std::vector<curve_point> loss_curve;      // (epoch, mean train loss) every 1/10 epoch
    std::vector<curve_point> accuracy_curve;  // (epoch, test accuracy) every half epoch
    double final_train_loss = 0;              // mean over the last epoch
    double test_accuracy = 0;
    double seconds = 0;
    std::size_t state_bytes = 0;  // edgeopt_state_bytes for the MLP's tensors
    int first_epoch = 0;          // > 0 when resumed
    int epochs_done = 0;
    std::uint64_t skipped_steps = 0;  // non-finite gradients refused by the guard
    std::uint64_t weights_hash = 0;   // FNV-1a of the final weights' bits
    std::uint64_t state_hash = 0;     // ... of the optimizer's step count and state
    std::string error;                // empty on success
};

// Called with one line of progress at the end of every epoch.
using progress_fn = std::function<void(const std::string& line)>;

run_result train_one(const char* name, const std::string& label, const edgeopt_config& config,
                     const fashion_mnist& data, const run_options& options, const progress_fn& progress);

}  // namespace finetune
