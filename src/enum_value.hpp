// SPDX-License-Identifier: Apache-2.0
// Enums that come from C callers.  C lets a caller put any int in an enum
// (`edgeopt_validate` with algorithm = 99 is legal C), but in C++ reading an
// enum whose value lies outside the enum's range is undefined behaviour, and
// clang's -fsanitize=enum reports it at the first load -- of a struct field
// or of a by-value parameter alike.  So an enum from the C API is read here,
// as its underlying integer through its bytes (no enum load), range-checked,
// and only then used as the enum.
#pragma once
#include <type_traits>

namespace edgeopt {

template <class E>
std::underlying_type_t<E> enum_value(const E& e) {
    std::underlying_type_t<E> value;
    __builtin_memcpy(&value, &e, sizeof value);
    return value;
}

// True if e holds one of the values [first, end): a listed enumerator for the
// API's contiguous enums (end is their *_COUNT, or the last one + 1).
template <class E>
bool enum_in(const E& e, long long first, long long end) {
    const long long value = static_cast<long long>(enum_value(e));
    return value >= first && value < end;
}

}  // namespace edgeopt
