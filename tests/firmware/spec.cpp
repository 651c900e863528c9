// SPDX-License-Identifier: Apache-2.0
#include "spec.hpp"

#include <cstddef>
#include <cstdlib>
#include <cstring>

namespace firmware {

namespace {

bool is_end(char c) { return c == '\0' || c == '\n' || c == '#'; }
bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

const char* skip_blanks(const char* text) {
    while (is_blank(*text)) ++text;
    return text;
}

// Copies the word at `text` into `word` (NUL-terminated) and returns what follows it.
const char* next_word(const char* text, char* word, std::size_t capacity) {
    std::size_t n = 0;
    for (; !is_end(*text) && !is_blank(*text); ++text)
        if (n + 1 < capacity) word[n++] = *text;
    word[n] = '\0';
    return text;
}

bool parse_double(const char* text, double& out) {
    char* end = nullptr;
    out = std::strtod(text, &end);
    return end != text && *end == '\0';
}

// Sets the options a torch keyword names, found through the library's
// introspection (edgeopt_option_describe): one number or flag, or a tuple
// ("betas=0.9,0.999") whose fields give their place in it.
const char* set_option(edgeopt_config& config, const char* key, char* value) {
    if (std::strcmp(key, "form") == 0) {  // edgeopt's own (edgeopt_form), as in host case files
        const bool folded = std::strcmp(value, "folded") == 0;
        if (!folded && std::strcmp(value, "torch") != 0) return "form needs torch or folded";
        config.form = folded ? EDGEOPT_FORM_FOLDED : EDGEOPT_FORM_TORCH;
        return nullptr;
    }
    unsigned char* base = reinterpret_cast<unsigned char*>(&config);
    bool found = false;
    const std::size_t count = edgeopt_option_count(config.algorithm);
    for (std::size_t i = 0; i < count; ++i) {
        edgeopt_option_info info;
        if (edgeopt_option_describe(config.algorithm, i, &info) != EDGEOPT_OK) return "option introspection failed";
        if (std::strcmp(info.torch_keyword, key) != 0) continue;
        found = true;
        if (info.kind == EDGEOPT_OPTION_FLAG) {
            const bool on = std::strcmp(value, "true") == 0;
            if (!on && std::strcmp(value, "false") != 0) return "a flag needs true or false";
            std::memcpy(base + info.offset, &on, sizeof on);
            continue;
        }
        if (info.torch_index < 0 && std::strchr(value, ',')) return "an option needs a number";
        // The tuple's element torch_index: the words are separated by commas.
        char* word = value;
        for (int k = 0; k < info.torch_index && word; ++k) {
            word = std::strchr(word, ',');
            if (word) ++word;
        }
        if (!word) return "a tuple option needs one number per element";
        char number[32];
        std::size_t n = 0;
        while (word[n] != '\0' && word[n] != ',' && n + 1 < sizeof number) number[n] = word[n], ++n;
        number[n] = '\0';
        double parsed = 0.0;
        if (!parse_double(number, parsed)) return "an option needs a number";
        std::memcpy(base + info.offset, &parsed, sizeof parsed);
    }
    return found ? nullptr : "unknown option for this optimizer";
}

}  // namespace

const char* parse_spec(const char* text, edgeopt_config& out) {
    char word[64];
    text = next_word(skip_blanks(text), word, sizeof word);
    edgeopt_algorithm algorithm{};
    if (!edgeopt_algorithm_parse(word, &algorithm)) return "unknown optimizer";
    out = edgeopt_defaults(algorithm);
    for (text = skip_blanks(text); !is_end(*text); text = skip_blanks(text)) {
        text = next_word(text, word, sizeof word);
        char* equals = std::strchr(word, '=');
        if (!equals) return "expected key=value";
        *equals = '\0';
        if (const char* error = set_option(out, word, equals + 1)) return error;
    }
    return nullptr;
}

int parse_floats(const char* text, float* out, int capacity) {
    int count = 0;
    for (text = skip_blanks(text); !is_end(*text); text = skip_blanks(text)) {
        char* end = nullptr;
        // strtod then a cast, as the host's case reader does: the same float.
        const double value = std::strtod(text, &end);
        if (end == text || !(is_end(*end) || is_blank(*end)) || count == capacity) return -1;
        out[count++] = static_cast<float>(value);
        text = end;
    }
    return count;
}

}  // namespace firmware
