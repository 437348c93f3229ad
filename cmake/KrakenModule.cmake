# kraken_module(NAME [EXCLUDE files...] [DEPS targets...])
#
# Declares the module in the current folder: a static library `kraken_NAME` made of every
# `*.cc` file except `*_test.cc` and the EXCLUDE ones (a second library of the folder), and, when there are any `*_test.cc` files, a GoogleTest
# executable `NAME_test` registered with CTest (TEST_PROPERTIES are set on each of its tests).
# The fuzz build (KRAKEN_FUZZ) declares only the library.
function(kraken_module name)
  cmake_parse_arguments(ARG "" "" "EXCLUDE;DEPS;TEST_DEPS;TEST_PROPERTIES" ${ARGN})
  file(GLOB srcs CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cc)
  file(GLOB tests CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*_test.cc)
  list(REMOVE_ITEM srcs ${tests})
  foreach(excluded ${ARG_EXCLUDE})
    list(REMOVE_ITEM srcs ${CMAKE_CURRENT_SOURCE_DIR}/${excluded})
  endforeach()
  add_library(kraken_${name} STATIC ${srcs})
  target_include_directories(kraken_${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(kraken_${name} PUBLIC ${ARG_DEPS})
  kraken_warnings(kraken_${name})
  if(tests AND NOT KRAKEN_FUZZ)
    add_executable(${name}_test ${tests})
    target_link_libraries(${name}_test PRIVATE kraken_${name} ${ARG_TEST_DEPS} GTest::gmock GTest::gtest_main)
    target_compile_definitions(${name}_test PRIVATE
      KRAKEN_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
      KRAKEN_EXTERNAL_TESTDATA="${KRAKEN_EXTERNAL_TESTDATA}")
    kraken_warnings(${name}_test)
    gtest_discover_tests(${name}_test DISCOVERY_TIMEOUT 60
      PROPERTIES LABELS unit ${ARG_TEST_PROPERTIES})
  endif()
endfunction()

function(kraken_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers)
  if(KRAKEN_WERROR)
    # GCC 12's flow-sensitive warnings misfire inside libstdc++ at -O2/-O3 (known false
    # positives in std::string and std::vector): they stay warnings, everything else fails.
    target_compile_options(${target} PRIVATE -Werror -Wno-error=restrict
      -Wno-error=stringop-overflow -Wno-error=array-bounds -Wno-error=maybe-uninitialized)
  endif()
endfunction()
