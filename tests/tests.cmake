# Tests: cmocka unit tests, fuzz corpus replays and end-to-end scripts,
# all run by ctest.

if(NOT CMOCKA_FOUND)
	message(WARNING "cmocka not found: unit tests are not built")
else()
	file(GLOB UNIT_SRC CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/unit/test_*.c)
	foreach(src ${UNIT_SRC})
		get_filename_component(name ${src} NAME_WE)
		add_executable(${name} ${src})
		target_link_libraries(${name} kuska_cons_core kuska_node_core
			kuska_keyholder_core kuska_lib kuska_mse PkgConfig::CMOCKA)
		target_compile_definitions(${name} PRIVATE
			KUSKA_TEST_DATA="${CMAKE_SOURCE_DIR}/tests/data")
		add_test(NAME unit/${name} COMMAND ${name})
		set_tests_properties(unit/${name} PROPERTIES
			ENVIRONMENT "CMOCKA_MESSAGE_OUTPUT=STDOUT" TIMEOUT 120)
	endforeach()
	# test_sim checks the internals of "kuska sim" (client/sim.h): it
	# links the client's sim*.c, which need nothing else of the client.
	file(GLOB SIM_SRC CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/client/sim*.c)
	target_sources(test_sim PRIVATE ${SIM_SRC})
	target_include_directories(test_sim PRIVATE ${CMAKE_SOURCE_DIR}/client)
	# test_tally checks kuska submit's summary (client/tally.h), which
	# needs nothing else of the client.
	target_sources(test_tally PRIVATE ${CMAKE_SOURCE_DIR}/client/tally.c)
	target_include_directories(test_tally PRIVATE ${CMAKE_SOURCE_DIR}/client)
	# The unit tests of kuska report link the client files that write the
	# page, which need nothing else of the client.
	foreach(t test_svg test_html test_report)
		if(TARGET ${t})
			target_sources(${t} PRIVATE
				${CMAKE_SOURCE_DIR}/client/svg.c
				${CMAKE_SOURCE_DIR}/client/html.c
				${CMAKE_SOURCE_DIR}/client/i18n.c
				${CMAKE_SOURCE_DIR}/client/i18n_msg.c
				${CMAKE_SOURCE_DIR}/client/i18n_notes.c
				${CMAKE_SOURCE_DIR}/client/report_page.c
				${CMAKE_SOURCE_DIR}/client/report_indicators.c
				${CMAKE_SOURCE_DIR}/client/report_sections.c
				${CMAKE_SOURCE_DIR}/client/report_deliveries.c)
			target_include_directories(${t} PRIVATE
				${CMAKE_SOURCE_DIR}/client)
		endif()
	endforeach()
endif()

# Fuzz targets: with KUSKA_FUZZ (clang) each becomes a libFuzzer binary,
# and all code is built with coverage for it (fuzzer-no-link);
# otherwise each is linked with a replay driver and run over its saved
# corpus under ctest.
file(GLOB FUZZ_SRC CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/fuzz/fuzz_*.c)
foreach(src ${FUZZ_SRC})
	get_filename_component(name ${src} NAME_WE)
	string(REGEX REPLACE "^fuzz_" "" target ${name})
	if(KUSKA_FUZZ)
		add_executable(${name} ${src})
		target_compile_options(${name} PRIVATE -fsanitize=fuzzer)
		target_link_options(${name} PRIVATE -fsanitize=fuzzer)
	else()
		add_executable(${name} ${src} ${CMAKE_SOURCE_DIR}/tests/fuzz/replay.c)
	endif()
	target_link_libraries(${name} kuska_cons_core kuska_node_core kuska_lib
		kuska_mse)
	if(NOT KUSKA_FUZZ)
		add_test(NAME fuzz-replay/${target} COMMAND ${name}
			${CMAKE_SOURCE_DIR}/tests/fuzz/corpus/${target})
	endif()
endforeach()

# End-to-end: real daemons on loopback, driven by shell scripts. Most
# of them spend their time waiting (time-outs, cut connections,
# restarts) with the CPU idle, so ctest -j runs them side by side (two
# at a time on a 2-core machine):
# each has a block of ports of its own (KUSKA_PORT_SLOT, pick_port in
# tests/e2e/lib.sh) and works in its own mktemp directory. These run
# alone (RUN_SERIAL), each for its reason:
set(E2E_SERIAL
	test_stats		# saturated ingest on both cores; answers within 5 s
	test_threads		# saturated ingest on both cores (status under load)
	test_hello_flood	# log lines per second, memory growth under a flood
	test_keyholder_hostile	# log lines per second, memory growth
	test_unread		# log lines per second, memory growth
	test_valgrind		# CPU-bound; valgrind's slow daemons near time-outs
	test_deb		# CPU-bound (cpack, dpkg-shlibdeps) for a minute
	test_install		# cmake --install writes the build directory; own ports
	test_disclosure_attack	# CPU-bound: thousands of queries, an integer programme
	test_report		# a headless Chromium on both cores
	test_local		# answers timed to 2 s
	test_service		# SIGTERM timed to 5 s during a stream
	test_crash		# 8,000 victims, workers=4; answers before the kill in a window of seconds
	test_rogue		# 10,000 frames and a submitter on both cores
	test_catchup		# a 20,480-event drain on both cores
)
file(GLOB E2E_SRC CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/e2e/test_*.sh)
list(LENGTH E2E_SRC e2e_slots)
set(e2e_slot 0)
foreach(src ${E2E_SRC})
	get_filename_component(name ${src} NAME_WE)
	add_test(NAME e2e/${name} COMMAND bash ${src})
	set_tests_properties(e2e/${name} PROPERTIES
		ENVIRONMENT "KUSKA_BIN=${CMAKE_BINARY_DIR};KUSKA_SRC=${CMAKE_SOURCE_DIR};KUSKA_SANITIZED=${KUSKA_SANITIZE};KUSKA_PORT_SLOT=${e2e_slot};KUSKA_PORT_SLOTS=${e2e_slots}"
		TIMEOUT 600 SKIP_RETURN_CODE 77)
	if(name IN_LIST E2E_SERIAL)
		set_tests_properties(e2e/${name} PROPERTIES RUN_SERIAL TRUE)
	endif()
	math(EXPR e2e_slot "${e2e_slot} + 1")
endforeach()

# Small programs the end-to-end tests drive (a rogue peer, ...): built,
# not run by ctest themselves.
# What more than one of them needs lives in tests/tools/common.
add_library(kuska_tools STATIC ${CMAKE_SOURCE_DIR}/tests/tools/common/unread.c
	${CMAKE_SOURCE_DIR}/tests/tools/common/fakeserver.c)
target_include_directories(kuska_tools PUBLIC ${CMAKE_SOURCE_DIR}/tests/tools/common)
target_link_libraries(kuska_tools PUBLIC kuska_lib)
file(GLOB TOOL_SRC CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/tools/*.c)
foreach(src ${TOOL_SRC})
	get_filename_component(name ${src} NAME_WE)
	add_executable(${name} ${src})
	target_link_libraries(${name} kuska_tools kuska_cons_core
		kuska_node_core kuska_lib)
endforeach()

# kuska_wrap(SYMBOL TEST...): each unit test links tests/unit/fail_SYMBOL.c
# and -Wl,--wrap=SYMBOL, so that its __wrap_SYMBOL stands in for SYMBOL.
function(kuska_wrap symbol)
	foreach(t ${ARGN})
		if(TARGET ${t})
			target_sources(${t} PRIVATE
				${CMAKE_SOURCE_DIR}/tests/unit/fail_${symbol}.c)
			target_link_options(${t} PRIVATE -Wl,--wrap=${symbol})
		endif()
	endforeach()
endfunction()
# test_codec_envelope, test_codec_msg and test_ingest make kuska's own
# allocations fail on purpose (fail_malloc.c's __wrap_malloc): memory
# running out is not an envelope's fault.
kuska_wrap(malloc test_codec_envelope test_codec_msg test_ingest)
# test_file, test_account and test_metrics count the fsyncs of what
# they replace and fail one on purpose (fail_fsync.c's __wrap_fsync): a
# file written whole is synced, file and directory.
kuska_wrap(fsync test_file test_account test_metrics)
# test_indicators commits ingest before each read transaction a query
# begins (its __wrap_store_begin): answers read apart would disagree.
if(TARGET test_indicators)
	target_link_options(test_indicators PRIVATE -Wl,--wrap=store_begin)
endif()
