// SPDX-License-Identifier: Apache-2.0
#include "case_file.hpp"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <sstream>

namespace edgeopt::casefile {

namespace {

bool parse_double(const std::string& text, double& out) {
    if (text.empty()) return false;
    char* end = nullptr;
    errno = 0;
    out = std::strtod(text.c_str(), &end);
    return *end == '\0' && errno != ERANGE;
}

bool parse_bool(const std::string& text, bool& out) {
    if (text == "true") return out = true, true;
    if (text == "false") return out = false, true;
    return false;
}

bool parse_pair(const std::string& text, double& first, double& second) {
    const auto comma = text.find(',');
    return comma != std::string::npos && parse_double(text.substr(0, comma), first) &&
           parse_double(text.substr(comma + 1), second);
}

// One option of one algorithm: how to store its value.
struct option_target {
    double* number = nullptr;
    bool* flag = nullptr;
    double* pair_second = nullptr;  // for betas: number is beta1
};

option_target find_option(edgeopt_config& c, const std::string& key) {
    auto is = [&](const char* name) { return key == name; };
    switch (c.algorithm) {
        case EDGEOPT_SGD: {
            auto& o = c.sgd;
            if (is("lr")) return {&o.lr};
            if (is("momentum")) return {&o.momentum};
            if (is("dampening")) return {&o.dampening};
            if (is("weight_decay")) return {&o.weight_decay};
            if (is("nesterov")) return {nullptr, &o.nesterov};
            if (is("maximize")) return {nullptr, &o.maximize};
            break;
        }
        case EDGEOPT_ADAGRAD: {
            auto& o = c.adagrad;
            if (is("lr")) return {&o.lr};
            if (is("lr_decay")) return {&o.lr_decay};
            if (is("weight_decay")) return {&o.weight_decay};
            if (is("initial_accumulator_value")) return {&o.initial_accumulator_value};
            if (is("eps")) return {&o.eps};
            if (is("maximize")) return {nullptr, &o.maximize};
            break;
        }
        case EDGEOPT_RMSPROP: {
            auto& o = c.rmsprop;
            if (is("lr")) return {&o.lr};
            if (is("alpha")) return {&o.alpha};
            if (is("eps")) return {&o.eps};
            if (is("weight_decay")) return {&o.weight_decay};
            if (is("momentum")) return {&o.momentum};
            if (is("centered")) return {nullptr, &o.centered};
            if (is("maximize")) return {nullptr, &o.maximize};
            break;
        }
        case EDGEOPT_ADADELTA: {
            auto& o = c.adadelta;
            if (is("lr")) return {&o.lr};
            if (is("rho")) return {&o.rho};
            if (is("eps")) return {&o.eps};
            if (is("weight_decay")) return {&o.weight_decay};
            if (is("maximize")) return {nullptr, &o.maximize};
            break;
        }
        case EDGEOPT_ADAM:
        case EDGEOPT_ADAMW: {
            auto& o = c.adam;
            if (is("lr")) return {&o.lr};
            if (is("betas")) return {&o.beta1, nullptr, &o.beta2};
            if (is("eps")) return {&o.eps};
            if (is("weight_decay")) return {&o.weight_decay};
            if (is("amsgrad")) return {nullptr, &o.amsgrad};
            if (is("maximize")) return {nullptr, &o.maximize};
            break;
        }
        case EDGEOPT_ADAMAX: {
            auto& o = c.adamax;
            if (is("lr")) return {&o.lr};
            if (is("betas")) return {&o.beta1, nullptr, &o.beta2};
            if (is("eps")) return {&o.eps};
            if (is("weight_decay")) return {&o.weight_decay};
            if (is("maximize")) return {nullptr, &o.maximize};
            break;
        }
        case EDGEOPT_NADAM: {
            auto& o = c.nadam;
            if (is("lr")) return {&o.lr};
            if (is("betas")) return {&o.beta1, nullptr, &o.beta2};
            if (is("eps")) return {&o.eps};
            if (is("weight_decay")) return {&o.weight_decay};
            if (is("momentum_decay")) return {&o.momentum_decay};
            break;
        }
        case EDGEOPT_RADAM: {
            auto& o = c.radam;
            if (is("lr")) return {&o.lr};
            if (is("betas")) return {&o.beta1, nullptr, &o.beta2};
            if (is("eps")) return {&o.eps};
            if (is("weight_decay")) return {&o.weight_decay};
            break;
        }
        case EDGEOPT_LION: {
            auto& o = c.lion;
            if (is("lr")) return {&o.lr};
            if (is("betas")) return {&o.beta1, nullptr, &o.beta2};
            if (is("weight_decay")) return {&o.weight_decay};
            break;
        }
    }
    return {};
}

// Values are floats: a finite number past float's range (1e39) would become
// inf in the narrowing, so it is refused like 1e999 (which strtod refuses).
bool parse_floats(std::istringstream& words, std::vector<float>& out, std::string& error) {
    std::string word;
    while (words >> word) {
        double value = 0.0;
        if (!parse_double(word, value)) {
            error = "not a number: '" + word + "'";
            return false;
        }
        if (std::isfinite(value) && std::isinf(static_cast<float>(value))) {
            error = "out of float's range: '" + word + "'";
            return false;
        }
        out.push_back(static_cast<float>(value));
    }
    return true;
}

}  // namespace

bool set_option(edgeopt_config& config, const std::string& key, const std::string& value, std::string& error) {
    const option_target target = find_option(config, key);
    bool ok = false;
    if (target.pair_second) {
        ok = parse_pair(value, *target.number, *target.pair_second);
        if (!ok) error = "betas needs two numbers, like betas=0.9,0.999";
    } else if (target.number) {
        ok = parse_double(value, *target.number);
        if (!ok) error = "option " + key + " needs a number, got '" + value + "'";
    } else if (target.flag) {
        ok = parse_bool(value, *target.flag);
        if (!ok) error = "option " + key + " needs true or false, got '" + value + "'";
    } else {
        error = std::string("unknown option '") + key + "' for " + edgeopt_algorithm_name(config.algorithm);
    }
    return ok;
}

bool parse(std::istream& in, replay_case& out, std::string& error) {
    out = replay_case{};
    bool have_optimizer = false, have_params = false;
    std::optional<double> pending_lr;
    int pending_lr_line = 0;
    std::string text;
    int line = 0;
    auto fail = [&](const std::string& what) {
        error = "line " + std::to_string(line) + ": " + what;
        return false;
    };
    while (std::getline(in, text)) {
        ++line;
        // strtod and the C API stop at a NUL, so text after one would be read as something else.
        const auto nul = text.find('\0');
        if (nul != std::string::npos) return fail("a NUL byte at column " + std::to_string(nul + 1));
        const auto hash = text.find('#');
        if (hash != std::string::npos) text.resize(hash);
        std::istringstream words(text);
        std::string keyword;
        if (!(words >> keyword)) continue;
        std::string what;
        if (keyword == "optimizer") {
            if (have_optimizer) return fail("a second 'optimizer' line");
            std::string name;
            edgeopt_algorithm algorithm{};
            if (!(words >> name) || !edgeopt_algorithm_parse(name.c_str(), &algorithm))
                return fail("unknown optimizer '" + name + "'");
            out.config = edgeopt_defaults(algorithm);
            for (std::string option; words >> option;) {
                const auto eq = option.find('=');
                if (eq == std::string::npos) return fail("expected key=value, got '" + option + "'");
                if (!set_option(out.config, option.substr(0, eq), option.substr(eq + 1), what)) return fail(what);
            }
            const edgeopt_status valid = edgeopt_validate(&out.config);
            if (valid != EDGEOPT_OK) return fail(edgeopt_status_message(valid));
            have_optimizer = true;
        } else if (!have_optimizer) {
            return fail("the first line must be 'optimizer NAME ...'");
        } else if (keyword == "params") {
            if (have_params) return fail("a second 'params' line");
            if (!parse_floats(words, out.params, what)) return fail(what);
            if (out.params.empty()) return fail("'params' needs at least one value");
            have_params = true;
        } else if (!have_params) {
            return fail("'" + keyword + "' before 'params'");
        } else if (keyword == "grad") {
            step s;
            s.line = line;
            s.lr = pending_lr;
            s.lr_line = pending_lr_line;
            pending_lr.reset();
            if (!parse_floats(words, s.grad, what)) return fail(what);
            if (s.grad.size() != out.params.size())
                return fail("grad has " + std::to_string(s.grad.size()) + " values, params has " +
                            std::to_string(out.params.size()));
            out.steps.push_back(std::move(s));
        } else if (keyword == "lr") {
            double lr = 0.0;
            std::string value, extra;
            if (!(words >> value) || !parse_double(value, lr) || (words >> extra)) return fail("lr needs one number");
            pending_lr = lr;
            pending_lr_line = line;
        } else if (keyword == "expect") {
            if (out.steps.empty() || out.steps.back().expect) return fail("'expect' must follow a 'grad' line");
            std::vector<float> expect;
            if (!parse_floats(words, expect, what)) return fail(what);
            if (expect.size() != out.params.size()) return fail("expect has another length than params");
            out.steps.back().expect = std::move(expect);
            out.steps.back().expect_line = line;
        } else {
            return fail("unknown keyword '" + keyword + "'");
        }
    }
    if (line == 0) line = 1;  // an empty file: its first line is missing
    if (!have_optimizer) return fail("no 'optimizer' line");
    if (!have_params) return fail("no 'params' line");
    if (pending_lr) {
        line = pending_lr_line;
        return fail("'lr' after the last 'grad' line applies to no step");
    }
    return true;
}

}  // namespace edgeopt::casefile

namespace edgeopt::casefile {

bool run(const replay_case& c, edgeopt_isa isa, trajectory& out, std::string& error) {
    out.after_step.clear();
    std::vector<float> params = c.params;
    const size_t length = params.size();
    std::vector<unsigned char> arena(edgeopt_state_bytes(&c.config, &length, 1));
    edgeopt_optimizer opt;
    edgeopt_status status = edgeopt_init(&opt, &c.config, &length, 1, arena.data(), arena.size());
    if (status == EDGEOPT_OK && isa != EDGEOPT_ISA_AUTO) status = edgeopt_set_isa(&opt, isa);
    if (status != EDGEOPT_OK) {
        error = std::string("line 1: ") + edgeopt_status_message(status);
        return false;
    }
    for (const step& s : c.steps) {
        if (s.lr && (status = edgeopt_set_lr(&opt, *s.lr)) != EDGEOPT_OK) {
            error = "line " + std::to_string(s.lr_line) + ": " + edgeopt_status_message(status);
            return false;
        }
        const edgeopt_tensor tensor{params.data(), s.grad.data(), length};
        if ((status = edgeopt_step(&opt, &tensor, 1)) != EDGEOPT_OK) {
            error = "line " + std::to_string(s.line) + ": " + edgeopt_status_message(status);
            return false;
        }
        out.after_step.push_back(params);
    }
    return true;
}

}  // namespace edgeopt::casefile
