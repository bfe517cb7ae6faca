# Helpers shared by every CMakeLists in the tree.

# gazette_module(NAME SOURCES... DEPS ...): one folder, one static library,
# includes rooted at the repository, warnings on.
function(gazette_module name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(gazette_${name} STATIC ${ARG_SOURCES})
  target_include_directories(gazette_${name} PUBLIC ${PROJECT_SOURCE_DIR})
  target_compile_options(gazette_${name} PRIVATE -Wall -Wextra -Wpedantic)
  target_link_libraries(gazette_${name} PUBLIC ${ARG_DEPS})
endfunction()

# gazette_test(NAME SOURCES... DEPS ...): one Catch2 binary, each TEST_CASE registered with CTest.
function(gazette_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR})
  target_compile_options(${name} PRIVATE -Wall -Wextra)
  target_compile_definitions(${name} PRIVATE
    GAZETTE_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    GAZETTE_BINARY_DIR="${PROJECT_BINARY_DIR}")
  target_link_libraries(${name} PRIVATE gazette_test_main ${ARG_DEPS})
  # --warn NoTests: a test whose name CTest cut short (at a ';') matches nothing and fails,
  # where it would pass without running.
  catch_discover_tests(${name} WORKING_DIRECTORY ${PROJECT_BINARY_DIR} EXTRA_ARGS --warn NoTests
                       PROPERTIES TIMEOUT 600)
endfunction()
