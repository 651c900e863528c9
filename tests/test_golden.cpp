// SPDX-License-Identifier: Apache-2.0
// Golden trajectories from torch 1.13 (tests/golden/make_golden.py): every
// optimizer and option, every available kernel, every step.
//
// The maths follows torch's float32 rounding order op for op (see the
// optimizer headers), so the expected values are met bit for bit; the
// exceptions below are documented, not tolerated silently.
#include <doctest/doctest.h>

#include <dirent.h>

#include <algorithm>
#include <fstream>
#include <string>
#include <vector>

#include "case_file.hpp"
#include "support.hpp"

namespace {

std::vector<std::string> golden_files() {
    std::vector<std::string> files;
    if (DIR* dir = opendir(EDGEOPT_GOLDEN_DIR)) {
        while (dirent* entry = readdir(dir)) {
            const std::string name = entry->d_name;
            if (name.size() > 5 && name.compare(name.size() - 5, 5, ".case") == 0)
                files.push_back(std::string(EDGEOPT_GOLDEN_DIR) + "/" + name);
        }
        closedir(dir);
    }
    std::sort(files.begin(), files.end());
    return files;
}

// Largest ulp distance between replay and torch over the whole trajectory.
std::int64_t worst_ulps(const edgeopt::casefile::replay_case& c, const edgeopt::casefile::trajectory& t) {
    std::int64_t worst = 0;
    for (std::size_t s = 0; s < c.steps.size(); ++s) {
        if (!c.steps[s].expect) continue;
        for (std::size_t i = 0; i < c.params.size(); ++i)
            worst = std::max(worst, test::ulp_distance((*c.steps[s].expect)[i], t.after_step[s][i]));
    }
    return worst;
}

}  // namespace

TEST_CASE("golden files are present and cover every algorithm of the registry") {
    const auto files = golden_files();
    REQUIRE(files.size() >= 40);
    for (unsigned a = EDGEOPT_SGD; a < EDGEOPT_SGD + EDGEOPT_ALGORITHM_COUNT; ++a) {
        // Files are named <algorithm>_<case>.case ("adam_" is not "adamw_").
        const std::string prefix = std::string("/") + edgeopt_algorithm_name(static_cast<edgeopt_algorithm>(a)) + "_";
        const bool found = std::any_of(files.begin(), files.end(),
                                       [&](const std::string& f) { return f.find(prefix) != std::string::npos; });
        CHECK_MESSAGE(found, prefix);
    }
}

TEST_CASE("every kernel reproduces torch's trajectories") {
    const auto files = golden_files();
    REQUIRE_FALSE(files.empty());
    for (const std::string& path : files) {
        std::ifstream in(path);
        edgeopt::casefile::replay_case c;
        std::string error;
        REQUIRE_MESSAGE(edgeopt::casefile::parse(in, c, error), path, ": ", error);
        for (edgeopt_isa isa : test::available_isas()) {
            CAPTURE(path);
            const std::string isa_name = edgeopt_isa_name(isa);
            CAPTURE(isa_name);
            edgeopt::casefile::trajectory t;
            REQUIRE_MESSAGE(edgeopt::casefile::run(c, isa, t, error), error);
            CHECK(worst_ulps(c, t) == 0);
            CHECK(edgeopt::casefile::first_mismatch(c, t) == "");  // parameters and `state` lines
        }
    }
}
