# SPDX-License-Identifier: GPL-2.0-or-later
# The fuzz harnesses and their sources, shared by the libFuzzer build
# (tests/fuzz/CMakeLists.txt, VMSC_FUZZ=ON) and the replay tests of the
# normal build (tests/fuzz/replay/CMakeLists.txt).
set(VMSC_FUZZ_DIR ${CMAKE_CURRENT_LIST_DIR})
set(VMSC_FUZZ_HARNESSES fuzz_soap_response fuzz_facts_json fuzz_config fuzz_server_url
                        fuzz_guest_output)

# vmsc_fuzz_add(TARGET HARNESS [MAIN]): an executable of the harness linked
# with the tool's library; MAIN adds replay.c (a main() for non-libFuzzer builds).
function(vmsc_fuzz_add target harness)
  set(srcs ${VMSC_FUZZ_DIR}/${harness}.c)
  if(harness STREQUAL "fuzz_soap_response" OR harness STREQUAL "fuzz_facts_json")
    list(APPEND srcs ${VMSC_FUZZ_DIR}/fuzz_pipeline.c)
  endif()
  if("MAIN" IN_LIST ARGN)
    list(APPEND srcs ${VMSC_FUZZ_DIR}/replay.c)
  endif()
  add_executable(${target} ${srcs})
  target_include_directories(${target} PRIVATE ${CMAKE_SOURCE_DIR}/src ${VMSC_FUZZ_DIR})
  target_compile_options(${target} PRIVATE ${VMSC_WARNINGS})
  target_link_libraries(${target} PRIVATE vmsc)
  if(harness STREQUAL "fuzz_soap_response")
    # reads the vSphere layer's internals
    target_link_libraries(${target} PRIVATE vmsc_gsoap PkgConfig::LIBXML2 PkgConfig::CURL)
  endif()
endfunction()
