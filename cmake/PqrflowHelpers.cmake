# Helpers shared by every pqrflow target: strict warnings on project code,
# sanitizers as an option, and one-line test/benchmark registration.

# Apply the project's warning set (and sanitizers when enabled) to TARGET.
function(pqrflow_strict target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow
                                           -Wnon-virtual-dtor -Wold-style-cast
                                           -Wcast-align)
  if(PQRFLOW_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
  if(PQRFLOW_SANITIZE)
    target_compile_options(${target} PRIVATE -fsanitize=address,undefined
                                             -fno-omit-frame-pointer
                                             -fno-sanitize-recover=undefined)
    target_link_options(${target} PRIVATE -fsanitize=address,undefined)
  endif()
endfunction()

# pqrflow_add_test(NAME <name> SOURCES <files...> LIBS <targets...> LABELS <labels...>
#                  [TIMEOUT <seconds>])
# Builds one GoogleTest executable and registers it with CTest under the labels.
function(pqrflow_add_test)
  cmake_parse_arguments(T "" "NAME;TIMEOUT" "SOURCES;LIBS;LABELS" ${ARGN})
  add_executable(${T_NAME} ${T_SOURCES})
  target_link_libraries(${T_NAME} PRIVATE ${T_LIBS} GTest::gtest GTest::gmock GTest::gtest_main)
  pqrflow_strict(${T_NAME})
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 300)
  endif()
  add_test(NAME ${T_NAME} COMMAND ${T_NAME})
  set_tests_properties(${T_NAME} PROPERTIES LABELS "${T_LABELS}" TIMEOUT ${T_TIMEOUT})
endfunction()

# pqrflow_add_benchmark(NAME <name> SOURCES <files...> LIBS <targets...>)
function(pqrflow_add_benchmark)
  cmake_parse_arguments(B "" "NAME" "SOURCES;LIBS" ${ARGN})
  add_executable(${B_NAME} ${B_SOURCES})
  target_link_libraries(${B_NAME} PRIVATE ${B_LIBS} benchmark::benchmark)
  pqrflow_strict(${B_NAME})
endfunction()
