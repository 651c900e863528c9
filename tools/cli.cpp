// SPDX-License-Identifier: Apache-2.0
#include "cli.hpp"

#include <cstring>

#include "edgeopt/edgeopt.h"

namespace edgeopt::cli {

namespace {

const option* find(const program& p, const std::string& name) {
    for (const option& o : p.options)
        if (name == o.name) return &o;
    return nullptr;
}

}  // namespace

void print_help(const program& p, std::FILE* out) {
    std::fprintf(out, "usage: %s%s%s\n", p.name, *p.arguments ? " " : "", p.arguments);
    if (p.summary && *p.summary) std::fprintf(out, "\n%s\n", p.summary);
    std::fprintf(out, "\noptions:\n");
    for (const option& o : p.options) {
        std::string left = o.name;
        if (o.value) left += std::string(" ") + o.value;
        std::fprintf(out, "  %-20s %s\n", left.c_str(), o.help);
    }
    std::fprintf(out, "  %-20s %s\n  %-20s %s\n", "--help, -h", "this text", "--version",
                 "the program's edgeopt version");
}

int usage_error(const program& p, const std::string& message) {
    std::fprintf(stderr, "%s: %s (%s --help for usage)\n", p.name, message.c_str(), p.name);
    return 2;
}

int parse(const program& p, int argc, char** argv, const on_option& handle, std::vector<std::string>& positional) {
    bool options_done = false;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (options_done || arg.size() < 2 || arg[0] != '-') {
            positional.push_back(arg);
            continue;
        }
        if (arg == "--") {
            options_done = true;
            continue;
        }
        if (arg == "--help" || arg == "-h") {
            print_help(p, stdout);
            return 0;
        }
        if (arg == "--version") {
            std::printf("%s (edgeopt %s)\n", p.name, edgeopt_version());
            return 0;
        }
        const std::size_t equals = arg.find('=');
        const std::string name = arg.substr(0, equals);
        const option* o = find(p, name);
        if (!o) return usage_error(p, "unknown option '" + name + "'");
        const char* value = nullptr;
        if (o->value) {
            if (equals != std::string::npos) {
                value = argv[i] + equals + 1;
            } else if (i + 1 < argc) {
                value = argv[++i];
            } else {
                return usage_error(p, name + " needs a value (" + o->value + ")");
            }
        } else if (equals != std::string::npos) {
            return usage_error(p, name + " takes no value");
        }
        const std::string error = handle(name, value);
        if (!error.empty()) return usage_error(p, error);
    }
    if (positional.size() < p.min_positional)
        return usage_error(p, std::string("missing an argument: ") + p.name + " " + p.arguments);
    if (positional.size() > p.max_positional)
        return usage_error(p, "unexpected argument '" + positional[p.max_positional] + "'");
    return -1;
}

}  // namespace edgeopt::cli
