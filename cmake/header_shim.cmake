# SPDX-License-Identifier: Apache-2.0
# A folder in our own build tree (PROJECT_BINARY_DIR, never a parent
# project's build root) holding only a link to one header folder (xsimd/,
# doctest/), so the host's /usr/include never lands on the include path: for
# cross builds its libc headers would shadow the target's.
function(edgeopt_header_shim name root out_dir)
  set(shim ${PROJECT_BINARY_DIR}/${name}-shim)
  file(MAKE_DIRECTORY ${shim})
  if(NOT EXISTS ${shim}/${name})
    file(CREATE_LINK ${root}/${name} ${shim}/${name} SYMBOLIC)
  endif()
  set(${out_dir} ${shim} PARENT_SCOPE)
endfunction()
