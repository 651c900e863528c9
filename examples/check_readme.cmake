# SPDX-License-Identifier: Apache-2.0
# README's C snippet is examples/quickstart.c (without its SPDX line), so the
# program the tests build and run is the one readers copy.
#   cmake -DREADME=README.md -DSOURCE=examples/quickstart.c -P check_readme.cmake
file(READ ${README} readme)
file(READ ${SOURCE} source)
string(FIND "${readme}" "### C\n\n```c\n" start)
if(start EQUAL -1)
  message(FATAL_ERROR "README has no '### C' section with a c code block")
endif()
string(LENGTH "### C\n\n```c\n" skip)
math(EXPR start "${start} + ${skip}")
string(SUBSTRING "${readme}" ${start} -1 rest)
string(FIND "${rest}" "```" end)
string(SUBSTRING "${rest}" 0 ${end} snippet)
string(REGEX REPLACE "^/\\* SPDX-License-Identifier: [^\n]*\n" "" source "${source}")
if(NOT snippet STREQUAL source)
  message(FATAL_ERROR "README's C snippet differs from ${SOURCE}")
endif()
