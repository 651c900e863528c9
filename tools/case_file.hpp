// SPDX-License-Identifier: Apache-2.0
// Case files: an optimizer, initial parameters and a gradient sequence, as
// read by edgeopt-replay and the golden tests.  Host-only (uses the heap).
//
//   optimizer adam lr=0.01 betas=0.9,0.999 amsgrad=true   # torch keyword names
//                                  # and edgeopt's form=torch|folded
//   params 0.1 -0.5 2.0
//   grad 0.3 0.1 -1.0          # one step
//   expect ...                 # optional: parameters torch had after that step
//   state exp_avg ...          # optional, after expect: a state slot torch had
//                              # after that step, by torch's state_dict key
//   lr 0.005                   # optional: lr for the following steps
#pragma once
#include <istream>
#include <optional>
#include <string>
#include <vector>

#include "edgeopt/edgeopt.h"

namespace edgeopt::casefile {

struct step {
    int line = 0;
    std::optional<double> lr;       // set before this step
    int lr_line = 0;
    std::vector<float> grad;
    std::optional<std::vector<float>> expect;
    int expect_line = 0;
    struct state_expectation {
        std::string slot;  // torch's key: edgeopt_state_slot_name()
        std::vector<float> values;
        int line = 0;
    };
    std::vector<state_expectation> expect_state;
};

struct replay_case {
    edgeopt_config config{};
    std::vector<float> params;
    std::vector<step> steps;
};

// Parses a whole file.  On failure returns false and sets error to
// "line N: what is wrong".
bool parse(std::istream& in, replay_case& out, std::string& error);

// Sets one `key=value` option of config (torch's keyword names).
bool set_option(edgeopt_config& config, const std::string& key, const std::string& value, std::string& error);

}  // namespace edgeopt::casefile

namespace edgeopt::casefile {

// Parameters after each step of a replay, and the state slots a step's
// `state` lines name (state_after_step[s][k] for steps[s].expect_state[k]).
struct trajectory {
    std::vector<std::vector<float>> after_step;
    std::vector<std::vector<std::vector<float>>> state_after_step;
};

// Runs the case through the library with the given kernel (EDGEOPT_ISA_AUTO
// for the default).  On failure returns false with "line N: ..." in error.
bool run(const replay_case& c, edgeopt_isa isa, trajectory& out, std::string& error);

// The first `expect` or `state` line the replay disagrees with bit for bit,
// as "line N: ...", or "".
std::string first_mismatch(const replay_case& c, const trajectory& t);

}  // namespace edgeopt::casefile
