// SPDX-License-Identifier: Apache-2.0
// The seeds' classic picture: optimizer paths on the anisotropic bowl
// f(x, y) = x²/20 + y² from (−7, 2), 30 steps, with the textbook's settings
// (SGD lr 0.95, Momentum lr 0.1 / 0.9, AdaGrad lr 1.5, Adam lr 0.3).
//
// Each path is checked twice: against the textbook's own update formulas
// (written here in double, in the textbook's form, not torch's) and for the
// shape the figure shows: SGD zig-zags across the valley, Momentum rolls past
// the minimum, AdaGrad damps the steep direction without crossing it.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "edgeopt/edgeopt.h"

namespace {

struct point {
    double x, y;
};

point bowl_grad(point p) { return {p.x / 10.0, 2.0 * p.y}; }
double bowl(point p) { return p.x * p.x / 20.0 + p.y * p.y; }

std::vector<point> edgeopt_path(const edgeopt_config& config) {
    float params[2] = {-7.0f, 2.0f};
    float grads[2];
    const size_t length = 2;
    alignas(64) unsigned char arena[EDGEOPT_ARENA_BYTES_1(3, 2)];
    edgeopt_optimizer opt;
    REQUIRE(edgeopt_init(&opt, &config, &length, 1, arena, sizeof arena) == EDGEOPT_OK);
    std::vector<point> path{{params[0], params[1]}};
    for (int t = 0; t < 30; ++t) {
        const point g = bowl_grad({params[0], params[1]});
        grads[0] = static_cast<float>(g.x);
        grads[1] = static_cast<float>(g.y);
        const edgeopt_tensor tensor{params, grads, 2};
        REQUIRE(edgeopt_step(&opt, &tensor, 1) == EDGEOPT_OK);
        path.push_back({params[0], params[1]});
    }
    return path;
}

enum class textbook { sgd, momentum, adagrad, adam };

// "Deep Learning from Scratch", ch. 6, in double.
std::vector<point> textbook_path(textbook kind) {
    double p[2] = {-7.0, 2.0}, v[2] = {0, 0}, h[2] = {0, 0}, m[2] = {0, 0};
    std::vector<point> path{{p[0], p[1]}};
    for (int t = 1; t <= 30; ++t) {
        const point gp = bowl_grad({p[0], p[1]});
        const double g[2] = {gp.x, gp.y};
        for (int i = 0; i < 2; ++i) {
            switch (kind) {
                case textbook::sgd: p[i] -= 0.95 * g[i]; break;
                case textbook::momentum:
                    v[i] = 0.9 * v[i] - 0.1 * g[i];
                    p[i] += v[i];
                    break;
                case textbook::adagrad:
                    h[i] += g[i] * g[i];
                    p[i] -= 1.5 * g[i] / (std::sqrt(h[i]) + 1e-7);
                    break;
                case textbook::adam: {
                    const double lr_t = 0.3 * std::sqrt(1 - std::pow(0.999, t)) / (1 - std::pow(0.9, t));
                    m[i] += 0.1 * (g[i] - m[i]);
                    v[i] += 0.001 * (g[i] * g[i] - v[i]);
                    p[i] -= lr_t * m[i] / (std::sqrt(v[i]) + 1e-7);
                    break;
                }
            }
        }
        path.push_back({p[0], p[1]});
    }
    return path;
}

void check_follows_textbook(const std::vector<point>& ours, const std::vector<point>& book, double tolerance) {
    REQUIRE(ours.size() == book.size());
    for (std::size_t t = 0; t < ours.size(); ++t) {
        CAPTURE(t);
        CHECK(std::fabs(ours[t].x - book[t].x) <= tolerance * (1 + std::fabs(book[t].x)));
        CHECK(std::fabs(ours[t].y - book[t].y) <= tolerance * (1 + std::fabs(book[t].y)));
    }
}

int y_sign_changes(const std::vector<point>& path) {
    int changes = 0;
    for (std::size_t t = 1; t < path.size(); ++t) changes += path[t].y * path[t - 1].y < 0;
    return changes;
}

double max_x(const std::vector<point>& path) {
    double best = path[0].x;
    for (const point& p : path) best = std::max(best, p.x);
    return best;
}

}  // namespace

TEST_CASE("SGD zig-zags across the valley") {
    edgeopt_config c = edgeopt_defaults(EDGEOPT_SGD);
    c.sgd.lr = 0.95;
    const auto path = edgeopt_path(c);
    check_follows_textbook(path, textbook_path(textbook::sgd), 1e-5);
    CHECK(y_sign_changes(path) == 30);
    CHECK(bowl(path.back()) < 0.02);
    CHECK(path.back().x < 0);  // still creeping along the shallow x direction
}

TEST_CASE("Momentum rolls past the minimum and comes back") {
    edgeopt_config c = edgeopt_defaults(EDGEOPT_SGD);
    c.sgd.lr = 0.1;
    c.sgd.momentum = 0.9;
    const auto path = edgeopt_path(c);
    check_follows_textbook(path, textbook_path(textbook::momentum), 1e-5);
    CHECK(max_x(path) > 0.5);
    CHECK(bowl(path.back()) < 0.06);
}

TEST_CASE("AdaGrad damps the steep direction without crossing it") {
    edgeopt_config c = edgeopt_defaults(EDGEOPT_ADAGRAD);
    c.adagrad.lr = 1.5;
    c.adagrad.eps = 1e-7;  // the textbook's constant; torch's form of the update is the same
    const auto path = edgeopt_path(c);
    check_follows_textbook(path, textbook_path(textbook::adagrad), 1e-5);
    CHECK(y_sign_changes(path) == 0);
    CHECK(std::hypot(path.back().x, path.back().y) < 0.2);
}

TEST_CASE("Adam spirals into the minimum") {
    edgeopt_config c = edgeopt_defaults(EDGEOPT_ADAM);
    c.adam.lr = 0.3;
    const auto path = edgeopt_path(c);
    // The textbook puts eps inside the bias correction (Kingma & Ba's
    // "efficient" form); with eps = 1e-8 against √v ~ 0.1..4 the two agree
    // to float precision.
    check_follows_textbook(path, textbook_path(textbook::adam), 1e-4);
    CHECK(y_sign_changes(path) >= 1);
    CHECK(std::hypot(path.back().x, path.back().y) < 0.4);
    CHECK(bowl(path.back()) < 0.11);
}
