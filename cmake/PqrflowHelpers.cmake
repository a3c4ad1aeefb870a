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
  # `unit_tests` builds every unit test executable only (the sanitizer build in CI).
  if("unit" IN_LIST T_LABELS)
    if(NOT TARGET unit_tests)
      add_custom_target(unit_tests)
    endif()
    add_dependencies(unit_tests ${T_NAME})
  endif()
  set_tests_properties(${T_NAME} PROPERTIES LABELS "${T_LABELS}" TIMEOUT ${T_TIMEOUT})
endfunction()

# pqrflow_add_benchmark(NAME <name> SOURCES <files...> LIBS <targets...>)
function(pqrflow_add_benchmark)
  cmake_parse_arguments(B "" "NAME" "SOURCES;LIBS" ${ARGN})
  add_executable(${B_NAME} ${B_SOURCES})
  target_link_libraries(${B_NAME} PRIVATE ${B_LIBS} benchmark::benchmark)
  pqrflow_strict(${B_NAME})
endfunction()

# pqrflow_add_fuzzer(NAME <name> SOURCES <files...> LIBS <targets...> CORPUS <dir>)
# A fuzz target (a file defining LLVMFuzzerTestOneInput) is built twice:
#  - <name>_corpus in every build: the target linked with tests/fuzz/corpus_main.cpp,
#    registered with CTest (label `fuzz`) to replay the committed corpus <dir>;
#  - <name> when PQRFLOW_BUILD_FUZZERS is on (clang only): the libFuzzer executable,
#    part of the `fuzzers` target. The rest of that build is already instrumented
#    (see PQRFLOW_BUILD_FUZZERS in the top-level CMakeLists.txt).
function(pqrflow_add_fuzzer)
  cmake_parse_arguments(F "" "NAME;CORPUS" "SOURCES;LIBS" ${ARGN})
  add_executable(${F_NAME}_corpus ${F_SOURCES} ${PROJECT_SOURCE_DIR}/tests/fuzz/corpus_main.cpp)
  target_link_libraries(${F_NAME}_corpus PRIVATE ${F_LIBS})
  pqrflow_strict(${F_NAME}_corpus)
  add_test(NAME ${F_NAME}_corpus COMMAND ${F_NAME}_corpus ${F_CORPUS})
  set_tests_properties(${F_NAME}_corpus PROPERTIES LABELS fuzz TIMEOUT 300)
  if(PQRFLOW_BUILD_FUZZERS)
    add_executable(${F_NAME} ${F_SOURCES})
    target_link_libraries(${F_NAME} PRIVATE ${F_LIBS})
    target_link_options(${F_NAME} PRIVATE -fsanitize=fuzzer)
    pqrflow_strict(${F_NAME})
    add_dependencies(fuzzers ${F_NAME})
  endif()
endfunction()
