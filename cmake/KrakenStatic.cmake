# The fully static kraken-agent (docs/install.md): an executable whose KRAKEN_STATIC
# property is ON links with -static, and gets fmt and spdlog from kraken_fmt_static and
# kraken_spdlog_static (compiled here from their headers: Debian has no libfmt.a or
# libspdlog.a) instead of the shared libraries. The modules it pulls in link `kraken_fmt`
# and `kraken_spdlog`, which pick one or the other by the executable being linked, and name
# the other libraries (ssl, crypto, pugixml) by name so that -static finds their `.a`.
add_library(kraken_fmt_static STATIC EXCLUDE_FROM_ALL ${PROJECT_SOURCE_DIR}/cmake/static/fmt.cc)
target_include_directories(kraken_fmt_static SYSTEM PUBLIC
                           $<TARGET_PROPERTY:fmt::fmt,INTERFACE_INCLUDE_DIRECTORIES>)
add_library(kraken_spdlog_static STATIC EXCLUDE_FROM_ALL ${PROJECT_SOURCE_DIR}/cmake/static/spdlog.cc)
target_compile_definitions(kraken_spdlog_static PUBLIC SPDLOG_COMPILED_LIB SPDLOG_FMT_EXTERNAL)
target_include_directories(kraken_spdlog_static SYSTEM PUBLIC
                           $<TARGET_PROPERTY:spdlog::spdlog,INTERFACE_INCLUDE_DIRECTORIES>)
target_link_libraries(kraken_spdlog_static PUBLIC kraken_fmt_static Threads::Threads)

set(kraken_static_head "$<BOOL:$<TARGET_PROPERTY:KRAKEN_STATIC>>")
add_library(kraken_fmt INTERFACE)
target_link_libraries(kraken_fmt INTERFACE
                      "$<IF:${kraken_static_head},kraken_fmt_static,fmt::fmt>")
add_library(kraken_spdlog INTERFACE)
target_link_libraries(kraken_spdlog INTERFACE
                      "$<IF:${kraken_static_head},kraken_spdlog_static,spdlog::spdlog>")

# kraken_static_executable(target): -static, stripped, the functions and data it does not
# use dropped (src/CMakeLists.txt compiles its libraries with -ffunction-sections), and
# functions of identical code folded into one (gold's --icf, which binutils ships: about
# 100 KB less of template instances).
function(kraken_static_executable target)
  set_target_properties(${target} PROPERTIES KRAKEN_STATIC ON)
  target_compile_options(${target} PRIVATE -ffunction-sections -fdata-sections)
  target_link_options(${target} PRIVATE -static -s -Wl,--gc-sections -fuse-ld=gold -Wl,--icf=all)
endfunction()
