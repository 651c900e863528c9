# SPDX-License-Identifier: Apache-2.0
# A folder in our own build tree (PROJECT_BINARY_DIR, never a parent
# project's build root) holding only a link to one header folder (xsimd/,
# doctest/), so the host's /usr/include never lands on the include path: for
# cross builds its libc headers would shadow the target's.
#
# OVERRIDES <dir>: files under <dir> (same relative paths as under
# <root>/<name>) replace the originals.  The shim then mirrors the header
# tree as real folders of per-file links, with the overriding files linked in
# their place; every other header is still the installed one.
function(edgeopt_header_shim name root out_dir)
  cmake_parse_arguments(PARSE_ARGV 3 shim_arg "" "OVERRIDES" "")
  set(shim ${PROJECT_BINARY_DIR}/${name}-shim)
  set(top ${shim}/${name})
  if(shim_arg_OVERRIDES)
    if(IS_SYMLINK ${top})  # a build tree configured before the overrides existed
      file(REMOVE ${top})
    endif()
    file(GLOB_RECURSE headers RELATIVE ${root}/${name} ${root}/${name}/*)
    foreach(header IN LISTS headers)
      set(source ${root}/${name}/${header})
      if(EXISTS ${shim_arg_OVERRIDES}/${header})
        set(source ${shim_arg_OVERRIDES}/${header})
      endif()
      get_filename_component(folder ${top}/${header} DIRECTORY)
      file(MAKE_DIRECTORY ${folder})
      if(IS_SYMLINK ${top}/${header})
        file(READ_SYMLINK ${top}/${header} current)
        if(NOT current STREQUAL source)
          file(REMOVE ${top}/${header})
        endif()
      endif()
      if(NOT EXISTS ${top}/${header})
        file(CREATE_LINK ${source} ${top}/${header} SYMBOLIC)
      endif()
    endforeach()
  else()
    file(MAKE_DIRECTORY ${shim})
    if(NOT EXISTS ${top})
      file(CREATE_LINK ${root}/${name} ${top} SYMBOLIC)
    endif()
  endif()
  set(${out_dir} ${shim} PARENT_SCOPE)
endfunction()
