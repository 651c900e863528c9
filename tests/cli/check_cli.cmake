# SPDX-License-Identifier: Apache-2.0
# A command-line program behaves like a tool (tools/cli.hpp): --help on stdout
# with exit 0, --version with exit 0, an unknown option as one line on stderr
# with exit 2 and nothing on stdout.
#   cmake -DPROGRAM=path -DNAME=edgeopt-replay -DVERSION=0.1.0 [-DEMULATOR=...] -P check_cli.cmake
function(run_program)
  execute_process(COMMAND ${EMULATOR} ${PROGRAM} ${ARGN}
    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  set(rc "${rc}" PARENT_SCOPE)
  set(out "${out}" PARENT_SCOPE)
  set(err "${err}" PARENT_SCOPE)
endfunction()

run_program(--help)
if(NOT rc EQUAL 0 OR NOT out MATCHES "^usage: ${NAME}" OR NOT err STREQUAL "")
  message(FATAL_ERROR "--help: exit ${rc}, stdout '${out}', stderr '${err}'")
endif()
if(NOT out MATCHES "--version")
  message(FATAL_ERROR "--help does not list --version:\n${out}")
endif()

run_program(--version)
if(NOT rc EQUAL 0 OR NOT out STREQUAL "${NAME} (edgeopt ${VERSION})\n")
  message(FATAL_ERROR "--version: exit ${rc}, stdout '${out}'")
endif()

run_program(--no-such-option)
string(REGEX MATCHALL "\n" newlines "${err}")
list(LENGTH newlines lines)
if(NOT rc EQUAL 2 OR NOT out STREQUAL "" OR NOT lines EQUAL 1 OR NOT err MATCHES "unknown option '--no-such-option'")
  message(FATAL_ERROR "--no-such-option: exit ${rc}, stdout '${out}', stderr '${err}'")
endif()
