// SPDX-License-Identifier: Apache-2.0
// Gradient clipping against torch 1.13's clip_grad_norm_ / clip_grad_value_
// (tests/golden/make_schedules.py) and against a plain double computation.
//
// torch reduces in float32 with its own (vectorized) order; edgeopt reduces
// in double with the fixed order documented in train.h.  So the total norm
// agrees with torch's to float32 rounding (relative 1e-6 here), and the
// clipped gradients are bit-identical whenever the two totals round to the
// same float (the coefficient is formed exactly as torch forms it), else
// within 2 ulp.  The infinity norm and clip_grad_value_ are exact.
#include <doctest/doctest.h>

#include <dirent.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "edgeopt/train.h"
#include "support.hpp"

// Recorded from the fingerprint test below; changes only with the golden
// files or the clipping maths.
#define EDGEOPT_CLIP_FINGERPRINT 0x50613d50717c0800ull

namespace {

const std::string golden_dir = std::string(EDGEOPT_GOLDEN_DIR) + "/../schedules";

struct golden_clip {
    std::string name, mode;
    double arg = 0, norm_type = 2;
    std::vector<std::vector<float>> grads, expect;
    float total = NAN;
};

std::vector<float> floats(std::istringstream& in) {
    std::vector<float> v;
    std::string word;
    while (in >> word) v.push_back(std::strtof(word.c_str(), nullptr));
    return v;
}

golden_clip load(const std::string& path) {
    golden_clip g;
    g.name = path.substr(path.rfind('/') + 1);
    std::ifstream file(path);
    std::string line;
    while (std::getline(file, line)) {
        if (line.empty() || line[0] == '#') continue;
        std::istringstream in(line);
        std::string directive;
        in >> directive;
        if (directive == "clip") {
            in >> g.mode;
            std::string item;
            while (in >> item) {
                const std::string key = item.substr(0, item.find('='));
                const double value = std::strtod(item.substr(item.find('=') + 1).c_str(), nullptr);
                if (key == "norm_type") g.norm_type = value;
                else g.arg = value;
            }
        } else if (directive == "grad") g.grads.push_back(floats(in));
        else if (directive == "expect") g.expect.push_back(floats(in));
        else if (directive == "total") g.total = floats(in).at(0);
        else FAIL("unknown directive ", directive);
    }
    return g;
}

std::vector<std::string> clip_files() {
    std::vector<std::string> files;
    if (DIR* dir = opendir(golden_dir.c_str())) {
        while (dirent* entry = readdir(dir)) {
            const std::string name = entry->d_name;
            if (name.rfind("clip_", 0) == 0) files.push_back(golden_dir + "/" + name);
        }
        closedir(dir);
    }
    std::sort(files.begin(), files.end());
    return files;
}

std::vector<edgeopt_grad> views(std::vector<std::vector<float>>& grads) {
    std::vector<edgeopt_grad> v;
    for (auto& g : grads) v.push_back({g.data(), g.size()});
    return v;
}

// The documented reduction, spelled out independently.
double documented_l2(const std::vector<std::vector<float>>& grads) {
    double total = 0;
    for (const auto& g : grads) {
        double acc[4] = {0, 0, 0, 0};
        for (std::size_t j = 0; j < g.size(); ++j) acc[j % 4] += static_cast<double>(g[j]) * static_cast<double>(g[j]);
        total += (acc[0] + acc[1]) + (acc[2] + acc[3]);
    }
    return std::sqrt(total);
}

}  // namespace

TEST_CASE("clipping reproduces torch's clip_grad_norm_ and clip_grad_value_") {
    const auto files = clip_files();
    REQUIRE(files.size() >= 10);
    int exact_cases = 0, norm_cases = 0;
    for (const auto& path : files) {
        golden_clip g = load(path);
        CAPTURE(g.name);
        REQUIRE(g.grads.size() == g.expect.size());
        auto grads = g.grads;
        auto v = views(grads);
        if (g.mode == "value") {
            REQUIRE(edgeopt_clip_grad_value(v.data(), v.size(), g.arg) == EDGEOPT_OK);
            for (std::size_t i = 0; i < grads.size(); ++i)
                for (std::size_t j = 0; j < grads[i].size(); ++j) REQUIRE(test::same_bits(grads[i][j], g.expect[i][j]));
            continue;
        }
        ++norm_cases;
        double total = -1;
        REQUIRE(edgeopt_clip_grad_norm(v.data(), v.size(), g.arg, g.norm_type, true, &total) == EDGEOPT_OK);
        CHECK(std::fabs(total / g.total - 1.0) < 1e-6);
        if (g.norm_type == 2.0) CHECK(total == documented_l2(g.grads));
        const bool same_total = static_cast<float>(total) == g.total;
        if (g.norm_type == HUGE_VAL) CHECK(same_total);  // a max is exact
        exact_cases += same_total;
        std::int64_t worst = 0;
        for (std::size_t i = 0; i < grads.size(); ++i)
            for (std::size_t j = 0; j < grads[i].size(); ++j)
                worst = std::max(worst, test::ulp_distance(grads[i][j], g.expect[i][j]));
        CAPTURE(total);
        CAPTURE(g.total);
        if (same_total) {
            CHECK(worst == 0);
        } else {
            // torch's float32 sum is the less accurate one, and its error is all that differs.
            long double exact = 0;
            for (const auto& grad : g.grads)
                for (float x : grad) exact += g.norm_type == 1.0 ? std::fabs(static_cast<long double>(x))
                                                                 : static_cast<long double>(x) * x;
            if (g.norm_type == 2.0) exact = std::sqrt(exact);
            CHECK(std::fabs(total - exact) <= std::fabs(g.total - exact));
            CHECK(worst <= test::ulp_distance(static_cast<float>(total), g.total) + 2);
        }
    }
    MESSAGE("clip_grad_norm_: ", exact_cases, " of ", norm_cases, " cases bit-identical to torch");
}

TEST_CASE("clip totals and clipped gradients have the same bits on every platform") {
    // FNV-1a over every total norm (double) and clipped gradient of the
    // golden cases; recorded on x86-64, checked on armv7 and aarch64 (qemu).
    std::uint64_t hash = 14695981039346656037ull;
    auto mix = [&](const void* data, std::size_t bytes) {
        for (std::size_t i = 0; i < bytes; ++i) hash = (hash ^ static_cast<const unsigned char*>(data)[i]) * 1099511628211ull;
    };
    for (const auto& path : clip_files()) {
        golden_clip g = load(path);
        auto grads = g.grads;
        auto v = views(grads);
        if (g.mode == "value") {
            REQUIRE(edgeopt_clip_grad_value(v.data(), v.size(), g.arg) == EDGEOPT_OK);
        } else {
            double total;
            REQUIRE(edgeopt_clip_grad_norm(v.data(), v.size(), g.arg, g.norm_type, false, &total) == EDGEOPT_OK);
            mix(&total, sizeof total);
        }
        for (const auto& grad : grads) mix(grad.data(), grad.size() * sizeof(float));
    }
    CAPTURE(hash);
    CHECK(hash == EDGEOPT_CLIP_FINGERPRINT);
}

TEST_CASE("the total norm matches a naive double computation and does not depend on splitting") {
    std::vector<std::vector<float>> grads = {test::random_values(1001, 1), test::random_values(17, 2),
                                             test::random_values(4096, 3), {}};
    long double naive2 = 0, naive1 = 0;
    float naive_inf = 0;
    for (const auto& g : grads)
        for (float x : g) {
            naive2 += static_cast<long double>(x) * x;
            naive1 += std::fabs(static_cast<long double>(x));
            naive_inf = std::max(naive_inf, std::fabs(x));
        }
    auto v = views(grads);
    double l2, l1, linf;
    REQUIRE(edgeopt_grad_norm(v.data(), v.size(), 2.0, &l2) == EDGEOPT_OK);
    REQUIRE(edgeopt_grad_norm(v.data(), v.size(), 1.0, &l1) == EDGEOPT_OK);
    REQUIRE(edgeopt_grad_norm(v.data(), v.size(), INFINITY, &linf) == EDGEOPT_OK);
    CHECK(std::fabs(l2 / static_cast<double>(std::sqrt(naive2)) - 1) < 1e-13);
    CHECK(std::fabs(l1 / static_cast<double>(naive1) - 1) < 1e-13);
    CHECK(linf == naive_inf);
    CHECK(l2 == documented_l2(grads));
    // norm of the per-tensor norms (torch's definition) agrees to double rounding.
    double per_tensor = 0;
    for (auto& g : grads) {
        edgeopt_grad one{g.data(), g.size()};
        double n;
        REQUIRE(edgeopt_grad_norm(&one, 1, 2.0, &n) == EDGEOPT_OK);
        per_tensor += n * n;
    }
    CHECK(std::fabs(std::sqrt(per_tensor) / l2 - 1) < 1e-14);
    // Clipping to a larger max_norm changes nothing; to half the norm halves it.
    auto copy = grads;
    auto cv = views(copy);
    double total;
    REQUIRE(edgeopt_clip_grad_norm(cv.data(), cv.size(), l2 * 2, 2.0, false, &total) == EDGEOPT_OK);
    CHECK(copy == grads);
    REQUIRE(edgeopt_clip_grad_norm(cv.data(), cv.size(), l2 / 2, 2.0, false, &total) == EDGEOPT_OK);
    double after;
    REQUIRE(edgeopt_grad_norm(cv.data(), cv.size(), 2.0, &after) == EDGEOPT_OK);
    CHECK(after == doctest::Approx(l2 / 2).epsilon(1e-6));
}

TEST_CASE("non-finite gradients: error_if_nonfinite refuses, otherwise torch's behaviour") {
    std::vector<std::vector<float>> grads = {{1.0f, 2.0f, 3.0f}, {4.0f, NAN}};
    const auto before = grads;
    auto v = views(grads);
    double total = 42;
    CHECK(edgeopt_clip_grad_norm(v.data(), v.size(), 1.0, 2.0, true, &total) == EDGEOPT_ERR_NONFINITE_GRADIENT);
    CHECK(total == 42);
    for (std::size_t i = 0; i < grads.size(); ++i)
        for (std::size_t j = 0; j < grads[i].size(); ++j) CHECK(test::same_bits(grads[i][j], before[i][j]));
    // error_if_nonfinite = false: NaN total, every gradient NaN (torch multiplies by clamp(NaN) = NaN).
    REQUIRE(edgeopt_clip_grad_norm(v.data(), v.size(), 1.0, 2.0, false, &total) == EDGEOPT_OK);
    CHECK(std::isnan(total));
    for (auto& g : grads)
        for (float x : g) CHECK(std::isnan(x));
    // Inf: coefficient 0, finite gradients become 0, the Inf becomes NaN (Inf·0).
    grads = {{1.0f, -2.0f}, {INFINITY}};
    v = views(grads);
    CHECK(edgeopt_clip_grad_norm(v.data(), v.size(), 1.0, INFINITY, true, &total) == EDGEOPT_ERR_NONFINITE_GRADIENT);
    REQUIRE(edgeopt_clip_grad_norm(v.data(), v.size(), 1.0, 2.0, false, &total) == EDGEOPT_OK);
    CHECK(total == HUGE_VAL);
    CHECK(grads[0][0] == 0.0f);
    CHECK(test::same_bits(grads[0][1], -0.0f));
    CHECK(std::isnan(grads[1][0]));
}

TEST_CASE("clipping arguments and edge cases") {
    std::vector<float> g = {3.0f, 4.0f};
    edgeopt_grad v{g.data(), g.size()};
    double total;
    CHECK(edgeopt_clip_grad_norm(&v, 1, 1.0, 3.0, false, &total) == EDGEOPT_ERR_INVALID_CLIP);
    CHECK(edgeopt_clip_grad_norm(&v, 1, 1.0, 0.0, false, &total) == EDGEOPT_ERR_INVALID_CLIP);
    CHECK(edgeopt_clip_grad_norm(&v, 1, -1.0, 2.0, false, &total) == EDGEOPT_ERR_INVALID_CLIP);
    CHECK(edgeopt_clip_grad_norm(&v, 1, NAN, 2.0, false, &total) == EDGEOPT_ERR_INVALID_CLIP);
    CHECK(edgeopt_clip_grad_norm(&v, 1, INFINITY, 2.0, false, &total) == EDGEOPT_ERR_INVALID_CLIP);
    CHECK(edgeopt_grad_norm(&v, 1, NAN, &total) == EDGEOPT_ERR_INVALID_CLIP);
    CHECK(edgeopt_clip_grad_value(&v, 1, -0.5) == EDGEOPT_ERR_INVALID_CLIP);
    CHECK(edgeopt_clip_grad_value(&v, 1, NAN) == EDGEOPT_ERR_INVALID_CLIP);
    CHECK(edgeopt_clip_grad_norm(nullptr, 1, 1.0, 2.0, false, &total) == EDGEOPT_ERR_NULL_POINTER);
    edgeopt_grad null_data{nullptr, 3};
    CHECK(edgeopt_clip_grad_norm(&null_data, 1, 1.0, 2.0, false, &total) == EDGEOPT_ERR_NULL_POINTER);
    CHECK(edgeopt_clip_grad_value(&null_data, 1, 1.0) == EDGEOPT_ERR_NULL_POINTER);
    CHECK(g == std::vector<float>{3.0f, 4.0f});
    // No gradients: total 0, as torch returns tensor(0.).
    REQUIRE(edgeopt_clip_grad_norm(nullptr, 0, 1.0, 2.0, false, &total) == EDGEOPT_OK);
    CHECK(total == 0.0);
    // 3-4-5 triangle, max_norm 1: coef = (1/(5 + 1e-6f))·1 in float32.
    REQUIRE(edgeopt_clip_grad_norm(&v, 1, 1.0, 2.0, false, &total) == EDGEOPT_OK);
    CHECK(total == 5.0);
    const float coef = 1.0f / (5.0f + 1e-6f);
    CHECK(g[0] == 3.0f * coef);
    CHECK(g[1] == 4.0f * coef);
    // max_norm 0 zeroes the gradients.
    REQUIRE(edgeopt_clip_grad_norm(&v, 1, 0.0, 2.0, false, nullptr) == EDGEOPT_OK);
    CHECK(g == std::vector<float>{0.0f, 0.0f});
    // Clip by value keeps NaN and −0, clamps both sides, and INFINITY is a no-op.
    g = {NAN, -0.0f, 5.0f, -5.0f, 0.25f, -INFINITY};
    v = {g.data(), g.size()};
    REQUIRE(edgeopt_clip_grad_value(&v, 1, INFINITY) == EDGEOPT_OK);
    CHECK(g[2] == 5.0f);
    REQUIRE(edgeopt_clip_grad_value(&v, 1, 1.0) == EDGEOPT_OK);
    CHECK(std::isnan(g[0]));
    CHECK(test::same_bits(g[1], -0.0f));
    CHECK(g[2] == 1.0f);
    CHECK(g[3] == -1.0f);
    CHECK(g[4] == 0.25f);
    CHECK(g[5] == -1.0f);
}

TEST_CASE("clipping writes nothing outside the gradients") {
    test::guarded_buffer a(test::random_values(37, 5, 10.0f), 3), b(test::random_values(64, 6, 10.0f), 1);
    edgeopt_grad v[] = {{a.data(), a.size()}, {b.data(), b.size()}};
    REQUIRE(edgeopt_clip_grad_norm(v, 2, 0.1, 2.0, false, nullptr) == EDGEOPT_OK);
    REQUIRE(edgeopt_clip_grad_value(v, 2, 0.001) == EDGEOPT_OK);
    CHECK(a.canaries_intact());
    CHECK(b.canaries_intact());
}
