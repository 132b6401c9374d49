# sinew_generate(<target> <schema.sinew> [NAME <name>] [OUTPUT_DIR <dir>])
#
# Generates <name>.h and <name>.c from a schema file with `sinew generate`,
# adds them to <target>, and puts their directory on its include path. The
# files are regenerated whenever the schema changes.
function(sinew_generate target schema)
  cmake_parse_arguments(SG "" "NAME;OUTPUT_DIR" "" ${ARGN})
  get_filename_component(abs "${schema}" ABSOLUTE)
  get_filename_component(base "${schema}" NAME_WE)
  if(NOT SG_NAME)
    set(SG_NAME ${base})
  endif()
  if(NOT SG_OUTPUT_DIR)
    set(SG_OUTPUT_DIR ${CMAKE_CURRENT_BINARY_DIR}/sinew_generated/${SG_NAME})
  endif()
  if(TARGET sinew_cli)
    set(tool $<TARGET_FILE:sinew_cli>)
    set(tool_dep sinew_cli)
  else()
    find_program(SINEW_EXECUTABLE sinew)
    if(NOT SINEW_EXECUTABLE)
      message(FATAL_ERROR "sinew_generate: the `sinew` tool was not found; install sinew or add it to PATH")
    endif()
    set(tool ${SINEW_EXECUTABLE})
    set(tool_dep)
  endif()
  add_custom_command(
    OUTPUT ${SG_OUTPUT_DIR}/${SG_NAME}.h ${SG_OUTPUT_DIR}/${SG_NAME}.c
    COMMAND ${tool} generate ${abs} -o ${SG_OUTPUT_DIR} --name ${SG_NAME}
    DEPENDS ${abs} ${tool_dep}
    COMMENT "sinew generate ${schema}"
    VERBATIM)
  target_sources(${target} PRIVATE ${SG_OUTPUT_DIR}/${SG_NAME}.c ${SG_OUTPUT_DIR}/${SG_NAME}.h)
  target_include_directories(${target} PRIVATE ${SG_OUTPUT_DIR})
endfunction()
