# Checks that include/sinew/version.h carries the project version.
#
# Used twice: include()d by the top-level CMakeLists.txt at configure time
# (the build refuses to start on a mismatch), and run as a script by the test
# `version_header`:
#   cmake -DSINEW_VERSION_HEADER=<version.h> -DSINEW_EXPECTED_VERSION=<x.y.z> -P CheckVersionHeader.cmake
if(NOT SINEW_VERSION_HEADER OR NOT SINEW_EXPECTED_VERSION)
  message(FATAL_ERROR "CheckVersionHeader: set SINEW_VERSION_HEADER and SINEW_EXPECTED_VERSION")
endif()
file(READ "${SINEW_VERSION_HEADER}" _svh_text)
set(_svh_parts)
foreach(_svh_part MAJOR MINOR PATCH)
  if(NOT _svh_text MATCHES "#define SINEW_VERSION_${_svh_part} ([0-9]+)")
    message(FATAL_ERROR "${SINEW_VERSION_HEADER}: no '#define SINEW_VERSION_${_svh_part} <number>'")
  endif()
  list(APPEND _svh_parts ${CMAKE_MATCH_1})
endforeach()
list(JOIN _svh_parts "." _svh_numbers)
if(NOT _svh_text MATCHES "#define SINEW_VERSION \"([^\"]*)\"")
  message(FATAL_ERROR "${SINEW_VERSION_HEADER}: no '#define SINEW_VERSION \"x.y.z\"'")
endif()
set(_svh_string ${CMAKE_MATCH_1})
if(NOT _svh_numbers STREQUAL SINEW_EXPECTED_VERSION OR NOT _svh_string STREQUAL SINEW_EXPECTED_VERSION)
  message(FATAL_ERROR "${SINEW_VERSION_HEADER} says ${_svh_numbers} (SINEW_VERSION \"${_svh_string}\") but the "
                      "project version is ${SINEW_EXPECTED_VERSION}: change SINEW_VERSION_MAJOR/MINOR/PATCH and "
                      "SINEW_VERSION there together with project(... VERSION) in CMakeLists.txt")
endif()
