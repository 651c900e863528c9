// SPDX-License-Identifier: Apache-2.0
// The golden torch 1.13 trajectories (tests/golden/cases) replayed on the
// board, read from the host through semihosting, with each kernel named on
// the command line: every step's parameters must be torch's, bit for bit.
//   golden MANIFEST ISA...      MANIFEST lists one case file path a line
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "check.h"
#include "spec.hpp"

namespace {

constexpr int max_params = 64;
constexpr int max_line = 2048;

// Static: the line buffer and the arena are too big for a comfortable stack.
char line[max_line];
alignas(EDGEOPT_ARENA_ALIGN) unsigned char arena[EDGEOPT_ARENA_BYTES_1(3, max_params)];

struct replay {
    edgeopt_optimizer opt;
    edgeopt_config config;
    float params[max_params], grad[max_params], expect[max_params], state[max_params];
    int length = -1;
    int steps_checked = 0, states_checked = 0;
    int mismatches = 0;
    const char* error = nullptr;
};

bool same_bits(float a, float b) { return std::memcmp(&a, &b, sizeof a) == 0; }

const char* after_keyword(const char* text, const char* keyword) {
    const std::size_t n = std::strlen(keyword);
    return std::strncmp(text, keyword, n) == 0 && (text[n] == ' ' || text[n] == '\n') ? text + n : nullptr;
}

// One line of a case file; sets r.error if it is bad.
void replay_line(replay& r, const char* text, edgeopt_isa isa) {
    const char* rest = nullptr;
    if (text[0] == '#' || text[0] == '\n' || text[0] == '\0') return;
    if ((rest = after_keyword(text, "optimizer"))) {
        r.error = firmware::parse_spec(rest, r.config);
    } else if ((rest = after_keyword(text, "params"))) {
        r.length = firmware::parse_floats(rest, r.params, max_params);
        const std::size_t length = static_cast<std::size_t>(r.length);
        if (r.length < 0 || edgeopt_init(&r.opt, &r.config, &length, 1, arena, sizeof arena) != EDGEOPT_OK ||
            edgeopt_set_isa(&r.opt, isa) != EDGEOPT_OK)
            r.error = "bad params line, or init/set_isa failed";
    } else if ((rest = after_keyword(text, "grad"))) {
        const edgeopt_tensor tensor{r.params, r.grad, static_cast<std::size_t>(r.length)};
        if (firmware::parse_floats(rest, r.grad, max_params) != r.length || edgeopt_step(&r.opt, &tensor, 1) != EDGEOPT_OK)
            r.error = "bad grad line, or step failed";
    } else if ((rest = after_keyword(text, "lr"))) {
        char* end = nullptr;
        const double lr = std::strtod(rest, &end);  // set_lr takes a double, as torch's lr is
        if (end == rest || edgeopt_set_lr(&r.opt, lr) != EDGEOPT_OK) r.error = "bad lr line, or set_lr failed";
    } else if ((rest = after_keyword(text, "expect"))) {
        if (firmware::parse_floats(rest, r.expect, max_params) != r.length) {
            r.error = "bad expect line";
        } else {
            ++r.steps_checked;
            for (int i = 0; i < r.length; ++i) {
                if (same_bits(r.params[i], r.expect[i])) continue;
                if (r.mismatches++ == 0)
                    std::printf("  step %d param %d: %.9g, torch %.9g\n", r.steps_checked, i, double(r.params[i]),
                                double(r.expect[i]));
            }
        }
    } else if ((rest = after_keyword(text, "state"))) {
        // "state KEY v...": the slot torch calls KEY, after the last step.
        while (*rest == ' ') ++rest;
        const char* end = rest;
        while (*end && *end != ' ' && *end != '\n') ++end;
        unsigned slot = 0;
        for (; slot < 3; ++slot) {
            const char* name = edgeopt_state_slot_name(&r.config, slot);
            if (edgeopt_state_slot_used(&r.config, slot) && name && std::strlen(name) == std::size_t(end - rest) &&
                std::strncmp(name, rest, std::size_t(end - rest)) == 0)
                break;
        }
        if (slot == 3 || firmware::parse_floats(end, r.expect, max_params) != r.length ||
            edgeopt_state_read(&r.opt, 0, slot, r.state) != EDGEOPT_OK) {
            r.error = "bad state line, or no such state slot";
        } else {
            ++r.states_checked;
            for (int i = 0; i < r.length; ++i) {
                if (same_bits(r.state[i], r.expect[i])) continue;
                if (r.mismatches++ == 0)
                    std::printf("  state %.*s value %d: %.9g, torch %.9g\n", int(end - rest), rest, i,
                                double(r.state[i]), double(r.expect[i]));
            }
        }
    } else {
        r.error = "unknown keyword";
    }
}

// Replays one case file with one kernel (one check); returns the steps compared.
int replay_case(const char* path, edgeopt_isa isa) {
    check_context("%s with %s", path, edgeopt_isa_name(isa));
    replay r;
    std::FILE* file = std::fopen(path, "r");
    if (!file) r.error = "cannot open the file";
    for (int line_number = 1; file && std::fgets(line, sizeof line, file); ++line_number) {
        if (!std::strchr(line, '\n') && !std::feof(file))
            r.error = "line longer than the buffer";
        else
            replay_line(r, line, isa);
        if (r.error) {
            std::printf("  line %d: %s\n", line_number, r.error);
            break;
        }
    }
    if (file) std::fclose(file);
    CHECK(r.error == nullptr && r.steps_checked > 0 && r.mismatches == 0);
    return r.steps_checked;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 3) {
        std::printf("usage: golden MANIFEST ISA...\n");
        return 2;
    }
    static char manifest_line[512];
    for (int a = 2; a < argc; ++a) {
        edgeopt_isa isa{};
        check_context("kernel %s", argv[a]);
        if (!CHECK(edgeopt_isa_parse(argv[a], &isa) && edgeopt_isa_available(isa))) continue;
        std::FILE* manifest = std::fopen(argv[1], "r");
        if (!CHECK(manifest != nullptr)) break;
        int cases = 0, steps = 0;
        while (std::fgets(manifest_line, sizeof manifest_line, manifest)) {
            manifest_line[std::strcspn(manifest_line, "\n")] = '\0';
            if (manifest_line[0] == '\0') continue;
            steps += replay_case(manifest_line, isa);
            ++cases;
        }
        std::fclose(manifest);
        check_context("kernel %s", argv[a]);
        CHECK(cases >= 40);
        std::printf("%s: %d golden cases, %d steps compared with torch\n", argv[a], cases, steps);
    }
    return check_summary("golden");
}
