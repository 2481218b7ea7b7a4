# Fails when the key table in docs/scenario-format.md differs from `civsim schema --markdown`.
# Regenerate with: scripts/update-docs
execute_process(COMMAND ${CIVSIM_EXE} schema --markdown OUTPUT_VARIABLE generated RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "civsim schema --markdown failed (${rc})")
endif()
file(READ ${DOC} doc)
string(FIND "${doc}" "${generated}" at)
if(at EQUAL -1)
  message(FATAL_ERROR "${DOC} is out of date with the schema in sim/io/config.cpp; run scripts/update-docs")
endif()
message(STATUS "scenario key table in ${DOC} matches the schema")
