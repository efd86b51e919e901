# hanzo_add_library(<name> SOURCES <files...> [PUBLIC <libs...>] [PRIVATE <libs...>])
# One layer library: target hanzo_hmm_<name>, alias and export name hanzo::<name>, file
# libhanzo-hmm-<name>.a, position-independent (so a shared build or a plugin can link it).
function(hanzo_add_library name)
  cmake_parse_arguments(L "" "" "SOURCES;PUBLIC;PRIVATE" ${ARGN})
  set(target hanzo_hmm_${name})
  add_library(${target} STATIC ${L_SOURCES})
  add_library(hanzo::${name} ALIAS ${target})
  string(REPLACE "_" "-" file_name "hanzo-hmm-${name}")
  set_target_properties(${target} PROPERTIES OUTPUT_NAME ${file_name} EXPORT_NAME ${name}
                                             POSITION_INDEPENDENT_CODE ON)
  target_link_libraries(${target} PUBLIC ${L_PUBLIC} PRIVATE ${L_PRIVATE})
endfunction()
