# SinewLayers.cmake - one object library per layer, each built so that it can
# only see and call the layers below it (docs/architecture.md):
#
#   base -> schema -> sql -> driver -> orm -> migrate
#              \        \-> diagram
#               \-> codegen
#
# Seeing: a layer's sources compile against an include directory of its own,
# ${PROJECT_BINARY_DIR}/layers/<layer>, holding symbolic links to the private
# header directories (src/<dir>) and the public headers (include/sinew/*.h) it
# may use and nothing else, so `#include "orm/orm.h"` in src/schema fails to
# compile. Public headers include their siblings as "x.h", which the compiler
# looks up next to the link, so a public header of a higher layer cannot be
# reached through a lower one either.
#
# Calling: sinew_layercheck_<layer> links the layer's objects with those of
# the layers below it and nothing else into a program; a call that goes up is
# an undefined reference and fails the build.
#
# tests/layers/check_includes.sh checks the same rules over the #include lines.

# The public headers, by the layer that implements them.
set(SINEW_PUBLIC_base export.h status.h types.h version.h)
set(SINEW_PUBLIC_schema schema.h parse.h)
set(SINEW_PUBLIC_sql dialect.h query_types.h)
set(SINEW_PUBLIC_driver driver.h)
set(SINEW_PUBLIC_orm db.h session.h query.h relations.h transaction.h pool.h)
set(SINEW_PUBLIC_codegen codegen.h)
set(SINEW_PUBLIC_diagram diagram.h)
set(SINEW_PUBLIC_migrate migrate.h)

set(SINEW_LAYERS)    # the layers defined so far, bottom up
set(SINEW_SOURCES)   # their sources, for targets that compile the whole library themselves (fuzzing)

# sinew_layer(NAME BELOW layer... [LIBS lib...]): the object library sinew_<NAME>
# from src/<NAME>/*.c, seeing only itself and the BELOW layers (list them all,
# not only the next one down: the list is what the layer may use).
function(sinew_layer name)
  cmake_parse_arguments(L "" "" "BELOW;LIBS;EXCLUDE" ${ARGN})
  file(GLOB srcs CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/src/${name}/*.c)
  foreach(re ${L_EXCLUDE})
    list(FILTER srcs EXCLUDE REGEX "${re}")
  endforeach()
  add_library(sinew_${name} OBJECT ${srcs})
  # only what include/sinew/*.h declares with SINEW_API leaves libsinew.so
  # (tests/install/check_exports.sh); the sn_* internals stay inside
  set_target_properties(sinew_${name} PROPERTIES C_VISIBILITY_PRESET hidden)
  if(SINEW_LTO_ACTIVE AND CMAKE_C_COMPILER_ID STREQUAL "GNU")
    # fat objects: the installed libsinew.a also links into programs built without LTO (or with clang)
    target_compile_options(sinew_${name} PRIVATE $<$<CONFIG:Release>:-ffat-lto-objects>)
  endif()

  set(dir ${PROJECT_BINARY_DIR}/layers/${name})
  # start from no links (a layer may have lost one); links only, never what they point to
  file(GLOB old LIST_DIRECTORIES true ${dir}/* ${dir}/sinew/*)
  foreach(f ${old})
    if(IS_SYMLINK ${f})
      file(REMOVE ${f})
    endif()
  endforeach()
  file(MAKE_DIRECTORY ${dir}/sinew)
  foreach(l ${L_BELOW} ${name})
    if(NOT l STREQUAL name AND NOT l IN_LIST SINEW_LAYERS)
      message(FATAL_ERROR "sinew_layer(${name}): '${l}' is not a layer defined before it")
    endif()
    file(CREATE_LINK ${PROJECT_SOURCE_DIR}/src/${l} ${dir}/${l} SYMBOLIC)
    foreach(h ${SINEW_PUBLIC_${l}})
      file(CREATE_LINK ${PROJECT_SOURCE_DIR}/include/sinew/${h} ${dir}/sinew/${h} SYMBOLIC)
    endforeach()
  endforeach()
  # src/base as well: base.h and sn_limits.h are included by their bare names
  target_include_directories(sinew_${name} PRIVATE ${dir} ${PROJECT_SOURCE_DIR}/src/base)
  target_link_libraries(sinew_${name} PRIVATE Threads::Threads ${L_LIBS})

  set(objs)
  foreach(l ${L_BELOW} ${name})
    list(APPEND objs $<TARGET_OBJECTS:sinew_${l}>)
  endforeach()
  add_executable(sinew_layercheck_${name} ${PROJECT_SOURCE_DIR}/cmake/layercheck.c ${objs})
  set(libs Threads::Threads)
  foreach(l ${L_BELOW} ${name})
    get_target_property(ll sinew_${l} SINEW_LAYER_LIBS)
    if(ll)
      list(APPEND libs ${ll})
    endif()
  endforeach()
  target_link_libraries(sinew_layercheck_${name} PRIVATE ${libs} ${L_LIBS})
  set_target_properties(sinew_${name} PROPERTIES SINEW_LAYER_LIBS "${L_LIBS}")

  set(SINEW_LAYERS ${SINEW_LAYERS} ${name} PARENT_SCOPE)
  set(SINEW_SOURCES ${SINEW_SOURCES} ${srcs} PARENT_SCOPE)
endfunction()
