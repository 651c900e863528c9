# One function adds the SIMD kernel files the target architecture can run.
# Each src/isa/<name>/kernels.cpp is compiled with that ISA's flags alone and
# announced to dispatch.cpp with EDGEOPT_HAVE_<NAME>.
set(EDGEOPT_ARCH "${CMAKE_SYSTEM_PROCESSOR}")
string(TOLOWER "${EDGEOPT_ARCH}" EDGEOPT_ARCH)

function(edgeopt_isa_source target name flags)
  set(file ${PROJECT_SOURCE_DIR}/src/isa/${name}/kernels.cpp)
  target_sources(${target} PRIVATE ${file})
  set_source_files_properties(${file} PROPERTIES COMPILE_OPTIONS "${flags}")
  string(TOUPPER ${name} upper)
  target_compile_definitions(${target} PRIVATE EDGEOPT_HAVE_${upper})
endfunction()

function(edgeopt_add_isa_kernels target)
  target_include_directories(${target} PRIVATE ${EDGEOPT_XSIMD_SHIM})
  if(EDGEOPT_ARCH MATCHES "^(x86_64|amd64|i[3-6]86)$")
    edgeopt_isa_source(${target} sse2 "-msse2")
    edgeopt_isa_source(${target} avx2 "-mavx2;-mfma")
    # GCC 12 warns falsely on _mm512_sqrt_ps's internal _mm512_undefined_ps.
    edgeopt_isa_source(${target} avx512 "-mavx512f;-Wno-maybe-uninitialized")
  endif()
endfunction()
