// SPDX-License-Identifier: Apache-2.0
#include "case_file.hpp"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
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

// The options a torch keyword sets, from the library's introspection: one
// field, or a tuple's fields in their tuple order (betas, etas, step_sizes).
struct option_target {
    edgeopt_option_kind kind = EDGEOPT_OPTION_REAL;
    std::vector<std::size_t> offsets;  // into edgeopt_config, by tuple index
};

option_target find_option(edgeopt_algorithm algorithm, const std::string& key) {
    option_target target;
    const std::size_t count = edgeopt_option_count(algorithm);
    for (std::size_t i = 0; i < count; ++i) {
        edgeopt_option_info info;
        if (edgeopt_option_describe(algorithm, i, &info) != EDGEOPT_OK || key != info.torch_keyword) continue;
        const std::size_t index = info.torch_index < 0 ? 0 : static_cast<std::size_t>(info.torch_index);
        if (target.offsets.size() <= index) target.offsets.resize(index + 1);
        target.offsets[index] = info.offset;
        target.kind = info.kind;
    }
    return target;
}

// "a,b,c" into its words.
std::vector<std::string> split_commas(const std::string& text) {
    std::vector<std::string> words;
    std::size_t start = 0;
    for (std::size_t comma; (comma = text.find(',', start)) != std::string::npos; start = comma + 1)
        words.push_back(text.substr(start, comma - start));
    words.push_back(text.substr(start));
    return words;
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
    if (key == "form") {  // edgeopt's own (edgeopt_form); edgeopt_validate refuses folded where there is none
        if (value != "torch" && value != "folded") {
            error = "option form needs torch or folded, got '" + value + "'";
            return false;
        }
        config.form = value == "folded" ? EDGEOPT_FORM_FOLDED : EDGEOPT_FORM_TORCH;
        return true;
    }
    const option_target target = find_option(config.algorithm, key);
    unsigned char* base = reinterpret_cast<unsigned char*>(&config);
    if (target.offsets.empty()) {
        error = std::string("unknown option '") + key + "' for " + edgeopt_algorithm_name(config.algorithm);
        return false;
    }
    if (target.kind == EDGEOPT_OPTION_FLAG) {
        bool flag = false;
        if (!parse_bool(value, flag)) {
            error = "option " + key + " needs true or false, got '" + value + "'";
            return false;
        }
        std::memcpy(base + target.offsets[0], &flag, sizeof flag);
        return true;
    }
    const std::vector<std::string> words = split_commas(value);
    std::vector<double> numbers(words.size());
    bool ok = words.size() == target.offsets.size();
    for (std::size_t i = 0; ok && i < words.size(); ++i) ok = parse_double(words[i], numbers[i]);
    if (!ok) {
        if (target.offsets.size() == 1) {
            error = "option " + key + " needs a number, got '" + value + "'";
        } else {
            error = key + " needs " + std::to_string(target.offsets.size()) + " numbers, like " + key + "=";
            const edgeopt_config defaults = edgeopt_defaults(config.algorithm);
            for (std::size_t i = 0; i < target.offsets.size(); ++i) {
                double d = 0.0;
                std::memcpy(&d, reinterpret_cast<const unsigned char*>(&defaults) + target.offsets[i], sizeof d);
                std::ostringstream text;
                text << d;
                error += (i ? "," : "") + text.str();
            }
        }
        return false;
    }
    for (std::size_t i = 0; i < numbers.size(); ++i) std::memcpy(base + target.offsets[i], &numbers[i], sizeof(double));
    return true;
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
        } else if (keyword == "state") {
            if (out.steps.empty() || !out.steps.back().expect) return fail("'state' must follow an 'expect' line");
            step::state_expectation e;
            e.line = line;
            if (!(words >> e.slot)) return fail("state needs a slot name and values");
            if (!parse_floats(words, e.values, what)) return fail(what);
            if (e.values.size() != out.params.size()) return fail("state has another length than params");
            out.steps.back().expect_state.push_back(std::move(e));
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
    out.state_after_step.clear();
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
        std::vector<std::vector<float>> states;
        for (const step::state_expectation& e : s.expect_state) {
            unsigned slot = 0;
            while (slot < 3 && !(edgeopt_state_slot_used(&c.config, slot) &&
                                 e.slot == edgeopt_state_slot_name(&c.config, slot)))
                ++slot;
            std::vector<float> values(length);
            if (slot == 3 || edgeopt_state_read(&opt, 0, slot, values.data()) != EDGEOPT_OK) {
                error = "line " + std::to_string(e.line) + ": these options have no state '" + e.slot + "'";
                return false;
            }
            states.push_back(std::move(values));
        }
        out.state_after_step.push_back(std::move(states));
    }
    return true;
}

namespace {

bool same_bits(float a, float b) { return std::memcmp(&a, &b, sizeof a) == 0; }

std::string mismatch(int line, std::size_t i, float got, float expected) {
    char text[160];
    std::snprintf(text, sizeof text, "line %d: value %zu is %.9g, expected %.9g", line, i + 1,
                  static_cast<double>(got), static_cast<double>(expected));
    return text;
}

}  // namespace

std::string first_mismatch(const replay_case& c, const trajectory& t) {
    for (std::size_t s = 0; s < c.steps.size() && s < t.after_step.size(); ++s) {
        if (c.steps[s].expect) {
            const std::vector<float>& expect = *c.steps[s].expect;
            for (std::size_t i = 0; i < expect.size(); ++i)
                if (!same_bits(expect[i], t.after_step[s][i]))
                    return mismatch(c.steps[s].expect_line, i, t.after_step[s][i], expect[i]);
        }
        for (std::size_t k = 0; k < c.steps[s].expect_state.size(); ++k) {
            const step::state_expectation& e = c.steps[s].expect_state[k];
            for (std::size_t i = 0; i < e.values.size(); ++i)
                if (!same_bits(e.values[i], t.state_after_step[s][k][i]))
                    return mismatch(e.line, i, t.state_after_step[s][k][i], e.values[i]);
        }
    }
    return "";
}

}  // namespace edgeopt::casefile
