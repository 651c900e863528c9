// SPDX-License-Identifier: Apache-2.0
// The non-finite guard and gradient accumulation.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "edgeopt/train.h"
#include "support.hpp"

namespace {

bool same(const std::vector<float>& a, const std::vector<float>& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (!test::same_bits(a[i], b[i])) return false;
    return true;
}

std::vector<unsigned char> arena_copy(const edgeopt_optimizer& opt) {
    return std::vector<unsigned char>(opt.arena, opt.arena + opt.arena_bytes);
}

}  // namespace

TEST_CASE("edgeopt_all_finite checks every gradient element and nothing else") {
    std::vector<float> p(70, 1.0f), g1 = test::random_values(70, 1), g2 = test::random_values(5, 2);
    g1[3] = -0.0f;
    g1[4] = 1e-45f;                               // subnormal
    g1[5] = std::numeric_limits<float>::max();
    edgeopt_tensor t[] = {{p.data(), g1.data(), 70}, {p.data(), g2.data(), 5}, {nullptr, nullptr, 0}};
    CHECK(edgeopt_all_finite(t, 3));
    p[0] = NAN;  // params are not inspected
    CHECK(edgeopt_all_finite(t, 3));
    for (float bad : {NAN, INFINITY, -INFINITY, -NAN}) {
        for (std::size_t where : {0ul, 33ul, 69ul}) {
            const float keep = g1[where];
            g1[where] = bad;
            CHECK_FALSE(edgeopt_all_finite(t, 3));
            g1[where] = keep;
        }
        g2[4] = bad;
        CHECK_FALSE(edgeopt_all_finite(t, 3));
        CHECK(edgeopt_all_finite(t, 1));
        g2[4] = 0.0f;
    }
    CHECK(edgeopt_all_finite(nullptr, 0));
    CHECK_FALSE(edgeopt_all_finite(nullptr, 1));
    edgeopt_tensor null_grad{p.data(), nullptr, 3};
    CHECK_FALSE(edgeopt_all_finite(&null_grad, 1));
}

TEST_CASE("a guarded step refuses NaN/Inf before touching anything and counts it") {
    for (edgeopt_algorithm algorithm : {EDGEOPT_ADAM, EDGEOPT_SGD, EDGEOPT_NADAM, EDGEOPT_ADAGRAD}) {
        CAPTURE(algorithm);
        edgeopt_config config = edgeopt_defaults(algorithm);
        if (algorithm == EDGEOPT_SGD) {
            config.sgd.lr = 0.1;
            config.sgd.momentum = 0.9;
        }
        const size_t lengths[] = {40, 9};
        std::vector<unsigned char> arena(edgeopt_state_bytes(&config, lengths, 2));
        edgeopt_optimizer opt;
        REQUIRE(edgeopt_init(&opt, &config, lengths, 2, arena.data(), arena.size()) == EDGEOPT_OK);
        std::vector<float> p0 = test::random_values(40, 1), p1 = test::random_values(9, 2);
        std::vector<float> g0 = test::random_values(40, 3), g1 = test::random_values(9, 4);
        edgeopt_tensor t[] = {{p0.data(), g0.data(), 40}, {p1.data(), g1.data(), 9}};
        edgeopt_guard guard = {0, 0, 0};
        REQUIRE(edgeopt_step_guarded(&opt, &guard, t, 2) == EDGEOPT_OK);  // some state to protect
        CHECK(guard.steps_taken == 1);

        for (int bad = 0; bad < 3; ++bad) {
            g1[bad * 4] = bad == 0 ? NAN : bad == 1 ? INFINITY : -INFINITY;
            const auto p0_before = p0, p1_before = p1;
            const auto state_before = arena_copy(opt);
            edgeopt_optimizer opt_before;
            std::memcpy(&opt_before, &opt, sizeof opt);
            CHECK(edgeopt_step_guarded(&opt, &guard, t, 2) == EDGEOPT_ERR_NONFINITE_GRADIENT);
            CHECK(same(p0, p0_before));
            CHECK(same(p1, p1_before));
            CHECK(arena_copy(opt) == state_before);
            CHECK(std::memcmp(&opt, &opt_before, sizeof opt) == 0);
            CHECK(edgeopt_step_count(&opt) == 1);
            CHECK(guard.steps_skipped == static_cast<uint64_t>(bad + 1));
            CHECK(guard.consecutive_skipped == static_cast<uint32_t>(bad + 1));
            g1[bad * 4] = 0.5f;
        }
        // A clean step goes through and resets the run of skips.
        const auto p0_before = p0;
        CHECK(edgeopt_step_guarded(&opt, &guard, t, 2) == EDGEOPT_OK);
        CHECK(edgeopt_step_count(&opt) == 2);
        CHECK(guard.steps_taken == 2);
        CHECK(guard.steps_skipped == 3);
        CHECK(guard.consecutive_skipped == 0);
        CHECK_FALSE(same(p0, p0_before));
    }
}

TEST_CASE("a guarded step reports structural errors first and does not count them") {
    edgeopt_config config = edgeopt_defaults(EDGEOPT_ADAM);
    const size_t lengths[] = {8};
    alignas(64) unsigned char arena[1024];
    edgeopt_optimizer opt;
    REQUIRE(edgeopt_init(&opt, &config, lengths, 1, arena, sizeof arena) == EDGEOPT_OK);
    std::vector<float> p(8, 1.0f), g(8, NAN);
    edgeopt_tensor t{p.data(), g.data(), 8};
    edgeopt_guard guard = {0, 0, 0};
    CHECK(edgeopt_step_guarded(&opt, &guard, &t, 2) == EDGEOPT_ERR_TENSOR_COUNT_MISMATCH);
    t.length = 7;
    CHECK(edgeopt_step_guarded(&opt, &guard, &t, 1) == EDGEOPT_ERR_LENGTH_MISMATCH);
    t.length = 8;
    t.grad = p.data();
    CHECK(edgeopt_step_guarded(&opt, &guard, &t, 1) == EDGEOPT_ERR_OVERLAP);
    t.grad = nullptr;
    CHECK(edgeopt_step_guarded(&opt, &guard, &t, 1) == EDGEOPT_ERR_NULL_POINTER);
    CHECK(edgeopt_step_guarded(&opt, nullptr, &t, 1) == EDGEOPT_ERR_NULL_POINTER);
    CHECK(edgeopt_step_guarded(nullptr, &guard, &t, 1) == EDGEOPT_ERR_NULL_POINTER);
    edgeopt_optimizer blank{};
    t.grad = g.data();
    CHECK(edgeopt_step_guarded(&blank, &guard, &t, 1) == EDGEOPT_ERR_NOT_INITIALIZED);
    CHECK(guard.steps_skipped == 0);
    CHECK(guard.steps_taken == 0);
    CHECK(edgeopt_step_guarded(&opt, &guard, &t, 1) == EDGEOPT_ERR_NONFINITE_GRADIENT);
    CHECK(guard.steps_skipped == 1);
}

// Linear least squares, loss = mean over samples of ½(w·x − y)²; the
// gradient of a batch is mean((w·x − y)·x).  With samples whose every
// product and sum is exact in float32 (small integers scaled by powers of
// two), k micro-batch gradients summed and divided by k equal the big
// batch's gradient bit for bit, and so do the steps taken with them.
namespace {

constexpr std::size_t dim = 6, micro = 4, k = 4;

std::vector<float> batch_gradient(const std::vector<float>& w, const std::vector<std::vector<float>>& xs,
                                  const std::vector<float>& ys, std::size_t first, std::size_t count) {
    std::vector<float> g(dim, 0.0f);
    for (std::size_t s = first; s < first + count; ++s) {
        float pred = 0.0f;
        for (std::size_t d = 0; d < dim; ++d) pred += w[d] * xs[s][d];
        const float residual = pred - ys[s];
        for (std::size_t d = 0; d < dim; ++d) g[d] += residual * xs[s][d];
    }
    for (float& x : g) x /= static_cast<float>(count);
    return g;
}

}  // namespace

namespace {

struct regression_data {
    std::vector<std::vector<float>> xs;
    std::vector<float> ys;
    regression_data() {
        for (std::size_t s = 0; s < micro * k; ++s) {
            std::vector<float> x(dim);
            for (std::size_t d = 0; d < dim; ++d)
                x[d] = static_cast<float>(static_cast<int>((s * 7 + d * 3) % 9) - 4) * 0.25f;
            xs.push_back(x);
            ys.push_back(static_cast<float>(static_cast<int>(s % 5) - 2) * 0.5f);
        }
    }
};

// Steps `steps` times with the big batch and with k accumulated micro-batches;
// returns the largest relative difference between the two parameter vectors.
double big_batch_vs_accumulated(const edgeopt_config& config, int steps) {
    const regression_data data;
    const size_t lengths[] = {dim};
    std::vector<unsigned char> arena_big(edgeopt_state_bytes(&config, lengths, 1)), arena_acc(arena_big.size());
    edgeopt_optimizer big, acc_opt;
    REQUIRE(edgeopt_init(&big, &config, lengths, 1, arena_big.data(), arena_big.size()) == EDGEOPT_OK);
    REQUIRE(edgeopt_init(&acc_opt, &config, lengths, 1, arena_acc.data(), arena_acc.size()) == EDGEOPT_OK);
    std::vector<float> w_big(dim, 0.125f), w_acc = w_big, sum(dim, 123.0f);
    const edgeopt_grad sums[] = {{sum.data(), dim}};
    edgeopt_accumulator acc;
    REQUIRE(edgeopt_accumulator_init(&acc, sums, 1) == EDGEOPT_OK);
    CHECK(sum == std::vector<float>(dim, 0.0f));
    double worst = 0;
    for (int step = 0; step < steps; ++step) {
        const std::vector<float> g_big = batch_gradient(w_big, data.xs, data.ys, 0, micro * k);
        edgeopt_tensor t_big{w_big.data(), g_big.data(), dim};
        REQUIRE(edgeopt_step(&big, &t_big, 1) == EDGEOPT_OK);
        for (std::size_t m = 0; m < k; ++m) {
            const std::vector<float> g = batch_gradient(w_acc, data.xs, data.ys, m * micro, micro);
            edgeopt_tensor t{w_acc.data(), g.data(), dim};
            REQUIRE(edgeopt_accumulator_add(&acc, &t, 1) == EDGEOPT_OK);
        }
        CHECK(edgeopt_accumulator_count(&acc) == k);
        REQUIRE(edgeopt_accumulator_mean(&acc) == EDGEOPT_OK);
        edgeopt_tensor t_acc{w_acc.data(), sum.data(), dim};
        REQUIRE(edgeopt_step(&acc_opt, &t_acc, 1) == EDGEOPT_OK);
        REQUIRE(edgeopt_accumulator_reset(&acc) == EDGEOPT_OK);
        for (std::size_t d = 0; d < dim; ++d)
            worst = std::max(worst, std::fabs(static_cast<double>(w_acc[d]) / w_big[d] - 1.0));
    }
    return worst;
}

}  // namespace

TEST_CASE("k accumulated micro-batches step like one big batch") {
    // SGD with a power-of-two lr keeps every value a short dyadic fraction:
    // all float32 arithmetic is exact, so the equivalence shows bit for bit.
    edgeopt_config sgd = edgeopt_defaults(EDGEOPT_SGD);
    sgd.sgd.lr = 0.5;
    CHECK(big_batch_vs_accumulated(sgd, 4) == 0.0);
    // Adam's square roots make values inexact: the two orders of summation
    // then differ by float32 rounding only.
    const double adam = big_batch_vs_accumulated(edgeopt_defaults(EDGEOPT_ADAM), 20);
    CAPTURE(adam);
    CHECK(adam < 1e-5);
}

TEST_CASE("sum-then-divide agrees with torch's (loss / k).backward() recipe for power-of-two k, closely otherwise") {
    for (std::size_t k_micro : {2u, 4u, 8u, 3u, 5u}) {
        std::vector<std::vector<float>> grads;
        for (std::size_t m = 0; m < k_micro; ++m) grads.push_back(test::random_values(200, 50 + m));
        std::vector<float> sum(200), scaled_sum(200, 0.0f);
        const edgeopt_grad sums[] = {{sum.data(), 200}};
        edgeopt_accumulator acc;
        REQUIRE(edgeopt_accumulator_init(&acc, sums, 1) == EDGEOPT_OK);
        for (auto& g : grads) {
            edgeopt_tensor t{nullptr, g.data(), 200};
            REQUIRE(edgeopt_accumulator_add(&acc, &t, 1) == EDGEOPT_OK);
            // (loss / k).backward() scales each micro-batch gradient by 1/k before summing.
            for (std::size_t j = 0; j < 200; ++j) scaled_sum[j] += g[j] * (1.0f / static_cast<float>(k_micro));
        }
        REQUIRE(edgeopt_accumulator_mean(&acc) == EDGEOPT_OK);
        double worst = 0;
        for (std::size_t j = 0; j < 200; ++j) {
            const double exact_mean = [&] {
                double s = 0;
                for (auto& g : grads) s += g[j];
                return s / static_cast<double>(k_micro);
            }();
            worst = std::max(worst, std::fabs(sum[j] - exact_mean) / std::max(1e-30, std::fabs(exact_mean)));
            // Subnormal inputs make the ·(1/k) recipe round early, so compare normal values only.
            if ((k_micro & (k_micro - 1)) == 0 && std::fabs(sum[j]) > 1e-30f) CHECK(test::same_bits(sum[j], scaled_sum[j]));
        }
        CAPTURE(k_micro);
        CHECK(worst < 1e-4);  // float32 cancellation in a few sums of mixed-sign values
    }
}

TEST_CASE("accumulator rules") {
    std::vector<float> a(5), b(3);
    const edgeopt_grad sums[] = {{a.data(), 5}, {b.data(), 3}};
    edgeopt_accumulator acc{};
    std::vector<float> ga(5, 1.0f), gb(3, 2.0f);
    edgeopt_tensor micro[] = {{nullptr, ga.data(), 5}, {nullptr, gb.data(), 3}};
    CHECK(edgeopt_accumulator_add(&acc, micro, 2) == EDGEOPT_ERR_NOT_INITIALIZED);
    CHECK(edgeopt_accumulator_mean(&acc) == EDGEOPT_ERR_NOT_INITIALIZED);
    CHECK(edgeopt_accumulator_init(&acc, sums, 0) == EDGEOPT_ERR_NO_TENSORS);
    CHECK(edgeopt_accumulator_init(nullptr, sums, 2) == EDGEOPT_ERR_NULL_POINTER);
    REQUIRE(edgeopt_accumulator_init(&acc, sums, 2) == EDGEOPT_OK);
    CHECK(edgeopt_accumulator_mean(&acc) == EDGEOPT_ERR_NO_TENSORS);  // nothing added
    CHECK(edgeopt_accumulator_add(&acc, micro, 1) == EDGEOPT_ERR_TENSOR_COUNT_MISMATCH);
    micro[1].length = 4;
    CHECK(edgeopt_accumulator_add(&acc, micro, 2) == EDGEOPT_ERR_LENGTH_MISMATCH);
    micro[1] = {nullptr, nullptr, 3};
    CHECK(edgeopt_accumulator_add(&acc, micro, 2) == EDGEOPT_ERR_NULL_POINTER);
    CHECK(a == std::vector<float>(5, 0.0f));  // failed adds wrote nothing
    CHECK(edgeopt_accumulator_count(&acc) == 0);
    micro[1].grad = gb.data();
    for (int i = 0; i < 3; ++i) REQUIRE(edgeopt_accumulator_add(&acc, micro, 2) == EDGEOPT_OK);
    CHECK(a == std::vector<float>(5, 3.0f));
    REQUIRE(edgeopt_accumulator_mean(&acc) == EDGEOPT_OK);
    CHECK(a == std::vector<float>(5, 1.0f));
    CHECK(b == std::vector<float>(3, 2.0f));
    CHECK(edgeopt_accumulator_mean(&acc) == EDGEOPT_ERR_NO_TENSORS);          // twice would divide twice
    CHECK(edgeopt_accumulator_add(&acc, micro, 2) == EDGEOPT_ERR_NOT_INITIALIZED);  // onto the mean
    REQUIRE(edgeopt_accumulator_reset(&acc) == EDGEOPT_OK);
    CHECK(a == std::vector<float>(5, 0.0f));
    REQUIRE(edgeopt_accumulator_add(&acc, micro, 2) == EDGEOPT_OK);
    REQUIRE(edgeopt_accumulator_mean(&acc) == EDGEOPT_OK);  // k = 1: the gradient itself
    CHECK(a == ga);
}
