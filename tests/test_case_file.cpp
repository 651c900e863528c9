// SPDX-License-Identifier: Apache-2.0
// The case-file reader: what it refuses, with the line number.  Issue 14
// found an embedded NUL read as a word break (`grad 1<NUL>junk 2` was
// `grad 1 2`), params past float's range turned into inf, an lr after the
// last grad silently dropped, and an empty params line accepted.
#include <doctest/doctest.h>

#include <sstream>
#include <string>

#include "case_file.hpp"

namespace {

std::string parse_error(const std::string& text) {
    std::istringstream in(text);
    edgeopt::casefile::replay_case c;
    std::string error;
    if (edgeopt::casefile::parse(in, c, error)) return "accepted";
    return error;
}

const std::string header = "optimizer sgd lr=0.1\nparams 1 2\n";

}  // namespace

TEST_CASE("case file: a well-formed file parses") {
    CHECK(parse_error(header + "grad 0.5 0.25\nlr 0.2\ngrad 1 1\nexpect 0.7 1.7\n") == "accepted");
}

TEST_CASE("case file: an empty file names line 1") {  // found by fuzz_case_file: it said "line 0"
    CHECK(parse_error("") == "line 1: no 'optimizer' line");
}

TEST_CASE("case file: an embedded NUL byte is an error on its line") {
    using namespace std::string_literals;
    CHECK(parse_error(header + "grad 1\0junk 2\n"s) == "line 3: a NUL byte at column 7");
    CHECK(parse_error("optimizer sgd\0 lr=0.1\nparams 1\n"s) == "line 1: a NUL byte at column 14");
    CHECK(parse_error(header + "# comment \0 too\n"s) == "line 3: a NUL byte at column 11");
}

TEST_CASE("case file: a finite number beyond float's range is an error, not inf") {
    CHECK(parse_error("optimizer sgd lr=0.1\nparams 1e39 2\n") == "line 2: out of float's range: '1e39'");
    CHECK(parse_error(header + "grad -1e39 0\n") == "line 3: out of float's range: '-1e39'");
    CHECK(parse_error(header + "grad 3.4028235e38 0\n") == "accepted");  // FLT_MAX itself
    CHECK(parse_error("optimizer sgd lr=0.1\nparams 1e999\n") == "line 2: not a number: '1e999'");
}

TEST_CASE("case file: an lr after the last grad is an error") {
    CHECK(parse_error(header + "grad 1 1\nlr 0.5\n") == "line 4: 'lr' after the last 'grad' line applies to no step");
    CHECK(parse_error(header + "lr 0.5\n") == "line 3: 'lr' after the last 'grad' line applies to no step");
}

TEST_CASE("case file: an empty params line is an error") {
    CHECK(parse_error("optimizer sgd lr=0.1\nparams\ngrad\n") == "line 2: 'params' needs at least one value");
    CHECK(parse_error("optimizer sgd lr=0.1\nparams # none\n") == "line 2: 'params' needs at least one value");
}

TEST_CASE("case file: form=folded selects the folded form where there is one") {
    CHECK(parse_error("optimizer adam form=folded\nparams 1 2\ngrad 1 1\n") == "accepted");
    CHECK(parse_error("optimizer adam form=torch\nparams 1 2\ngrad 1 1\n") == "accepted");
    CHECK(parse_error("optimizer adam form=fold\nparams 1\n") == "line 1: option form needs torch or folded, got 'fold'");
    CHECK(parse_error("optimizer sgd lr=0.1 form=folded\nparams 1\n").find("line 1: invalid form") == 0);
}
