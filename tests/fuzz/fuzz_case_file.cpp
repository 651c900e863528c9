// SPDX-License-Identifier: Apache-2.0
// The case-file reader (tools/case_file.cpp) on any bytes.  Oracles: a
// refusal names its line ("line N: ...", 1 <= N <= lines in the input + 1);
// an accepted file has parameters, and replaying it on the scalar reference
// and on the default kernel gives the same status and bit-identical
// parameters after every step.
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <string>

#include "case_file.hpp"

namespace {

void expect(bool ok, const char* what, const std::string& detail = {}) {
    if (!ok) {
        __builtin_fprintf(stderr, "fuzz_case_file: %s %s\n", what, detail.c_str());
        std::abort();
    }
}

bool same_bits(float a, float b) { return (std::isnan(a) && std::isnan(b)) || std::memcmp(&a, &b, 4) == 0; }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    std::istringstream in(text);
    edgeopt::casefile::replay_case c;
    std::string error;
    if (!edgeopt::casefile::parse(in, c, error)) {
        long lines = 1;
        for (char ch : text) lines += ch == '\n';
        long line = 0;
        expect(std::sscanf(error.c_str(), "line %ld: ", &line) == 1 && line >= 1 && line <= lines + 1,
               "a refusal without its line:", error);
        return 0;
    }
    expect(!c.params.empty(), "accepted without parameters");
    if (c.params.size() > 512 || c.steps.size() > 64) return 0;  // keep each run short
    edgeopt::casefile::trajectory reference, fast;
    std::string reference_error, fast_error;
    const bool a = edgeopt::casefile::run(c, EDGEOPT_ISA_SCALAR, reference, reference_error);
    const bool b = edgeopt::casefile::run(c, EDGEOPT_ISA_AUTO, fast, fast_error);
    expect(a == b && reference_error == fast_error, "replay status differs between kernels:", reference_error + fast_error);
    expect(reference.after_step.size() == fast.after_step.size(), "step counts differ");
    for (std::size_t s = 0; s < reference.after_step.size(); ++s)
        for (std::size_t i = 0; i < c.params.size(); ++i)
            expect(same_bits(reference.after_step[s][i], fast.after_step[s][i]), "kernel differs from the reference");
    return 0;
}
