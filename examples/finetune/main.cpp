// SPDX-License-Identifier: Apache-2.0
// edgeopt-finetune: fine-tunes a 784-128-10 MLP on Fashion-MNIST with every
// edgeopt optimizer from the same initial weights, prints a results table and
// draws loss, test-accuracy and bowl-path charts as SVG.
//
//   edgeopt-finetune [--optimizer NAME [--set key=value]...] [--epochs N]
//                    [--train-size N] [--batch N] [--seed N] [--out DIR]
//                    [--clip-norm X] [--save FILE] [--resume FILE] ...  (--help)
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

#include "bowl.hpp"
#include "cli.hpp"
#include "fashion_mnist.hpp"
#include "optimizers.hpp"
#include "svg_chart.hpp"
#include "training.hpp"

namespace {

using namespace finetune;

struct command_line {
    std::string optimizer;  // empty: all twelve
    std::vector<std::string> settings;
    run_options run;
    std::string out_dir = "finetune-out";
    std::string bowl_svg;  // --bowl-svg: only draw the bowl paths (no data, no training)
    std::string data_dir = default_data_dir;
    int threads = 2;
    int test_size = 10000;
};

// Help lines continue under the help column (2 + 20 + 1 spaces in).
#define NEXT_LINE "\n                       "
const edgeopt::cli::program finetune_program = {
    "edgeopt-finetune",
    "[options]",
    "Fine-tunes a 784-128-10 MLP on Fashion-MNIST with every optimizer (or one) from\n"
    "the same initial weights; prints a table and writes SVG charts and results.csv.",
    {{"--optimizer", "NAME", "run one optimizer: sgd momentum nesterov adagrad rmsprop adadelta" NEXT_LINE
                             "adam adamw adamax nadam radam lion (default: all twelve)"},
     {"--set", "KEY=VALUE", "a hyper-parameter of that optimizer, torch's name: lr=0.01," NEXT_LINE
                            "betas=0.9,0.999, weight_decay=0.1, nesterov=true ... (repeatable)"},
     {"--epochs", "N", "passes over the training subset (default 4)"},
     {"--train-size", "N", "first N of the 60000 training images (default 60000)"},
     {"--test-size", "N", "first N of the 10000 test images (default 10000)"},
     {"--batch", "N", "mini-batch size (default 64)"},
     {"--seed", "N", "initial weights and shuffling (default 1)"},
     {"--schedule", "S", "cosine: linear warm-up from lr/10, then cosine to 0 over" NEXT_LINE
                         "all epochs, stepped every batch (default); constant"},
     {"--warmup", "N", "warm-up steps (default 5% of all steps)"},
     {"--clip-norm", "X", "clip the gradients' global 2-norm to X (default off)"},
     {"--save", "FILE", "after every epoch, save weights, optimizer state and schedule" NEXT_LINE
                        "into an A/B checkpoint region and write it to FILE"},
     {"--resume", "FILE", "continue the run saved in FILE (same --epochs, --batch, ...)"},
     {"--stop-after", "N", "stop after epoch N, as if the power went out (tests --resume)"},
     {"--out", "DIR", "where the SVG charts and results.csv go (default finetune-out)"},
     {"--data", "DIR", "the Fashion-MNIST files (default /usr/share/datasets/fashion-mnist)"},
     {"--threads", "N", "optimizers trained side by side (default 2)"},
     {"--state-dtype", "D", "optimizer state as f32 (default), bf16, f16 or q8 (8-bit blocks)"},
     {"--param-dtype", "D", "weights stored as f32 (default), bf16 or f16; the model reads them widened"},
     {"--rounding", "R", "how bf16 weights are rounded: nearest (default) or stochastic"},
     {"--update-last-rows", "N", "partial update: only the output layer's last N rows (of 128)" NEXT_LINE
                                 "and its bias are trained, through edgeopt_step_run"},
     {"--bowl-svg", "FILE", "only draw the optimizers' paths on the bowl into FILE and exit" NEXT_LINE
                            "(no data set, no training): docs/bowl_paths.svg comes from this"}}};
#undef NEXT_LINE

bool parse_int(const char* text, long low, long high, long& out) {
    char* end = nullptr;
    out = std::strtol(text, &end, 10);
    return *text && *end == '\0' && out >= low && out <= high;
}

// One option's value into cl: "" if fine, else what is wrong with it.
std::string apply_option(const std::string& flag, const char* value, command_line& cl) {
    long number = 0;
    auto integer = [&](long low, long high, int& out) -> std::string {
        if (!parse_int(value, low, high, number))
            return flag + " needs an integer in [" + std::to_string(low) + ", " + std::to_string(high) + "], got '" +
                   value + "'";
        out = int(number);
        return "";
    };
    if (flag == "--optimizer") {
        if (!find_optimizer(value)) return std::string("unknown optimizer '") + value + "'";
        cl.optimizer = value;
    } else if (flag == "--set") {
        cl.settings.push_back(value);
    } else if (flag == "--epochs") {
        return integer(1, 10000, cl.run.epochs);
    } else if (flag == "--train-size") {
        return integer(1, 60000, cl.run.train_size);
    } else if (flag == "--test-size") {
        return integer(1, 10000, cl.test_size);
    } else if (flag == "--batch") {
        return integer(1, 60000, cl.run.batch);
    } else if (flag == "--seed") {
        int seed = 0;
        const std::string error = integer(0, 2147483647, seed);
        cl.run.seed = std::uint64_t(seed);
        return error;
    } else if (flag == "--warmup") {
        return integer(0, 100000000, cl.run.warmup_steps);
    } else if (flag == "--stop-after") {
        return integer(1, 10000, cl.run.stop_after);
    } else if (flag == "--schedule") {
        if (std::strcmp(value, "cosine") == 0) {
            cl.run.schedule = schedule_kind::cosine;
        } else if (std::strcmp(value, "constant") == 0) {
            cl.run.schedule = schedule_kind::constant;
        } else {
            return std::string("--schedule is cosine or constant, got '") + value + "'";
        }
    } else if (flag == "--clip-norm") {
        char* end = nullptr;
        cl.run.clip_norm = std::strtod(value, &end);
        if (!*value || *end || !(cl.run.clip_norm > 0) || !std::isfinite(cl.run.clip_norm))
            return std::string("--clip-norm needs a positive number, got '") + value + "'";
    } else if (flag == "--save") {
        cl.run.save_path = value;
    } else if (flag == "--resume") {
        cl.run.resume_path = value;
    } else if (flag == "--threads") {
        return integer(1, 64, cl.threads);
    } else if (flag == "--out") {
        cl.out_dir = value;
    } else if (flag == "--bowl-svg") {
        cl.bowl_svg = value;
    } else if (flag == "--data") {
        cl.data_dir = value;
    } else if (flag == "--state-dtype" || flag == "--param-dtype") {
        edgeopt_dtype dtype;
        const bool state = flag == "--state-dtype";
        if (!edgeopt_dtype_parse(value, &dtype) || (!state && dtype == EDGEOPT_Q8))
            return flag + " is f32, bf16, f16" + (state ? " or q8" : "") + "; got '" + value + "'";
        (state ? cl.run.state_dtype : cl.run.param_dtype) = dtype;
    } else if (flag == "--update-last-rows") {
        return integer(1, 128, cl.run.update_last_rows);  // the hidden units (mlp.hpp)
    } else if (flag == "--rounding") {
        const std::string r = value;
        if (r != "nearest" && r != "stochastic")
            return std::string("--rounding is nearest or stochastic, got '") + value + "'";
        cl.run.rounding = r == "nearest" ? EDGEOPT_ROUND_NEAREST : EDGEOPT_ROUND_STOCHASTIC;
    }
    return "";
}

// -1 to go on, else the exit code.
int parse_command_line(int argc, char** argv, command_line& cl) {
    std::vector<std::string> no_files;
    const int status = edgeopt::cli::parse(
        finetune_program, argc, argv,
        [&](const std::string& flag, const char* value) { return apply_option(flag, value, cl); }, no_files);
    if (status >= 0) return status;
    if (!cl.settings.empty() && cl.optimizer.empty()) {
        return edgeopt::cli::usage_error(finetune_program, "--set needs --optimizer (each optimizer has its own keys)");
    }
    if ((!cl.run.save_path.empty() || !cl.run.resume_path.empty()) && cl.optimizer.empty()) {
        return edgeopt::cli::usage_error(finetune_program,
                                         "--save and --resume need --optimizer (one checkpoint per run)");
    }
    if (!cl.settings.empty() && !cl.run.resume_path.empty())
        std::fprintf(stderr,
                     "edgeopt-finetune: note: --resume restores the checkpoint's hyper-parameters; --set is "
                     "overridden\n");
    return -1;
}

struct job {
    const optimizer_entry* entry;
    std::size_t index;  // in the roster: fixes the colour
    edgeopt_config config;
    run_result result;
};

// Trains the jobs on `threads` threads, each taking the next job in turn.
void train_all(std::vector<job>& jobs, const fashion_mnist& data, const run_options& options, int threads) {
    std::atomic<std::size_t> next{0};
    std::mutex print;
    auto progress = [&](const std::string& line) {
        std::lock_guard<std::mutex> lock(print);
        std::printf("%s\n", line.c_str());
        std::fflush(stdout);
    };
    auto worker = [&] {
        for (std::size_t k; (k = next++) < jobs.size();)
            jobs[k].result =
                train_one(jobs[k].entry->name, jobs[k].entry->label, jobs[k].config, data, options, progress);
    };
    std::vector<std::thread> pool;
    for (int t = 1; t < std::min<int>(threads, int(jobs.size())); ++t) pool.emplace_back(worker);
    worker();
    for (std::thread& t : pool) t.join();
}

void print_table(const std::vector<job>& jobs, std::FILE* csv) {
    std::printf("\n%-10s %10s %9s %11s %8s %12s\n", "optimizer", "lr", "test acc", "train loss", "wall s",
                "state bytes");
    std::fprintf(csv, "optimizer,lr,test_accuracy,train_loss,wall_seconds,state_bytes,weights_fnv1a\n");
    for (const job& j : jobs) {
        const run_result& r = j.result;
        std::printf("%-10s %10g %8.2f%% %11.4f %8.1f %12zu\n", j.entry->label, config_lr(j.config),
                    100 * r.test_accuracy, r.final_train_loss, r.seconds, r.state_bytes);
        std::fprintf(csv, "%s,%g,%.4f,%.6f,%.2f,%zu,%016llx\n", j.entry->name, config_lr(j.config), r.test_accuracy,
                     r.final_train_loss, r.seconds, r.state_bytes, (unsigned long long)r.weights_hash);
    }
    for (const job& j : jobs)
        if (j.result.skipped_steps)
            std::printf("%s: %llu steps skipped (NaN/Inf gradients)\n", j.entry->label,
                        (unsigned long long)j.result.skipped_steps);
    if (jobs.size() == 1) {
        const run_result& r = jobs[0].result;
        std::printf("after epoch %d: final weights fnv1a %016llx, optimizer state fnv1a %016llx\n", r.epochs_done,
                    (unsigned long long)r.weights_hash, (unsigned long long)r.state_hash);
    }
}

bool write_charts(const std::vector<job>& jobs, const command_line& cl, int train_size, int test_size,
                  std::string& error) {
    std::vector<series> loss, accuracy;
    std::vector<bowl_run> bowl;
    for (const job& j : jobs) {
        loss.push_back({j.entry->label, series_colour(j.index), j.result.loss_curve});
        accuracy.push_back({j.entry->label, series_colour(j.index), j.result.accuracy_curve});
        bowl.push_back({j.entry->label, series_colour(j.index), bowl_config(*j.entry, j.config), {}});
    }
    char subtitle[200];
    std::snprintf(subtitle, sizeof subtitle,
                  "784-128-10 MLP on Fashion-MNIST, %d training images, batch %d, %s lr schedule%s, seed %llu",
                  train_size, cl.run.batch, cl.run.schedule == schedule_kind::cosine ? "warm-up + cosine" : "constant",
                  cl.run.clip_norm > 0 ? ", clipped" : "", (unsigned long long)cl.run.seed);
    chart_style loss_style{
        "Training loss", subtitle, "epoch", "cross-entropy, mean over 1/10 epoch (log scale)", true, 1, "%.3g"};
    const std::string accuracy_title = "Test accuracy (" + std::to_string(test_size) + " images)";
    chart_style accuracy_style{accuracy_title, subtitle, "epoch", "accuracy (%)", false, 100, "%.1f"};
    const std::string dir = cl.out_dir + "/";
    if (!write_line_chart(dir + "loss.svg", loss, loss_style) ||
        !write_line_chart(dir + "accuracy.svg", accuracy, accuracy_style)) {
        error = "cannot write charts into " + cl.out_dir;
        return false;
    }
    if (!bowl_paths(bowl, error)) return false;
    if (!write_bowl_svg(dir + "bowl_paths.svg", bowl)) {
        error = "cannot write " + dir + "bowl_paths.svg";
        return false;
    }
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    command_line cl;
    if (const int code = parse_command_line(argc, argv, cl); code >= 0) return code;

    std::vector<job> jobs;
    const auto& roster = optimizer_roster();
    for (std::size_t k = 0; k < roster.size(); ++k) {
        if (!cl.optimizer.empty() && cl.optimizer != roster[k].name) continue;
        job j{&roster[k], k, {}, {}};
        std::string error;
        if (!make_config(roster[k], cl.settings, j.config, error)) {
            std::fprintf(stderr, "edgeopt-finetune: %s\n", error.c_str());
            return 2;
        }
        jobs.push_back(j);
    }

    if (!cl.bowl_svg.empty()) {
        std::vector<bowl_run> bowl;
        for (const job& j : jobs) bowl.push_back({j.entry->label, series_colour(j.index), bowl_config(*j.entry, j.config), {}});
        std::string error;
        if (bowl_paths(bowl, error) && !write_bowl_svg(cl.bowl_svg, bowl)) error = "cannot write " + cl.bowl_svg;
        if (!error.empty()) {
            std::fprintf(stderr, "edgeopt-finetune: %s\n", error.c_str());
            return 1;
        }
        std::printf("bowl paths: %s\n", cl.bowl_svg.c_str());
        return 0;
    }

    const std::string missing = first_missing_file(cl.data_dir);
    if (!missing.empty()) {
        std::fprintf(stderr,
                     "edgeopt-finetune: Fashion-MNIST not found: %s is missing.\n"
                     "Install Debian's %s package (it puts the files in %s):\n"
                     "  %sapt-get install %s\n",
                     missing.c_str(), data_package, default_data_dir, geteuid() == 0 ? "" : "sudo ", data_package);
        return 3;
    }
    fashion_mnist data;
    std::string error;
    if (!load_fashion_mnist(cl.data_dir, data, error)) {
        std::fprintf(stderr, "edgeopt-finetune: %s\n", error.c_str());
        return 3;
    }
    const int train_size = std::min(cl.run.train_size, data.train.count);
    if (cl.test_size < data.test.count) {
        data.test.count = cl.test_size;
        data.test.labels.resize(cl.test_size);
        data.test.pixels.resize(std::size_t(cl.test_size) * image_pixels);
    }
    std::error_code made;
    std::filesystem::create_directories(cl.out_dir, made);
    if (made) {
        std::fprintf(stderr, "edgeopt-finetune: cannot create %s: %s\n", cl.out_dir.c_str(), made.message().c_str());
        return 1;
    }

    std::printf(
        "Fine-tuning a 784-128-10 MLP on Fashion-MNIST: %d of %d training images, %d epoch%s, batch %d, "
        "%s lr, seed %llu;\n%zu optimizer%s on %d thread%s; test set %d images.\n\n",
        train_size, data.train.count, cl.run.epochs, cl.run.epochs == 1 ? "" : "s", cl.run.batch,
        cl.run.schedule == schedule_kind::cosine ? "warm-up + cosine" : "constant", (unsigned long long)cl.run.seed,
        jobs.size(), jobs.size() == 1 ? "" : "s", std::min<int>(cl.threads, int(jobs.size())),
        std::min<int>(cl.threads, int(jobs.size())) == 1 ? "" : "s", data.test.count);
    const auto start = std::chrono::steady_clock::now();
    train_all(jobs, data, cl.run, cl.threads);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

    // A failed run (diverged, a refused checkpoint) is reported and left out of the table and charts.
    const std::size_t planned = jobs.size();
    for (const job& j : jobs)
        if (!j.result.error.empty()) std::fprintf(stderr, "edgeopt-finetune: %s\n", j.result.error.c_str());
    jobs.erase(std::remove_if(jobs.begin(), jobs.end(), [](const job& j) { return !j.result.error.empty(); }),
               jobs.end());
    const bool failed = jobs.size() != planned;
    if (jobs.empty()) return 1;
    std::FILE* csv = std::fopen((cl.out_dir + "/results.csv").c_str(), "w");
    if (!csv) {
        std::fprintf(stderr, "edgeopt-finetune: cannot write %s/results.csv\n", cl.out_dir.c_str());
        return 1;
    }
    print_table(jobs, csv);
    std::fclose(csv);
    std::printf("\ntotal %.1f s\n", seconds);
    if (!write_charts(jobs, cl, train_size, data.test.count, error)) {
        std::fprintf(stderr, "edgeopt-finetune: %s\n", error.c_str());
        return 1;
    }
    std::printf("charts: %s/loss.svg %s/accuracy.svg %s/bowl_paths.svg; table: %s/results.csv\n", cl.out_dir.c_str(),
                cl.out_dir.c_str(), cl.out_dir.c_str(), cl.out_dir.c_str());
    return failed ? 1 : 0;
}
