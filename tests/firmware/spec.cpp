// SPDX-License-Identifier: Apache-2.0
#include "spec.hpp"

#include <cstddef>
#include <cstdlib>
#include <cstring>

namespace firmware {

namespace {

enum class kind { number, flag, pair };

// One option: where its value goes in edgeopt_config (the options union).
struct option {
    edgeopt_algorithm algorithm;  // EDGEOPT_ADAM also serves EDGEOPT_ADAMW
    const char* key;
    std::size_t offset, second_offset;  // second_offset: beta2 for "betas"
    kind type;
};

#define NUMBER(algorithm, member, field) {algorithm, #field, offsetof(edgeopt_config, member.field), 0, kind::number}
#define FLAG(algorithm, member, field) {algorithm, #field, offsetof(edgeopt_config, member.field), 0, kind::flag}
#define BETAS(algorithm, member) \
    {algorithm, "betas", offsetof(edgeopt_config, member.beta1), offsetof(edgeopt_config, member.beta2), kind::pair}

const option options[] = {
    NUMBER(EDGEOPT_SGD, sgd, lr), NUMBER(EDGEOPT_SGD, sgd, momentum), NUMBER(EDGEOPT_SGD, sgd, dampening),
    NUMBER(EDGEOPT_SGD, sgd, weight_decay), FLAG(EDGEOPT_SGD, sgd, nesterov), FLAG(EDGEOPT_SGD, sgd, maximize),

    NUMBER(EDGEOPT_ADAGRAD, adagrad, lr), NUMBER(EDGEOPT_ADAGRAD, adagrad, lr_decay),
    NUMBER(EDGEOPT_ADAGRAD, adagrad, weight_decay), NUMBER(EDGEOPT_ADAGRAD, adagrad, initial_accumulator_value),
    NUMBER(EDGEOPT_ADAGRAD, adagrad, eps), FLAG(EDGEOPT_ADAGRAD, adagrad, maximize),

    NUMBER(EDGEOPT_RMSPROP, rmsprop, lr), NUMBER(EDGEOPT_RMSPROP, rmsprop, alpha), NUMBER(EDGEOPT_RMSPROP, rmsprop, eps),
    NUMBER(EDGEOPT_RMSPROP, rmsprop, weight_decay), NUMBER(EDGEOPT_RMSPROP, rmsprop, momentum),
    FLAG(EDGEOPT_RMSPROP, rmsprop, centered), FLAG(EDGEOPT_RMSPROP, rmsprop, maximize),

    NUMBER(EDGEOPT_ADADELTA, adadelta, lr), NUMBER(EDGEOPT_ADADELTA, adadelta, rho),
    NUMBER(EDGEOPT_ADADELTA, adadelta, eps), NUMBER(EDGEOPT_ADADELTA, adadelta, weight_decay),
    FLAG(EDGEOPT_ADADELTA, adadelta, maximize),

    NUMBER(EDGEOPT_ADAM, adam, lr), BETAS(EDGEOPT_ADAM, adam), NUMBER(EDGEOPT_ADAM, adam, eps),
    NUMBER(EDGEOPT_ADAM, adam, weight_decay), FLAG(EDGEOPT_ADAM, adam, amsgrad), FLAG(EDGEOPT_ADAM, adam, maximize),

    NUMBER(EDGEOPT_ADAMAX, adamax, lr), BETAS(EDGEOPT_ADAMAX, adamax), NUMBER(EDGEOPT_ADAMAX, adamax, eps),
    NUMBER(EDGEOPT_ADAMAX, adamax, weight_decay), FLAG(EDGEOPT_ADAMAX, adamax, maximize),

    NUMBER(EDGEOPT_NADAM, nadam, lr), BETAS(EDGEOPT_NADAM, nadam), NUMBER(EDGEOPT_NADAM, nadam, eps),
    NUMBER(EDGEOPT_NADAM, nadam, weight_decay), NUMBER(EDGEOPT_NADAM, nadam, momentum_decay),

    NUMBER(EDGEOPT_RADAM, radam, lr), BETAS(EDGEOPT_RADAM, radam), NUMBER(EDGEOPT_RADAM, radam, eps),
    NUMBER(EDGEOPT_RADAM, radam, weight_decay),

    NUMBER(EDGEOPT_LION, lion, lr), BETAS(EDGEOPT_LION, lion), NUMBER(EDGEOPT_LION, lion, weight_decay),
};

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

const char* set_option(edgeopt_config& config, const char* key, char* value) {
    const edgeopt_algorithm family = config.algorithm == EDGEOPT_ADAMW ? EDGEOPT_ADAM : config.algorithm;
    unsigned char* base = reinterpret_cast<unsigned char*>(&config);
    for (const option& o : options) {
        if (o.algorithm != family || std::strcmp(o.key, key) != 0) continue;
        double first = 0.0, second = 0.0;
        switch (o.type) {
            case kind::number:
                if (!parse_double(value, first)) return "an option needs a number";
                std::memcpy(base + o.offset, &first, sizeof first);
                return nullptr;
            case kind::flag: {
                const bool on = std::strcmp(value, "true") == 0;
                if (!on && std::strcmp(value, "false") != 0) return "a flag needs true or false";
                std::memcpy(base + o.offset, &on, sizeof on);
                return nullptr;
            }
            case kind::pair: {
                char* comma = std::strchr(value, ',');
                if (!comma) return "betas needs two numbers";
                *comma = '\0';
                if (!parse_double(value, first) || !parse_double(comma + 1, second)) return "betas needs two numbers";
                std::memcpy(base + o.offset, &first, sizeof first);
                std::memcpy(base + o.second_offset, &second, sizeof second);
                return nullptr;
            }
        }
    }
    return "unknown option for this optimizer";
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
