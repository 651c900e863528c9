# SPDX-License-Identifier: Apache-2.0
# Firmware discipline of libedgeopt.a, checked on the archive and on a link of
# the library alone (no board runtime, no startup files):
#   - it never allocates: linked with every allocator wrapped to an undefined
#     __wrap_ symbol, it still links, even through what it pulls from
#     libc/libm; the control (no_alloc.c calling malloc) must then fail;
#   - no static constructors: no .init_array/.preinit_array/.ctors content;
#   - no exceptions or RTTI: no exception tables, typeinfo or vtables, and
#     nothing outside a short allow-list of C runtime symbols is imported.
# cmake -DCC=... -DFLAGS=... -DNM=... -DOBJDUMP=... -DLIBRARY=... -DSOURCE=no_alloc.c
#       -DINCLUDE=... -DWORK=dir -P check_library.cmake
set(failures 0)
# report(WHAT CONDITION...): one check, CONDITION as for if().
function(report what)
  if(${ARGN})
    message(STATUS "ok   ${what}")
  else()
    message(STATUS "FAIL ${what}")
    math(EXPR failures "${failures} + 1")
    set(failures ${failures} PARENT_SCOPE)
  endif()
endfunction()

separate_arguments(flags NATIVE_COMMAND "${FLAGS}")
set(wrapped malloc free calloc realloc _malloc_r _free_r _calloc_r _realloc_r _Znwj _Znaj _ZdlPv _ZdaPv _ZdlPvj)
list(JOIN wrapped ",--wrap=" wraps)
# -nostdlib: nothing but the library, what it needs from libm/libc/libgcc, and main.
function(link_alone output)
  execute_process(
    COMMAND ${CC} ${flags} -I${INCLUDE} ${ARGN} ${SOURCE} -nostdlib -Wl,--entry=main -Wl,--wrap=${wraps}
            -Wl,--whole-archive ${LIBRARY} -Wl,--no-whole-archive -Wl,--start-group -lm -lc -lgcc -Wl,--end-group
            -o ${output}
    RESULT_VARIABLE status OUTPUT_VARIABLE log ERROR_VARIABLE log)
  set(link_status ${status} PARENT_SCOPE)
  set(link_log "${log}" PARENT_SCOPE)
endfunction()

link_alone(${WORK}/library-alone.elf)
if(NOT link_status EQUAL 0)
  message(STATUS "${link_log}")
endif()
report("the whole library links with every allocator wrapped away" link_status EQUAL 0)
link_alone(${WORK}/no-alloc-control.elf -DNO_ALLOC_CONTROL)
string(FIND "${link_log}" "__wrap_malloc" control_caught)
report("control: a malloc call in the same link fails to link" control_caught GREATER -1)

# Both the archive's objects and the link (which adds what libc/libm bring).
execute_process(COMMAND ${OBJDUMP} -h ${LIBRARY} ${WORK}/library-alone.elf OUTPUT_VARIABLE sections ERROR_QUIET)
string(REGEX MATCH "\\.(init_array|preinit_array|ctors)[^ ]*[ ]+0*[1-9a-f]" constructors "${sections}")
report("no static constructors (.init_array, .preinit_array, .ctors empty)" NOT constructors)

string(FIND "${sections}" ".gcc_except_table" except_table)
report("no exception tables (.gcc_except_table)" except_table EQUAL -1)

execute_process(COMMAND ${NM} -g --defined-only ${LIBRARY} OUTPUT_VARIABLE defined)
string(REGEX MATCHALL " [A-Za-z] _ZT[ISV][^\n]*" rtti "${defined}")
report("no typeinfo or vtables (RTTI, virtual functions)" NOT rtti)

# Imports: only these C runtime symbols; everything else the archive defines itself.
execute_process(COMMAND ${NM} -u ${LIBRARY} OUTPUT_VARIABLE undefined)
string(REGEX MATCHALL "U [^\n]+" imports "${undefined}")
list(TRANSFORM imports REPLACE "^U " "")
list(REMOVE_DUPLICATES imports)
set(unexpected "")
foreach(symbol IN LISTS imports)
  string(FIND "${defined}" " ${symbol}\n" inside)
  if(inside EQUAL -1 AND NOT symbol MATCHES "^(mem(cpy|set|move|cmp)|strcmp|sqrtf?|floor|ldexp|frexp|__aeabi_[a-z0-9]+)$")
    list(APPEND unexpected ${symbol})
  endif()
endforeach()
report("imports only mem*, strcmp, sqrt, floor, ldexp, frexp and __aeabi_* ${unexpected}" NOT unexpected)

if(failures GREATER 0)
  message(FATAL_ERROR "library discipline: ${failures} check(s) failed")
endif()
message(STATUS "library discipline: all checks passed")
