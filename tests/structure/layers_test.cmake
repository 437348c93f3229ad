# The layering check (cmake/CheckLayers.cmake) passes a layered tree and fails, naming the
# file, each way a tree can break the layers. Run by CTest as `structure_layers_check`.
#   cmake -DSOURCE_DIR=<checkout> -DWORK_DIR=<scratch folder> -P tests/structure/layers_test.cmake
cmake_minimum_required(VERSION 3.20)
set(tree ${WORK_DIR}/layers-test)

# Writes a tree of three modules, `core` < `store` < `api`, with the given table rows and
# the include of api/handler.cc.
function(make_tree rows include)
  file(REMOVE_RECURSE ${tree})
  file(WRITE ${tree}/docs/architecture.md "# Modules\n\n| module | includes from |\n|---|---|\n${rows}")
  file(WRITE ${tree}/src/core/error.h "#pragma once\n")
  file(WRITE ${tree}/src/store/db.h "#pragma once\n#include \"core/error.h\"\n")
  file(WRITE ${tree}/src/store/db_test.cc "#include \"api/handler.h\"\n")  # tests are exempt
  file(WRITE ${tree}/src/api/handler.cc "#include \"api/handler.h\"\n${include}\n#include <string>\n")
endfunction()

function(expect name want_ok want_text)
  execute_process(COMMAND ${CMAKE_COMMAND} -DSOURCE_DIR=${tree} -P ${SOURCE_DIR}/cmake/CheckLayers.cmake
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  set(text "${out}${err}")
  if(want_ok AND NOT rc EQUAL 0)
    message(FATAL_ERROR "${name}: the check failed a layered tree:\n${text}")
  elseif(NOT want_ok AND rc EQUAL 0)
    message(FATAL_ERROR "${name}: the check passed a broken tree:\n${text}")
  endif()
  string(FIND "${text}" "${want_text}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "${name}: expected '${want_text}' in:\n${text}")
  endif()
  message(STATUS "${name}: ok")
endfunction()

set(layered "| `core` | |\n| `store` | `core` |\n| `api` | `core` `store` |\n")
make_tree("${layered}" "#include \"store/db.h\"")
expect("a layered tree" TRUE "3 modules, every include points downwards")

make_tree("| `core` | |\n| `store` | `core` |\n| `api` | `core` |\n" "#include \"store/db.h\"")
expect("an include the table does not allow" FALSE
       "src/api/handler.cc: #include \"store/db.h\": `api` may not include `store`")

file(WRITE ${tree}/src/core/clock.h "#include \"store/db.h\"\n")
expect("an upward include" FALSE "src/core/clock.h: #include \"store/db.h\": `core` may not include `store`")

make_tree("| `core` | `store` |\n| `store` | `core` |\n| `api` | `core` `store` |\n" "")
expect("a cycle in the table" FALSE "`core` may include `store`, which is not listed above it")

make_tree("${layered}" "")
file(WRITE ${tree}/src/forge/github.cc "#include \"core/error.h\"\n")
expect("a module without a row" FALSE "src/forge/github.cc: module `forge` has no row")

file(REMOVE_RECURSE ${tree})
