// edgeopt-replay [--isa NAME] [--check] CASE_FILE
// edgeopt-replay --list-isas        (the kernels this machine can run)
//
// Replays a gradient sequence through one optimizer and prints the final
// parameters as `params v1 v2 ...` (9 significant digits: float32 round-trips).
// With --check, every `expect` and `state` line must match the replay bit for bit, or
// the first mismatch is reported.
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>

#include "case_file.hpp"

namespace {

int usage() {
    std::fprintf(stderr, "usage: edgeopt-replay [--isa scalar|sse2|avx2|avx512|neon64|neonv7|helium] [--check] CASE_FILE\n");
    return 2;
}

}  // namespace

int main(int argc, char** argv) {
    edgeopt_isa isa = EDGEOPT_ISA_AUTO;
    bool check = false;
    const char* path = nullptr;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--isa") == 0 && i + 1 < argc) {
            if (!edgeopt_isa_parse(argv[++i], &isa)) {
                std::fprintf(stderr, "edgeopt-replay: unknown ISA '%s'\n", argv[i]);
                return 2;
            }
        } else if (std::strcmp(argv[i], "--list-isas") == 0) {
            for (int k = EDGEOPT_ISA_SCALAR; k < EDGEOPT_ISA_COUNT; ++k)
                if (edgeopt_isa_available(static_cast<edgeopt_isa>(k)))
                    std::printf("%s\n", edgeopt_isa_name(static_cast<edgeopt_isa>(k)));
            return 0;
        } else if (std::strcmp(argv[i], "--check") == 0) {
            check = true;
        } else if (argv[i][0] == '-' || path) {
            return usage();
        } else {
            path = argv[i];
        }
    }
    if (!path) return usage();
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
