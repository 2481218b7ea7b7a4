# Runs at every build (not only at configure time) so that a binary never carries a stale git
# hash. configure_file only touches the output when its content changes, so nothing recompiles
# unless the hash or dirty flag did.
execute_process(COMMAND git -C "${SOURCE_DIR}" rev-parse HEAD
                OUTPUT_VARIABLE CIVSIM_GIT_SHA OUTPUT_STRIP_TRAILING_WHITESPACE
                RESULT_VARIABLE sha_status ERROR_QUIET)
if(NOT sha_status EQUAL 0 OR CIVSIM_GIT_SHA STREQUAL "")
  set(CIVSIM_GIT_SHA "unknown")
  set(CIVSIM_GIT_DIRTY "unknown")
else()
  execute_process(COMMAND git -C "${SOURCE_DIR}" status --porcelain --untracked-files=no
                  OUTPUT_VARIABLE status_text OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
  if(status_text STREQUAL "")
    set(CIVSIM_GIT_DIRTY "false")
  else()
    set(CIVSIM_GIT_DIRTY "true")
  endif()
endif()
configure_file("${INPUT}" "${OUTPUT}" @ONLY)
