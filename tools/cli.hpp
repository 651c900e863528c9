// SPDX-License-Identifier: Apache-2.0
// One argument parser for the command-line programs (tools/, examples/), so
// they all behave alike: --help (or -h) prints the usage on stdout and exits
// 0, --version prints the library's version and exits 0, and an unknown
// option, a missing value or a bad one prints one line on stderr and exits 2.
// Long options only, `--name value` or `--name=value`; `--` ends the options.
#pragma once

#include <cstdio>
#include <functional>
#include <string>
#include <vector>

namespace edgeopt::cli {

struct option {
    const char* name;   // "--isa"
    const char* value;  // "NAME" for an option that takes one; nullptr for a flag
    const char* help;   // shown after the name in --help; may hold "\n" + indent for more lines
};

struct program {
    const char* name;       // "edgeopt-replay"
    const char* arguments;  // after the name in the usage line: "[options] CASE_FILE"
    const char* summary;    // the paragraph --help prints under the usage line
    std::vector<option> options;
    std::size_t min_positional = 0, max_positional = 0;
};

// Called once per option on the command line, in order, with the option's
// name and value (nullptr for a flag).  Returns "" to accept it, or the
// reason it is wrong ("unknown optimizer 'x'"): parse() then reports it.
using on_option = std::function<std::string(const std::string& name, const char* value)>;

// -1 when main() should go on (positional arguments in `positional`), else
// the exit status main() should return: 0 after --help / --version, 2 after
// a usage error.
int parse(const program& p, int argc, char** argv, const on_option& handle, std::vector<std::string>& positional);

void print_help(const program& p, std::FILE* out);
// "NAME: message (NAME --help for usage)" on stderr; returns 2.
int usage_error(const program& p, const std::string& message);

}  // namespace edgeopt::cli
