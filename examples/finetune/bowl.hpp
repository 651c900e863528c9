// SPDX-License-Identifier: Apache-2.0
// The optimizers on the seeds' anisotropic bowl f(x, y) = x²/20 + y², 30 steps
// from (−7, 2) as in tools/demo.cpp, drawn as small multiples on the contours.
#pragma once
#include <string>
#include <vector>

#include "edgeopt/edgeopt.h"
#include "training.hpp"  // curve_point

namespace finetune {

struct bowl_run {
    std::string label;
    const char* colour;
    edgeopt_config config;
    std::vector<curve_point> path;  // filled by bowl_paths: the start, then one point per step
};

constexpr int bowl_steps = 30;

// Runs every configuration on the bowl.  Returns false with error set if the
// library refuses one.
bool bowl_paths(std::vector<bowl_run>& runs, std::string& error);

bool write_bowl_svg(const std::string& path, const std::vector<bowl_run>& runs);

}  // namespace finetune
