# gru_add_model(<target> <model>
#               [PREFIX <prefix>] [MTRIPLE <triple>] [MCPU <cpu>...]
#               [MATTR <features>] [OPTIONS <gru-compile option>...])
#
# Compiles <model> (.mlir or .mlirbc, relative to the current source folder)
# with gru-compile when the project builds, into lib<prefix>.so and
# <prefix>.h in ${CMAKE_CURRENT_BINARY_DIR}/<target>, and makes <target> an
# imported shared library: linking it gives the library and the folder of
# its header. <prefix> (the exported symbols' prefix)
# defaults to <target>; MCPU takes several CPUs, for a library that runs
# the best of them that the CPU it runs on supports.
function(gru_add_model target model)
  cmake_parse_arguments(PARSE_ARGV 2 GRU "" "PREFIX;MTRIPLE;MATTR"
    "MCPU;OPTIONS")
  if(GRU_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR
      "gru_add_model(${target}): unknown arguments ${GRU_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT GRU_PREFIX)
    set(GRU_PREFIX ${target})
  endif()
  get_filename_component(model "${model}" ABSOLUTE
    BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
  set(dir "${CMAKE_CURRENT_BINARY_DIR}/${target}")
  set(library "${dir}/lib${GRU_PREFIX}.so")
  set(header "${dir}/${GRU_PREFIX}.h")

  set(options --prefix=${GRU_PREFIX} --header=${header})
  if(GRU_MTRIPLE)
    list(APPEND options --mtriple=${GRU_MTRIPLE})
  endif()
  if(GRU_MCPU)
    list(JOIN GRU_MCPU "," cpus)
    list(APPEND options --mcpu=${cpus})
  endif()
  if(GRU_MATTR)
    list(APPEND options --mattr=${GRU_MATTR})
  endif()
  add_custom_command(OUTPUT "${library}" "${header}"
    COMMAND GRUCompiler::gru-compile "${model}" -o "${library}" ${options}
      ${GRU_OPTIONS}
    DEPENDS "${model}" GRUCompiler::gru-compile
    COMMENT "Compiling the GRU model ${model}"
    VERBATIM)
  add_custom_target(${target}-compile DEPENDS "${library}" "${header}")

  # The folder exists before the build, as an imported target's include
  # directories must.
  file(MAKE_DIRECTORY "${dir}")
  add_library(${target} SHARED IMPORTED GLOBAL)
  set_target_properties(${target} PROPERTIES
    IMPORTED_LOCATION "${library}"
    IMPORTED_SONAME "lib${GRU_PREFIX}.so"
    INTERFACE_INCLUDE_DIRECTORIES "${dir}")
  add_dependencies(${target} ${target}-compile)
endfunction()
