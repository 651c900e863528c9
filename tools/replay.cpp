// SPDX-License-Identifier: Apache-2.0
// edgeopt-replay [--isa NAME] [--check] CASE_FILE
// edgeopt-replay --list-isas        (the kernels this machine can run)
// (--help for the options.)
//
// Replays a gradient sequence through one optimizer and prints the final
// parameters as `params v1 v2 ...` (9 significant digits: float32 round-trips).
// With --check, every `expect` and `state` line must match the replay bit for bit, or
// the first mismatch is reported.
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "case_file.hpp"
#include "cli.hpp"

namespace {

const edgeopt::cli::program replay_program = {
    "edgeopt-replay",
    "[--isa NAME] [--check] CASE_FILE | --list-isas",
    "Replays a case file's gradient sequence through its optimizer and prints the\n"
    "final parameters as `params v1 v2 ...` (9 significant digits).",
    {{"--isa", "NAME", "force a kernel: scalar sse2 avx2 avx512 neon64 neonv7 helium (any case)"},
     {"--check", nullptr, "every `expect` line must match bit for bit (else exit 1)"},
     {"--list-isas", nullptr, "print the kernels this machine can run, one a line"}},
    0,
    1};

}  // namespace

int main(int argc, char** argv) {
    edgeopt_isa isa = EDGEOPT_ISA_AUTO;
    bool check = false, list_isas = false;
    std::vector<std::string> files;
    const int status = edgeopt::cli::parse(
        replay_program, argc, argv,
        [&](const std::string& name, const char* value) -> std::string {
            if (name == "--isa" && !edgeopt_isa_parse(value, &isa)) return std::string("unknown ISA '") + value + "'";
            check |= name == "--check";
            list_isas |= name == "--list-isas";
            return "";
        },
        files);
    if (status >= 0) return status;
    if (list_isas) {
        for (int k = EDGEOPT_ISA_SCALAR; k < EDGEOPT_ISA_COUNT; ++k)
            if (edgeopt_isa_available(static_cast<edgeopt_isa>(k)))
                std::printf("%s\n", edgeopt_isa_name(static_cast<edgeopt_isa>(k)));
        return 0;
    }
    if (files.empty()) return edgeopt::cli::usage_error(replay_program, "missing CASE_FILE");
    const char* path = files[0].c_str();
    std::ifstream in(path);
    if (!in) {
        std::fprintf(stderr, "edgeopt-replay: cannot open %s\n", path);
        return 1;
    }
    edgeopt::casefile::replay_case c;
    edgeopt::casefile::trajectory t;
    std::string error;
    if (!edgeopt::casefile::parse(in, c, error) || !edgeopt::casefile::run(c, isa, t, error)) {
        std::fprintf(stderr, "%s: %s\n", path, error.c_str());
        return 1;
    }
    if (check && !(error = edgeopt::casefile::first_mismatch(c, t)).empty()) {
        std::fprintf(stderr, "%s: %s\n", path, error.c_str());
        return 1;
    }
    const std::vector<float>& final_params = t.after_step.empty() ? c.params : t.after_step.back();
    std::printf("params");
    for (float v : final_params) std::printf(" %.9g", static_cast<double>(v));
    std::printf("\n");
    return 0;
}
