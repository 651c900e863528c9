// SPDX-License-Identifier: Apache-2.0
#include "training.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <numeric>
#include <random>

#include "checkpoint_file.hpp"
#include "edgeopt/checkpoint.h"
#include "edgeopt/train.h"
#include "mlp.hpp"
#include "optimizers.hpp"

namespace finetune {

namespace {

// Saved with every checkpoint as its blob: where the run is and what it
// must match to resume.  It is this build's in-memory layout (the schedule
// is the library's plain struct), so a checkpoint resumes with the same build.
struct progress_blob {
    char tag[8];  // "EOFT-1"
    char optimizer[16];
    std::uint64_t seed;
    std::int32_t train_size, batch, epochs, epochs_done, warmup_steps;
    std::int32_t schedule;
    double clip_norm;
    edgeopt_guard guard;
    edgeopt_schedule_chain chain;
};
constexpr char blob_tag[8] = "EOFT-1";

// The order of the training subset in one epoch: a Fisher–Yates shuffle from
// a generator seeded by (seed, epoch) alone, so a resumed run sees the same order.
void epoch_order(std::vector<int>& order, std::uint64_t seed, int epoch) {
    std::iota(order.begin(), order.end(), 0);
    std::mt19937_64 random(seed * 0x9E3779B97F4A7C15ull + std::uint64_t(epoch) + 1);
    for (std::size_t i = order.size() - 1; i > 0; --i) std::swap(order[i], order[random() % (i + 1)]);
}

std::uint64_t fnv1a(std::uint64_t hash, const void* data, std::size_t bytes) {
    const auto* p = static_cast<const unsigned char*>(data);
    for (std::size_t i = 0; i < bytes; ++i) hash = (hash ^ p[i]) * 0x100000001B3ull;
    return hash;
}
constexpr std::uint64_t fnv_offset = 0xCBF29CE484222325ull;

// torch: SequentialLR([LinearLR(start_factor=0.1, total_iters=w), CosineAnnealingLR(T_max=T−w)], milestones=[w]),
// stepped after every batch; or ConstantLR(factor=1), which leaves lr alone.
edgeopt_status make_schedule(const run_options& options, int total_steps, double base_lr, int& warmup,
                             edgeopt_schedule_chain& chain) {
    if (options.schedule == schedule_kind::constant) {
        edgeopt_schedule_config constant = edgeopt_schedule_defaults(EDGEOPT_SCHEDULE_CONSTANT);
        constant.constant.factor = 1.0;
        constant.constant.total_iters = 1;
        warmup = 0;
        return edgeopt_schedule_chain_init(&chain, &constant, 1, nullptr, base_lr);
    }
    warmup = options.warmup_steps >= 0 ? options.warmup_steps : total_steps / 20;
    warmup = std::min(warmup, total_steps - 1);
    edgeopt_schedule_config phases[2] = {edgeopt_schedule_defaults(EDGEOPT_SCHEDULE_LINEAR),
                                         edgeopt_schedule_defaults(EDGEOPT_SCHEDULE_COSINE)};
    phases[0].linear.start_factor = 0.1;
    phases[0].linear.end_factor = 1.0;
    phases[0].linear.total_iters = std::uint32_t(std::max(warmup, 1));
    phases[1].cosine.t_max = std::uint32_t(std::max(total_steps - warmup, 1));
    const std::uint32_t milestone = std::uint32_t(warmup);
    return warmup > 0 ? edgeopt_schedule_chain_init(&chain, phases, 2, &milestone, base_lr)
                      : edgeopt_schedule_chain_init(&chain, phases + 1, 1, nullptr, base_lr);
}

// What a resumed run must share with the one that saved; "" if all matches.
std::string resume_mismatch(const progress_blob& saved, const progress_blob& now) {
    auto differs = [](const char* what, long long a, long long b) {
        return "the checkpoint was made with " + std::string(what) + " " + std::to_string(a) + ", this run has " +
               std::to_string(b);
    };
    if (std::memcmp(saved.tag, blob_tag, sizeof blob_tag) != 0)
        return "the checkpoint was not written by edgeopt-finetune";
    if (std::strncmp(saved.optimizer, now.optimizer, sizeof now.optimizer) != 0)
        return "the checkpoint is of optimizer '" + std::string(saved.optimizer, strnlen(saved.optimizer, 16)) + "'";
    if (saved.seed != now.seed) return differs("--seed", (long long)saved.seed, (long long)now.seed);
    if (saved.train_size != now.train_size) return differs("--train-size", saved.train_size, now.train_size);
    if (saved.batch != now.batch) return differs("--batch", saved.batch, now.batch);
    if (saved.epochs != now.epochs) return differs("--epochs (the schedule's length)", saved.epochs, now.epochs);
    if (saved.schedule != now.schedule || saved.warmup_steps != now.warmup_steps)
        return "the checkpoint was made with another --schedule or --warmup";
    return "";
}

// The weights as the optimizer stores them when they are not float32: the
// model computes with their float32 widening, kept in step after each update.
class narrow_weights {
public:
    narrow_weights(edgeopt_dtype dtype, edgeopt_tensor (&model)[mlp::tensor_count]) : dtype_(dtype), model_(model) {
        for (std::size_t k = 0; k < mlp::tensor_count; ++k) {
            values_[k].resize(model[k].length);
            typed_[k] = model[k];
            if (dtype == EDGEOPT_F32) continue;
            typed_[k] = edgeopt_tensor_of(values_[k].data(), dtype, model[k].grad, EDGEOPT_F32, model[k].length);
        }
        narrow();
        widen();  // the model starts from representable weights
    }
    // After a checkpoint restored the model's float32 weights.
    void narrow() {
        for (std::size_t k = 0; dtype_ != EDGEOPT_F32 && k < mlp::tensor_count; ++k)
            edgeopt_convert(model_[k].param, EDGEOPT_F32, values_[k].data(), dtype_, model_[k].length);
    }
    // After a step.
    void widen() {
        for (std::size_t k = 0; dtype_ != EDGEOPT_F32 && k < mlp::tensor_count; ++k)
            edgeopt_convert(values_[k].data(), dtype_, model_[k].param, EDGEOPT_F32, model_[k].length);
    }
    const edgeopt_tensor* tensors() const { return typed_; }

private:
    edgeopt_dtype dtype_;
    edgeopt_tensor (&model_)[mlp::tensor_count];
    std::vector<std::uint16_t> values_[mlp::tensor_count];
    edgeopt_tensor typed_[mlp::tensor_count];
};

}  // namespace

// One step over the flattened range of the output layer's last `rows` rows
// and its bias (w2 is hidden-unit-major, b2 follows it): begin, one run, end.
static edgeopt_status partial_step(edgeopt_optimizer& opt, const edgeopt_tensor* tensors, int rows) {
    const std::size_t* lengths = mlp::tensor_lengths();
    const std::size_t w2_start = lengths[0] + lengths[1];
    const std::size_t first = w2_start + std::size_t(hidden_units - rows) * class_count;
    edgeopt_step_plan plan;
    edgeopt_status status = edgeopt_step_begin(&opt, tensors, mlp::tensor_count, &plan);
    if (status == EDGEOPT_OK) status = edgeopt_step_run(&opt, &plan, first, plan.total);
    if (status == EDGEOPT_OK) status = edgeopt_step_end(&opt, &plan);
    return status;
}

run_result train_one(const char* name, const std::string& label, const edgeopt_config& base_config,
                     const fashion_mnist& data, const run_options& options, const progress_fn& progress) {
    edgeopt_config config = base_config;
    for (edgeopt_dtype& d : config.state_dtype) d = options.state_dtype;
    config.param_rounding = options.rounding;
    config.seed = options.seed;
    using clock = std::chrono::steady_clock;
    const auto start = clock::now();
    run_result result;
    result.label = label;
    auto fail = [&](const std::string& what) {
        result.error = label + ": " + what;
        return result;
    };

    mlp model(options.seed);
    const std::size_t* lengths = mlp::tensor_lengths();
    result.state_bytes = edgeopt_state_bytes(&config, lengths, mlp::tensor_count);
    std::vector<unsigned char> arena(result.state_bytes);
    edgeopt_optimizer opt;
    edgeopt_status status = edgeopt_init(&opt, &config, lengths, mlp::tensor_count, arena.data(), arena.size());
    if (status != EDGEOPT_OK) return fail(edgeopt_status_message(status));
    edgeopt_tensor tensors[mlp::tensor_count];
    model.tensors(tensors);
    narrow_weights stored(options.param_dtype, tensors);
    const edgeopt_grad grads[mlp::tensor_count] = {{model.w1_grad.data(), model.w1_grad.size()},
                                                   {model.b1_grad.data(), model.b1_grad.size()},
                                                   {model.w2_grad.data(), model.w2_grad.size()},
                                                   {model.b2_grad.data(), model.b2_grad.size()}};

    const int train_size = std::min(options.train_size, data.train.count);
    const int steps_per_epoch = (train_size + options.batch - 1) / options.batch;
    progress_blob run;
    std::memset(&run, 0, sizeof run);  // padding too: the same run saves the same bytes
    std::memcpy(run.tag, blob_tag, sizeof blob_tag);
    std::snprintf(run.optimizer, sizeof run.optimizer, "%s", name);
    run.seed = options.seed;
    run.train_size = train_size;
    run.batch = options.batch;
    run.epochs = options.epochs;
    run.schedule = int(options.schedule);
    run.clip_norm = options.clip_norm;
    status = make_schedule(options, options.epochs * steps_per_epoch, config_lr(config), run.warmup_steps, run.chain);
    if (status == EDGEOPT_OK) status = edgeopt_schedule_chain_apply(&run.chain, &opt);
    if (status != EDGEOPT_OK) return fail(std::string("schedule: ") + edgeopt_status_message(status));

    checkpoint_region region;
    std::string error;
    if (!options.resume_path.empty()) {
        progress_blob saved{};
        if (!region.read_file(options.resume_path, error)) return fail(error);
        status =
            edgeopt_checkpoint_load(&opt, tensors, mlp::tensor_count, &saved, sizeof saved, nullptr, region.storage());
        if (status != EDGEOPT_OK) return fail(options.resume_path + ": " + edgeopt_status_message(status));
        const std::string mismatch = resume_mismatch(saved, run);
        if (!mismatch.empty()) return fail(options.resume_path + ": " + mismatch);
        run = saved;  // the schedule, the guard's counters and the epoch
        result.first_epoch = run.epochs_done;
        stored.narrow();
    }
    if (!options.save_path.empty() && options.save_path != options.resume_path)
        region.create(edgeopt_checkpoint_region_bytes(edgeopt_checkpoint_bytes_with_params(&opt, sizeof run)));

    workspace work(options.batch);
    std::vector<int> order(train_size);
    const int last_epoch = options.stop_after > 0 ? std::min(options.stop_after, options.epochs) : options.epochs;
    for (int epoch = run.epochs_done; epoch < last_epoch; ++epoch) {
        epoch_order(order, options.seed, epoch);
        double epoch_loss = 0, window_loss = 0;
        int window_images = 0;
        for (int step = 0; step < steps_per_epoch; ++step) {
            const int first = step * options.batch, count = std::min(options.batch, train_size - first);
            const double loss = forward_backward(model, data.train, order.data() + first, count, work);
            if (options.clip_norm > 0)
                edgeopt_clip_grad_norm(grads, mlp::tensor_count, options.clip_norm, 2.0, false, nullptr);
            if (options.update_last_rows > 0)
                status = partial_step(opt, stored.tensors(), options.update_last_rows);
            else
                status = edgeopt_step_guarded(&opt, &run.guard, stored.tensors(), mlp::tensor_count);
            if (status != EDGEOPT_OK && status != EDGEOPT_ERR_NONFINITE_GRADIENT)
                return fail(edgeopt_status_message(status));
            stored.widen();
            if (run.guard.consecutive_skipped >= 20)
                return fail("20 steps in a row with NaN/Inf gradients: diverged (lr too large?)");
            status = edgeopt_schedule_chain_step(&run.chain, nullptr);
            if (status == EDGEOPT_OK) status = edgeopt_schedule_chain_apply(&run.chain, &opt);
            if (status != EDGEOPT_OK) return fail(std::string("schedule: ") + edgeopt_status_message(status));
            epoch_loss += loss;
            window_loss += loss;
            window_images += count;
            if ((step + 1) * 10 / steps_per_epoch != step * 10 / steps_per_epoch) {  // 10 equal windows an epoch
                result.loss_curve.push_back({epoch + double(step + 1) / steps_per_epoch, window_loss / window_images});
                window_loss = 0;
                window_images = 0;
            }
            if (step + 1 == steps_per_epoch / 2 || step + 1 == steps_per_epoch) {
                result.test_accuracy = accuracy(model, data.test, work);
                result.accuracy_curve.push_back({epoch + double(step + 1) / steps_per_epoch, result.test_accuracy});
            }
        }
        result.final_train_loss = epoch_loss / train_size;
        if (!std::isfinite(result.final_train_loss))
            return fail("the training loss is NaN/Inf: diverged (lr too large?)");
        run.epochs_done = epoch + 1;
        if (!options.save_path.empty()) {
            status = edgeopt_checkpoint_save(&opt, tensors, mlp::tensor_count, &run, sizeof run, region.storage());
            if (status != EDGEOPT_OK) return fail(std::string("checkpoint: ") + edgeopt_status_message(status));
            if (!region.write_file(options.save_path, error)) return fail(error);
        }
        char line[200];
        std::snprintf(line, sizeof line, "%-9s epoch %2d/%d  train loss %.4f  test acc %6.2f%%  lr %.3g%s  %6.1f s",
                      label.c_str(), epoch + 1, options.epochs, result.final_train_loss, 100 * result.test_accuracy,
                      edgeopt_schedule_chain_lr(&run.chain), options.save_path.empty() ? "" : "  saved",
                      std::chrono::duration<double>(clock::now() - start).count());
        progress(line);
    }
    if (run.epochs_done > 0 && result.accuracy_curve.empty())  // resumed after the last epoch
        result.test_accuracy = accuracy(model, data.test, work);
    result.epochs_done = run.epochs_done;
    result.skipped_steps = run.guard.steps_skipped;

    result.weights_hash = fnv_offset;
    for (const edgeopt_tensor& t : tensors) result.weights_hash = fnv1a(result.weights_hash, t.param, 4 * t.length);
    const std::uint64_t steps = edgeopt_step_count(&opt);
    result.state_hash = fnv1a(fnv_offset, &steps, sizeof steps);
    for (std::size_t t = 0; t < mlp::tensor_count; ++t) {
        std::vector<float> values(lengths[t]);
        for (unsigned slot = 0; slot < 3; ++slot)
            if (edgeopt_state_read(&opt, t, slot, values.data()) == EDGEOPT_OK)
                result.state_hash = fnv1a(result.state_hash, values.data(), 4 * lengths[t]);
    }
    result.seconds = std::chrono::duration<double>(clock::now() - start).count();
    return result;
}

}  // namespace finetune
