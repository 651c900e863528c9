/* SPDX-License-Identifier: Apache-2.0 */
#include "check.h"

#include <stdarg.h>
#include <stdio.h>

static unsigned passed, failed;
static char context[160];

/* A broken kernel fails thousands of checks: the first few say enough. */
#define MAX_PRINTED_FAILURES 20u

bool check_at(bool ok, const char *file, int line, const char *condition) {
  if (ok) {
    ++passed;
    return true;
  }
  if (++failed <= MAX_PRINTED_FAILURES) printf("FAIL %s:%d: %s [%s]\n", file, line, condition, context);
  return false;
}

void check_context(const char *format, ...) {
  va_list arguments;
  va_start(arguments, format);
  vsnprintf(context, sizeof context, format, arguments);
  va_end(arguments);
}

int check_summary(const char *suite) {
  printf("%s: %u passed, %u failed\n", suite, passed, failed);
  return failed == 0 && passed > 0 ? 0 : 1;
}
