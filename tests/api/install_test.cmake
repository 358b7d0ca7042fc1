# api.install: installs octet into a temporary prefix, configures and builds
# examples/ on their own against it (find_package(octet)), and runs the
# example on a model written by tests/oracles/tflite_builder.py.
#   cmake -DBUILD_DIR=... -DSOURCE_DIR=... -DWORK_DIR=... -DPYTHON=... -P install_test.cmake
file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")

function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed (${rc}): ${ARGN}\n${out}\n${err}")
  endif()
  set(last_output "${out}" PARENT_SCOPE)
endfunction()

run(${CMAKE_COMMAND} --install "${BUILD_DIR}" --prefix "${WORK_DIR}/prefix")
foreach(f include/octet/model.h include/octet/status.h lib/cmake/octet/octetConfig.cmake)
  if(NOT EXISTS "${WORK_DIR}/prefix/${f}")
    message(FATAL_ERROR "not installed: ${f}")
  endif()
endforeach()
# The public headers must not reach into octet's internals.
file(GLOB headers "${WORK_DIR}/prefix/include/octet/*.h")
foreach(h ${headers})
  file(STRINGS "${h}" includes REGEX "#include \"")
  foreach(line ${includes})
    if(NOT line MATCHES "#include \"octet/")
      message(FATAL_ERROR "${h} includes a non-public header: ${line}")
    endif()
  endforeach()
endforeach()

run(${CMAKE_COMMAND} -S "${SOURCE_DIR}/examples" -B "${WORK_DIR}/build" -G Ninja
    -DCMAKE_BUILD_TYPE=Release "-DCMAKE_PREFIX_PATH=${WORK_DIR}/prefix")
run(${CMAKE_COMMAND} --build "${WORK_DIR}/build")

file(WRITE "${WORK_DIR}/make_model.py" "
import sys
sys.path.insert(0, '${SOURCE_DIR}/tests/e2e_run')
sys.path.insert(0, '${SOURCE_DIR}/tests/oracles')
import run_models
run_models.int8_io('${WORK_DIR}/int8_io.tflite')
")
run(${PYTHON} "${WORK_DIR}/make_model.py")
run("${WORK_DIR}/build/octet_inference" "${WORK_DIR}/int8_io.tflite")
if(NOT last_output MATCHES "input 0: name=q_in location=0 shape=\\(1, 4, 4, 3\\) dtype=int8 quantization=\\(0.02, -3\\)")
  message(FATAL_ERROR "unexpected example output:\n${last_output}")
endif()
if(NOT last_output MATCHES "output 0 'q_out': raw")
  message(FATAL_ERROR "unexpected example output:\n${last_output}")
endif()
message(STATUS "installed octet, built examples/ with find_package(octet), ran:\n${last_output}")
