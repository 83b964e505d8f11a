#!/usr/bin/env bash
# test.sh - builds kuska twice and runs every test on both builds:
#   build/       gcc, -Wall -Wextra -Werror (RelWithDebInfo)
#   build-asan/  clang with AddressSanitizer and UndefinedBehaviorSanitizer
# then the daemons with ThreadSanitizer (build-tsan/) over the exchange,
# threads, revoke, query_flood and audit_flood end-to-end tests, and the short fuzzing runs (clang,
# libFuzzer) when clang is present.
set -eu
cd "$(dirname "$0")/.."
bash scripts/deps.sh

jobs=$(nproc 2>/dev/null || echo 2)

echo "== gcc build"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=gcc >/dev/null
cmake --build build -j"$jobs"
# -j: the unit tests, corpus replays and most end-to-end tests side by
# side (each end-to-end test has ports of its own), two slots a
# processor: a test takes as many slots as half-processors it keeps
# busy, most end-to-end tests one (they mostly wait; in the sanitizer
# build two, as each client's start keeps a processor busy); those that time
# answers, count log lines per second or load both cores are RUN_SERIAL
# (tests/tests.cmake says which and why), and ctest runs each alone.
slots=$((2 * jobs))
(cd build && ctest --output-on-failure -j"$slots")

echo "== clang build with ASan+UBSan"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_COMPILER=clang \
	-DKUSKA_SANITIZE=ON >/dev/null
cmake --build build-asan -j"$jobs"
(cd build-asan &&
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	ctest --output-on-failure -j"$slots")

echo "== clang build with ThreadSanitizer: the daemons over the exchange and floods"
# Only the programs the nine tests run (the exchange; status, metrics
# and queries during saturated ingest; a reload under a query client; an
# asker's flood and a flood during an audit, through the query socket's
# reader thread, query_reader.c; reloads while a question's audit is
# held, what it pinned freed only after, cons_free_retired; thirty
# reloads among questions audited and answered apart; a question told
# PREPARING while its audit runs on, the table it computed kept for its
# next try, test_query_preparing, asleep most of its run); libzmq's own
# threads are not instrumented (tests/tsan.supp says why that needs the
# options below). Side by side as in the gcc build, the same slots
# (tests/tests.cmake): one at a time they kept 0.4 of a processor busy
# (79 s of CPU in 213 s at load 11), and ran 169 s four slots at a time.
cmake -S . -B build-tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	-DCMAKE_C_COMPILER=clang -DKUSKA_TSAN=ON >/dev/null
cmake --build build-tsan -j"$jobs" --target kuska kuska-node \
	kuska-consolidator kuska-keyholder kuska_asker kuska_rogue \
	kuska_slowread
(cd build-tsan &&
	TSAN_OPTIONS="halt_on_error=1 ignore_noninstrumented_modules=1 suppressions=$PWD/../tests/tsan.supp" \
	ctest --output-on-failure -j"$slots" -R '^e2e/test_(exchange|threads|revoke|query_flood|audit_flood|reload_audit|reload_revoke_audit|reload_stress|query_preparing)$')

if [ -x scripts/fuzz.sh ]; then
	echo "== short fuzzing runs"
	bash scripts/fuzz.sh
fi
echo "== all tests passed"
