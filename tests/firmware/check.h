/* SPDX-License-Identifier: Apache-2.0 */
/* The firmware tests' check harness: no heap, no exceptions, plain C.
 * Each CHECK counts one pass or failure; a failure prints the file, line,
 * condition and the current context. check_summary() prints
 * "SUITE: N passed, N failed" and gives main's exit status. */
#ifndef EDGEOPT_FIRMWARE_CHECK_H
#define EDGEOPT_FIRMWARE_CHECK_H

#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

bool check_at(bool ok, const char *file, int line, const char *condition);
/* printf-style description of what is being checked, shown with failures. */
void check_context(const char *format, ...) __attribute__((format(printf, 1, 2)));
int check_summary(const char *suite);

#define CHECK(condition) check_at((condition), __FILE__, __LINE__, #condition)

#ifdef __cplusplus
}
#endif

#endif
