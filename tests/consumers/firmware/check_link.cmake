# SPDX-License-Identifier: Apache-2.0
# Fails if the firmware image holds code it never calls: the environment
# (getenv, environ: EDGEOPT_FREESTANDING must be on for bare metal) or the
# checkpoint, schedule and conversion functions.
execute_process(COMMAND ${NM} ${ELF} OUTPUT_VARIABLE symbols RESULTS_VARIABLE rc)
if(NOT rc EQUAL 0 OR NOT symbols MATCHES "edgeopt_step")
  message(FATAL_ERROR "cannot read the symbols of ${ELF}")
endif()
foreach(unwanted " getenv\n" " _getenv_r\n" " environ\n" " edgeopt_checkpoint_" " edgeopt_schedule_" " edgeopt_convert\n")
  string(FIND "${symbols}" "${unwanted}" at)
  if(NOT at EQUAL -1)
    string(STRIP "${unwanted}" name)
    message(FATAL_ERROR "${ELF} links ${name}, which it never calls")
  endif()
endforeach()
