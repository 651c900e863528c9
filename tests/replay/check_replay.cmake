# SPDX-License-Identifier: Apache-2.0
cmake_policy(SET CMP0057 NEW)  # if(IN_LIST) in script mode
# Runs edgeopt-replay on small hand-made files and checks its output, exit
# status and error messages (ctest -P script; EMULATOR is set when cross-compiling).
function(replay file out_var err_var rc_var)
  execute_process(COMMAND ${EMULATOR} ${REPLAY} ${ARGN} ${CASES}/${file}
    OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
  set(${out_var} "${out}" PARENT_SCOPE)
  set(${err_var} "${err}" PARENT_SCOPE)
  set(${rc_var} "${rc}" PARENT_SCOPE)
endfunction()

# SGD by hand: p - 0.1*g, then lr 0.5 for the second step.
replay(sgd_by_hand.case out err rc)
if(NOT rc EQUAL 0 OR NOT out STREQUAL "params 0.75 1.39999998 -3\n")
  message(FATAL_ERROR "sgd_by_hand: rc=${rc} out='${out}' err='${err}'")
endif()

# Every kernel this machine can run prints the same.
execute_process(COMMAND ${EMULATOR} ${REPLAY} --list-isas OUTPUT_VARIABLE isas RESULT_VARIABLE rc)
string(STRIP "${isas}" isas)
string(REPLACE "\n" ";" isas "${isas}")
if(NOT rc EQUAL 0 OR NOT "scalar" IN_LIST isas)
  message(FATAL_ERROR "--list-isas: rc=${rc} '${isas}'")
endif()
foreach(isa ${isas})
  replay(sgd_by_hand.case out2 err rc --isa ${isa})
  if(NOT rc EQUAL 0 OR NOT out2 STREQUAL out)
    message(FATAL_ERROR "--isa ${isa}: rc=${rc} printed '${out2}' ${err}")
  endif()
endforeach()

# Bad files: non-zero exit, one stderr line naming the line.
foreach(pair "bad_option.case|line 2: unknown option 'amsgrad' for adamax"
             "bad_length.case|line 4: grad has 2 values, params has 3"
             "bad_number.case|line 3: not a number: '0.1x'"
             "bad_lr.case|line 5: invalid learning rate"
             "bad_keyword.case|line 3: unknown keyword 'grads'")
  string(REPLACE "|" ";" parts "${pair}")
  list(GET parts 0 file)
  list(GET parts 1 expected)
  replay(${file} out err rc)
  if(rc EQUAL 0 OR NOT err MATCHES "${expected}")
    message(FATAL_ERROR "${file}: rc=${rc} err='${err}', expected '${expected}'")
  endif()
  string(REGEX MATCHALL "\n" newlines "${err}")
  list(LENGTH newlines lines)
  if(NOT lines EQUAL 1)
    message(FATAL_ERROR "${file}: expected one line on stderr, got '${err}'")
  endif()
endforeach()
