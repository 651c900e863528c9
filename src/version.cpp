// SPDX-License-Identifier: Apache-2.0
// The linked library's version (the macros in version.h give the headers').
#include "edgeopt/edgeopt.h"
#include "edgeopt/version.h"

extern "C" const char* edgeopt_version(void) { return EDGEOPT_VERSION_STRING; }
