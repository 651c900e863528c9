// SPDX-License-Identifier: Apache-2.0
// edgeopt-demo: every optimizer on the seeds' anisotropic bowl
// f(x, y) = x²/20 + y², 30 steps from (−7, 2), with a static arena.
// Prints where each one ends and the kernel that ran it (EDGEOPT_ISA or
// --isa force one); --svg FILE also draws the paths on the contours.
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "cli.hpp"
#include "edgeopt/edgeopt.h"

namespace {

const edgeopt::cli::program demo_program = {
    "edgeopt-demo",
    "[--svg FILE] [--isa NAME]",
    "Every optimizer on the anisotropic bowl f(x, y) = x^2/20 + y^2, 30 steps from\n"
    "(-7, 2): where each ends, and the kernel that ran it.",
    {{"--svg", "FILE", "also draw the paths on the contours into FILE"},
     {"--isa", "NAME", "run every optimizer on this kernel (default: EDGEOPT_ISA, else the fastest)"}}};

struct entry {
    const char* label;
    edgeopt_algorithm algorithm;
    double lr;
    double momentum;  // SGD only
    bool nesterov;
};

// The textbook's learning rates for SGD, Momentum, AdaGrad and Adam; the
// others are picked so that 30 steps show their character.  An algorithm of
// the library not listed here runs once with torch's default lr.
constexpr entry tuned[] = {
    {"SGD", EDGEOPT_SGD, 0.95, 0, false},         {"Momentum", EDGEOPT_SGD, 0.1, 0.9, false},
    {"Nesterov", EDGEOPT_SGD, 0.1, 0.9, true},    {"AdaGrad", EDGEOPT_ADAGRAD, 1.5, 0, false},
    {"RMSprop", EDGEOPT_RMSPROP, 0.1, 0, false},  {"AdaDelta", EDGEOPT_ADADELTA, 1.0, 0, false},
    {"Adam", EDGEOPT_ADAM, 0.3, 0, false},        {"AdamW", EDGEOPT_ADAMW, 0.3, 0, false},
    {"AdaMax", EDGEOPT_ADAMAX, 0.3, 0, false},    {"NAdam", EDGEOPT_NADAM, 0.3, 0, false},
    {"RAdam", EDGEOPT_RADAM, 0.3, 0, false},      {"Lion", EDGEOPT_LION, 0.1, 0, false},
};

// Every algorithm the library has, in enum order: its tuned rows, or one
// with torch's defaults.
std::vector<entry> all_entries() {
    std::vector<entry> out;
    for (unsigned a = EDGEOPT_SGD; a < EDGEOPT_SGD + EDGEOPT_ALGORITHM_COUNT; ++a) {
        const auto algorithm = static_cast<edgeopt_algorithm>(a);
        const std::size_t before = out.size();
        for (const entry& e : tuned)
            if (e.algorithm == algorithm) out.push_back(e);
        if (out.size() == before) {
            edgeopt_config c = edgeopt_defaults(algorithm);
            out.push_back({edgeopt_algorithm_torch_name(algorithm), algorithm, *edgeopt_config_lr(&c), 0, false});
        }
    }
    return out;
}

constexpr int steps = 30;

double bowl(double x, double y) { return x * x / 20.0 + y * y; }

edgeopt_config config_for(const entry& e) {
    edgeopt_config c = edgeopt_defaults(e.algorithm);
    *edgeopt_config_lr(&c) = e.lr;
    if (e.algorithm == EDGEOPT_SGD) {
        c.sgd.momentum = e.momentum;
        c.sgd.nesterov = e.nesterov;
    }
    return c;
}

// Runs one optimizer on `isa`; path gets steps + 1 points, `used` the kernel
// that ran.  Returns false on error.
bool run(const entry& e, edgeopt_isa isa, std::vector<float>& path, edgeopt_isa& used) {
    static unsigned char arena[EDGEOPT_ARENA_BYTES_1(3, 2)];
    const edgeopt_config config = config_for(e);
    const size_t length = 2;
    edgeopt_optimizer opt;
    edgeopt_status status = edgeopt_init(&opt, &config, &length, 1, arena, sizeof arena);
    if (status == EDGEOPT_OK && isa != EDGEOPT_ISA_AUTO) status = edgeopt_set_isa(&opt, isa);
    used = edgeopt_get_isa(&opt);
    float params[2] = {-7.0f, 2.0f}, grads[2];
    path.assign(params, params + 2);
    for (int t = 0; t < steps && status == EDGEOPT_OK; ++t) {
        grads[0] = params[0] / 10.0f;
        grads[1] = 2.0f * params[1];
        const edgeopt_tensor tensor = edgeopt_tensor_f32(params, grads, 2);
        status = edgeopt_step(&opt, &tensor, 1);
        path.insert(path.end(), params, params + 2);
    }
    if (status != EDGEOPT_OK) std::fprintf(stderr, "%s: %s\n", e.label, edgeopt_status_message(status));
    return status == EDGEOPT_OK;
}

void write_svg(std::FILE* out, const std::vector<entry>& entries, const std::vector<std::vector<float>>& paths) {
    const int cols = 4, w = 300, h = 150;
    const int rows = int(paths.size() + cols - 1) / cols;
    auto sx = [&](double x) { return (x + 10.0) / 20.0 * w; };
    auto sy = [&](double y) { return (5.0 - y) / 10.0 * h; };
    std::fprintf(out, "<svg xmlns='http://www.w3.org/2000/svg' width='%d' height='%d' font-family='sans-serif'>\n",
                 cols * (w + 10), rows * (h + 30));
    std::fprintf(out, "<defs><clipPath id='panel'><rect width='%d' height='%d'/></clipPath></defs>\n", w, h);
    for (std::size_t k = 0; k < paths.size(); ++k) {
        std::fprintf(out, "<g transform='translate(%d,%d)'>\n", int(k % cols) * (w + 10), int(k / cols) * (h + 30) + 20);
        std::fprintf(out, "<rect width='%d' height='%d' fill='#fafafa' stroke='#ccc'/>\n<g clip-path='url(#panel)'>\n", w, h);
        for (double level : {0.5, 2.0, 5.0, 10.0, 20.0})  // ellipses x²/20 + y² = level
            std::fprintf(out, "<ellipse cx='%.1f' cy='%.1f' rx='%.1f' ry='%.1f' fill='none' stroke='#ddd'/>\n", sx(0),
                         sy(0), std::sqrt(20 * level) / 20.0 * w, std::sqrt(level) / 10.0 * h);
        std::fprintf(out, "<polyline fill='none' stroke='#c33' stroke-width='1.5' points='");
        for (std::size_t i = 0; i + 1 < paths[k].size(); i += 2)
            std::fprintf(out, "%.1f,%.1f ", sx(paths[k][i]), sy(paths[k][i + 1]));
        std::fprintf(out, "'/>\n<circle cx='%.1f' cy='%.1f' r='3' fill='#333'/>\n</g>\n", sx(0), sy(0));
        std::fprintf(out, "<text x='4' y='-5' font-size='13'>%s</text>\n</g>\n", entries[k].label);
    }
    std::fprintf(out, "</svg>\n");
}

}  // namespace

int main(int argc, char** argv) {
    std::string svg_path;
    edgeopt_isa isa = EDGEOPT_ISA_AUTO;
    std::vector<std::string> no_files;
    const int status = edgeopt::cli::parse(
        demo_program, argc, argv,
        [&](const std::string& name, const char* value) -> std::string {
            if (name == "--svg") svg_path = value;
            if (name == "--isa" && !edgeopt_isa_parse(value, &isa)) return std::string("unknown ISA '") + value + "'";
            return "";
        },
        no_files);
    if (status >= 0) return status;
    std::printf("f(x, y) = x^2/20 + y^2, %d steps from (-7, 2); minimum at (0, 0)\n\n", steps);
    std::printf("%-10s %-8s %6s %12s %12s %12s %10s\n", "optimizer", "kernel", "lr", "x", "y", "f(x, y)", "state B/p");
    const std::vector<entry> entries = all_entries();
    std::vector<std::vector<float>> paths;
    for (const entry& e : entries) {
        std::vector<float> path;
        edgeopt_isa used = EDGEOPT_ISA_AUTO;
        if (!run(e, isa, path, used)) return 1;
        const float x = path[path.size() - 2], y = path.back();
        const edgeopt_config config = config_for(e);
        std::printf("%-10s %-8s %6.2f %12.5f %12.5f %12.6f %10u\n", e.label,
                    edgeopt_isa_name(used), e.lr, x, y, bowl(x, y),
                    4 * edgeopt_state_slots(&config));
        paths.push_back(path);
    }
    if (!svg_path.empty()) {
        std::FILE* out = std::fopen(svg_path.c_str(), "w");
        if (!out) {
            std::fprintf(stderr, "edgeopt-demo: cannot write %s\n", svg_path.c_str());
            return 1;
        }
        write_svg(out, entries, paths);
        std::fclose(out);
        std::printf("\npaths drawn in %s\n", svg_path.c_str());
    }
    return 0;
}
