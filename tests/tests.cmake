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
			ENVIRONMENT "CMOCKA_MESSAGE_OUTPUT=STDOUT" TIMEOUT 120
			PROCESSORS 2)
	endforeach()
	# test_intake stores a record under a ref holding its victim's
	# identity as a node older than that check did: its
	# __wrap_record_parse drops the parser's flag when told to. Its
	# __wrap_intake_ref_get fails the look-ups of a ref made outside
	# intake_record.c, which defines it (intake.c's, intake_rekey.c's: the
	# linker wraps only calls from other files), with a store error when
	# told to; its __wrap_outbox_ref_get fails the look-up of one id (a
	# target_ref written otherwise, intake_record.c's held_otherwise).
	target_link_options(test_intake PRIVATE -Wl,--wrap=record_parse
		-Wl,--wrap=intake_ref_get -Wl,--wrap=outbox_ref_get)
	# test_outbox fails a chosen write transaction of outbox_open with
	# its __wrap_mdb_txn_begin, and counts the store's reads with its
	# __wrap_mdb_get.
	target_link_options(test_outbox PRIVATE -Wl,--wrap=mdb_txn_begin
		-Wl,--wrap=mdb_get)
	# test_record counts the lines jansson parses with its
	# __wrap_json_loadb.
	target_link_options(test_record PRIVATE -Wl,--wrap=json_loadb)
	# test_sim checks the internals of "kuska sim" (client/sim.h): it
	# links the client's sim*.c, which need nothing else of the client.
	file(GLOB SIM_SRC CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/client/sim*.c)
	target_sources(test_sim PRIVATE ${SIM_SRC})
	target_include_directories(test_sim PRIVATE ${CMAKE_SOURCE_DIR}/client)
	# test_tally checks kuska submit's summary (client/tally.h), and the
	# lines and --report rows it prints of each result (submit_out.c),
	# which need nothing else of the client but its progress line.
	target_sources(test_tally PRIVATE ${CMAKE_SOURCE_DIR}/client/tally.c
		${CMAKE_SOURCE_DIR}/client/submit_out.c
		${CMAKE_SOURCE_DIR}/client/progress.c)
	target_include_directories(test_tally PRIVATE ${CMAKE_SOURCE_DIR}/client)
	# test_dead_advice checks what kuska status says to do of dead
	# letters (client/dead_advice.h), which needs nothing else of the
	# client.
	target_sources(test_dead_advice PRIVATE
		${CMAKE_SOURCE_DIR}/client/dead_advice.c)
	target_include_directories(test_dead_advice PRIVATE
		${CMAKE_SOURCE_DIR}/client)
	# test_status_epochs checks what kuska status says of older key
	# epochs (client/status_epochs.h), which needs nothing else of the
	# client.
	target_sources(test_status_epochs PRIVATE
		${CMAKE_SOURCE_DIR}/client/status_epochs.c)
	target_include_directories(test_status_epochs PRIVATE
		${CMAKE_SOURCE_DIR}/client)
	# test_status_backlog checks what kuska status says of a node's events
	# waiting for delivery (client/status_backlog.h), which needs nothing
	# else of the client.
	target_sources(test_status_backlog PRIVATE
		${CMAKE_SOURCE_DIR}/client/status_backlog.c)
	target_include_directories(test_status_backlog PRIVATE
		${CMAKE_SOURCE_DIR}/client)
	# test_status_unmatched checks what kuska status says of a node's
	# unmatched take-ups (client/status_unmatched.h), which needs only
	# status_backlog.c's status_ago of the rest of the client.
	target_sources(test_status_unmatched PRIVATE
		${CMAKE_SOURCE_DIR}/client/status_unmatched.c
		${CMAKE_SOURCE_DIR}/client/status_backlog.c)
	target_include_directories(test_status_unmatched PRIVATE
		${CMAKE_SOURCE_DIR}/client)
	# test_query_json checks kuska query's JSON (client/query_json.h),
	# which needs nothing else of the client.
	target_sources(test_query_json PRIVATE
		${CMAKE_SOURCE_DIR}/client/query_json.c)
	target_include_directories(test_query_json PRIVATE
		${CMAKE_SOURCE_DIR}/client)
	# test_query_print checks kuska query's CSV (client/query_int.h),
	# whose query_print.c needs nothing else of the client.
	target_sources(test_query_print PRIVATE
		${CMAKE_SOURCE_DIR}/client/query_print.c)
	target_include_directories(test_query_print PRIVATE
		${CMAKE_SOURCE_DIR}/client)
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
				${CMAKE_SOURCE_DIR}/client/report_figure.c
				${CMAKE_SOURCE_DIR}/client/report_children.c
				${CMAKE_SOURCE_DIR}/client/report_indicators.c
				${CMAKE_SOURCE_DIR}/client/report_sections.c
				${CMAKE_SOURCE_DIR}/client/report_prosecution.c
				${CMAKE_SOURCE_DIR}/client/report_estimate.c
				${CMAKE_SOURCE_DIR}/client/report_deliveries.c
				${CMAKE_SOURCE_DIR}/client/rates.c
				${CMAKE_SOURCE_DIR}/client/takeups.c)
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
		set_tests_properties(fuzz-replay/${target} PROPERTIES
			PROCESSORS 2)
	endif()
endforeach()

# End-to-end: real daemons on loopback, driven by shell scripts. Most
# of them spend their time waiting (time-outs, cut connections,
# restarts) with the CPU idle, so ctest runs them side by side: each has
# a block of ports of its own (KUSKA_PORT_SLOT, pick_port in
# tests/e2e/lib.sh) and works in its own mktemp directory.
#
# scripts/test.sh runs ctest -j with two slots a processor (-j4 on two
# cores): a test takes as many slots (PROCESSORS) as half-processors it
# keeps busy. Measured with ctest -j2 on two cores, a test of E2E_WAITING
# below keeps less than about 60% of one processor busy over its run
# (most 20-50%) and takes one slot, so four of them run at once; every
# other test (the unit tests and corpus replays too: CPU-bound) takes
# two, as many as the processor it keeps busy. In the sanitizer build
# every test takes two, two at a time as before: there the waiting ones
# keep a processor busy too (each client's start and leak check, about
# 0.1 s of a processor a kuska status, polled every 0.2 s), and four at
# once on two loaded cores left queries unanswered past the client's
# 15 s (test_lockout, test_audit_serve, test_prepare_yield).
# test_local waits too (6 s of a processor in its 18 s in the gcc build;
# 15 s in 21 under the sanitizers, where it takes two slots anyway): what
# it times is a dead node found in 8 ms (75 ms under ASan at load 11) of
# the 2 s allowed, and a stopped node in 1.5 s (the client's own wait) of
# the 5 s allowed. test_holder_flood waits too, its rounds' moments
# (29.5 s of its 37-39 s): 10-17 s of a processor in the gcc build at
# load 10-13, 15.7 s in 38.6 under ASan; its node's growth, judged in the
# gcc build, 2.6-6.6 MiB there of the 16 MiB allowed. test_audit_serve
# does not wait: its audits keep 0.7 of a processor busy (11.6 s of CPU
# in 16.6 s alone at load 9), and its held questions must be answered
# within the client's 15 s; beside a heavy test (test_catchup, load 13)
# one was not. It takes two slots. test_hello_quiet waits out the
# node's ask interval (0.2 s of CPU in its 13 s at load 9);
# test_cons_starting submits 4,000 victims and waits for a rebuild on one
# thread (8.7 s of CPU in 31 s at load 9), and what it times (a status
# answered while that rebuild runs: 56 ms of a rebuild of seconds) slows
# with the rebuild under load. test_query_preparing holds an audit asleep
# while its client asks every 2 s, then one failing, then one with data
# delivered during it (5.2 s of CPU in its 35 s at load 11), and counts
# its tries and its releases, never a time. test_release_evict holds an
# audit asleep 1.5 s, then asks 70 cheap questions (4.2 s of CPU in its
# 30 s at load 9) and counts the releases computed, never a time.
# test_starting_flood floods two daemons held in their start checks with
# 12,000 unread requests each (0.8 s of CPU in its 17 s alone) and waits
# 5 s for a heartbeat after each; it times nothing. These wait out the
# node's fixed delays (measured alone at load 5-8 in the fifty-seventh
# session; two slots each before, 16% of the run's slot time taken by
# tests asleep): test_node_unreached its 10 s of failed connections twice
# (0.9 s of CPU in 30 s), test_node_wrong_service and
# test_consolidator_key the same 10 s and a redial's (0.3 s in 13 s, 1.3
# s in 16 s), test_wrong_peer_key a redial (0.4 s in 6 s),
# test_unmatched_list the 5 s between a node's asks three times (1.1 s in
# 16 s), test_theft_recover its recoveries' waits (2.9 s in 16 s),
# test_slow_unread its held query thread and a heartbeat's 5 s (1.5 s in
# 12 s), test_query_revoked_held its held audit (0.4 s in 7 s),
# test_recover_crowded a rogue's 8 s on the one connection its key may
# have (0.2 s in 9 s); none times an answer.
set(E2E_WAITING
	test_attention test_clock test_completion test_cons_starting
	test_corrupt test_court_officer test_deliveries test_diskfull test_estimate
	test_exchange test_fixture test_forgery test_full test_help
	test_hello_quiet test_keepalive test_keyholder test_keyholder_bounds
	test_keyholder_liar test_keyholder_unreached test_lifecycle
	test_local test_lockout test_lostack test_ministry test_network
	test_holder_flood test_outbox_undecodable
	test_query_odd test_query_preparing test_recover_liar test_release_evict
	test_restore test_restore_behind test_starting_flood
	test_revoke test_submit_officer test_takeups test_thief
	test_node_unreached test_node_wrong_service test_consolidator_key
	test_wrong_peer_key test_unmatched_list test_theft_recover
	test_slow_unread test_query_revoked_held test_recover_crowded
)
# These ran alone for the load they make (a processor or both busy for
# much of their run) and time nothing against the clock (test_service
# times its stop, with room: its line): they take three of the four
# slots, beside one waiting test at most. They start first (COST below):
# ctest starts a test only when its slots are free, and starts any later
# test that fits meanwhile, so that left in their turn the heavy ones
# waited while the lighter ones took every slot that came free, and ran
# at the end one after another, the fourth slot idle (in ci-19's gcc run,
# 292 s of them, 73 s of four slots' time): first, each runs beside a
# waiting test. (ctest orders by COST in a fresh build directory, as CI's;
# after a run, by the times it measured, the longest first.)
set(E2E_HEAVY
	test_disclosure_attack	# thousands of queries, an integer programme
	test_report		# a headless Chromium (its time-out 120 s)
	test_deb		# cpack, dpkg-shlibdeps for a minute
	test_catchup		# a 20,480-event drain, 1.3 processors (8.6 s of CPU in 6.5 s alone; 11.4 in 8.3 under ASan); its checks read the log's order, not the time
	test_keyholder_unread	# 3 batches of 65,536 on every processor, 36,000 flooded requests
	test_control_unread	# 3 batches of 65,536 on one worker, 36,000 flooded control requests
	test_consolidator_flood	# twelve floods from a hostile consolidator during submissions, each ended at another moment (31 s, 23 of them asleep: the moments and one wait for a heartbeat, which each round took before: 62 s)
	test_recover_flood	# four floods of a --recover from a hostile consolidator, 10,000 Acks between two reads (10 s)
	test_reload_stress	# four clients asking without pause, audits of seconds, 38 reloads or more (30 to 60 s)
	test_service		# SIGTERM timed to 5 s during a stream: 1.1 processors busy (1.35 ASan); the stop 86 ms (484 ms ASan) at load 10
	test_stats		# its askers on both cores, 1.65 processors (44 s of CPU in CI's 27 s); a refusal within 5 s (14 ms at load 10), 8 questions asked again at most
	test_threads		# saturated ingest on both cores, 1.5 processors (17 s of CPU in CI's 11.5 s); status, metrics and queries answered during it, however slow
)
# test_ingest_ping (five floods of 18,000 recovery requests with 1 ms
# heartbeats from a stolen node key) and test_stall_unread (two floods
# of 18,000 while a commit stalls) were among these: alone at load 5-8
# they keep 0.3 and 0.2 of a processor busy (6.5 s of CPU in 22 s, 3.9 s
# in 19 s; under ASan 0.45 and 0.3: 10.5 s in 23 s, 6.6 s in 22 s), their
# floods bursts between waits for a heartbeat, and time nothing: two
# slots, as any test not listed, beside others rather than three of the
# four in turn with the heavy ones (their 41 s of the gcc run's 668 s of
# heavy tests one after another).
# These run alone (RUN_SERIAL), each for its reason:
set(E2E_SERIAL
	test_hello_flood	# log lines per second, memory growth under a flood
	test_keyholder_hostile	# log lines per second, memory growth
	test_unread		# log lines per second, memory growth
	test_valgrind		# CPU-bound (28 s of CPU a run); valgrind's slow daemons near time-outs: a secretariat's first question missed the client's 15 s at load 11
	test_crash		# 8,000 victims, workers=4; answers before the kill in a window of seconds
	test_query_flood	# its own busy loops on every processor
)
# test_rogue takes two slots, as any test not listed: its 10,000 frames
# and a submitter keep 0.65 of a processor busy (5 s of CPU in its 8 s;
# 0.72 under ASan), and it times nothing but the rogue's wait for each
# answer. So does test_install (cmake --install into a DESTDIR, its
# daemons' -n checks): 3.6 s of CPU in its 3.4 s alone (5.4 s in 5.0
# under ASan), one processor for a few seconds; two slots also keep it
# from running beside test_deb, whose cpack installs from the same build
# directory.
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
	elseif(name IN_LIST E2E_HEAVY)
		set_tests_properties(e2e/${name} PROPERTIES PROCESSORS 3
			COST 1000)
	elseif(KUSKA_SANITIZE OR NOT name IN_LIST E2E_WAITING)
		set_tests_properties(e2e/${name} PROPERTIES PROCESSORS 2)
	endif()
	math(EXPR e2e_slot "${e2e_slot} + 1")
endforeach()

# Small programs the end-to-end tests drive (a rogue peer, ...): built,
# not run by ctest themselves.
# What more than one of them needs lives in tests/tools/common.
add_library(kuska_tools STATIC ${CMAKE_SOURCE_DIR}/tests/tools/common/unread.c
	${CMAKE_SOURCE_DIR}/tests/tools/common/fakeserver.c
	${CMAKE_SOURCE_DIR}/tests/tools/common/reset.c
	${CMAKE_SOURCE_DIR}/tests/tools/common/rawzmtp.c)
target_include_directories(kuska_tools PUBLIC ${CMAKE_SOURCE_DIR}/tests/tools/common)
target_link_libraries(kuska_tools PUBLIC kuska_lib)
# test_holders, test_deliver and test_recover_wait dial a key holder's
# and the consolidator's place taken by the tools' fake server
# (tests/unit/curve_rig.c), as the node dials them.
foreach(t test_holders test_deliver test_recover_wait)
	if(TARGET ${t})
		target_sources(${t} PRIVATE
			${CMAKE_SOURCE_DIR}/tests/unit/curve_rig.c)
		target_link_libraries(${t} kuska_tools)
	endif()
endforeach()
# An LD_PRELOAD library that stalls a store's commits while a file exists
# (tests/tools/shim/stall.c); left out of the sanitizers, whose runtime
# is the executable's.
add_library(kuska_stall SHARED ${CMAKE_SOURCE_DIR}/tests/tools/shim/stall.c)
target_compile_options(kuska_stall PRIVATE -fno-sanitize=all)
target_link_libraries(kuska_stall ${CMAKE_DL_LIBS})
# One that holds a daemon's reads of one socket while a file exists
# (tests/tools/shim/slowread.c), libzmq's I/O thread reading on.
add_library(kuska_slowread SHARED
	${CMAKE_SOURCE_DIR}/tests/tools/shim/slowread.c)
target_compile_options(kuska_slowread PRIVATE -fno-sanitize=all)
target_link_libraries(kuska_slowread PkgConfig::ZMQ PkgConfig::LMDB
	${CMAKE_DL_LIBS})
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
# allocations fail on purpose (fail_malloc.c's __wrap_malloc, and its
# __wrap_calloc and __wrap_realloc, which the statistics engine's tables
# grow with): memory running out is not an envelope's fault. So does
# test_old_epochs, for the log line of a status that could not read them.
kuska_wrap(malloc test_codec_envelope test_codec_msg test_ingest
	test_old_epochs)
foreach(t test_codec_envelope test_codec_msg test_ingest test_old_epochs)
	if(TARGET ${t})
		target_link_options(${t} PRIVATE -Wl,--wrap=calloc
			-Wl,--wrap=realloc)
	endif()
endforeach()
# test_file, test_account and test_metrics count the fsyncs of what
# they replace and fail one on purpose (fail_fsync.c's __wrap_fsync): a
# file written whole is synced, file and directory.
kuska_wrap(fsync test_file test_account test_metrics)
# test_submissions, test_ingest, test_deliver, test_old_epochs,
# test_holders and test_recover_wait read the log lines the code they
# test writes (capture.c: stderr to a file and back).
foreach(t test_submissions test_ingest test_deliver test_old_epochs
	test_holders test_recover_wait)
	if(TARGET ${t})
		target_sources(${t} PRIVATE
			${CMAKE_SOURCE_DIR}/tests/unit/capture.c)
	endif()
endforeach()
# test_keys renames another file over a key file as it is opened (its
# __wrap_open, and __wrap___open_2 for the calls _FORTIFY_SOURCE makes):
# what is checked must be what is read.
if(TARGET test_keys)
	target_link_options(test_keys PRIVATE -Wl,--wrap=open
		-Wl,--wrap=__open_2)
endif()
# test_ingest makes every allocation after a commit fail (its
# __wrap_store_commit): a batch stored whose statistics lose their index.
if(TARGET test_ingest)
	target_link_options(test_ingest PRIVATE -Wl,--wrap=store_commit)
endif()
# test_indicators commits ingest before each read transaction a query
# begins (its __wrap_store_begin): answers read apart would disagree.
if(TARGET test_indicators)
	target_link_options(test_indicators PRIVATE -Wl,--wrap=store_begin)
endif()
