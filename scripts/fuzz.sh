#!/usr/bin/env bash
# fuzz.sh - short libFuzzer runs of every tests/fuzz/fuzz_*.c target.
#
# Builds build-fuzz/ with clang (-DKUSKA_FUZZ=ON, ASan+UBSan, and the
# whole tree instrumented for coverage), then runs each target for a fixed
# number of inputs, starting from a copy of its saved corpus so that a run
# never grows the repository. Any crash, leak or sanitizer report fails
# the script; the input that caused it is kept and its path printed (add
# it to tests/fuzz/corpus/TARGET/ under a descriptive name).
#
#   FUZZ_RUNS=N   inputs per target (default 20000)
#   FUZZ_JOBS=N   parallel build jobs and targets run at once (default: nproc)
#
# Without clang it says so and succeeds: ordinary builds still replay the
# corpora under ctest (fuzz-replay/TARGET).
set -eu
cd "$(dirname "$0")/.."

runs=${FUZZ_RUNS:-20000}
jobs=${FUZZ_JOBS:-$(nproc 2>/dev/null || echo 2)}

if ! command -v clang >/dev/null 2>&1; then
	echo "fuzz: clang not found; skipping the fuzzing runs"
	exit 0
fi

# The largest input worth trying, per target.
max_len() {
	case $1 in
	envelope) echo 4096 ;;
	message) echo 8192 ;;
	query) echo 256 ;;
	config) echo 2048 ;;
	keyfile) echo 1024 ;;
	record) echo 4096 ;;
	*) echo 4096 ;;
	esac
}

echo "== fuzz build (clang, libFuzzer, ASan+UBSan) in build-fuzz"
cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang -DKUSKA_FUZZ=ON \
	-DKUSKA_SANITIZE=ON -DCMAKE_C_FLAGS=-fsanitize=fuzzer-no-link \
	>/dev/null
# Only the fuzz targets: the daemons, tools and unit tests built this way
# are never run.
targets=$(for src in tests/fuzz/fuzz_*.c; do basename "$src" .c; done)
cmake --build build-fuzz -j"$jobs" --target $targets >/dev/null

work=$(mktemp -d "${TMPDIR:-/tmp}/kuska-fuzz-run.XXXXXX")
trap 'rm -rf "$work"' EXIT

# The targets make their temporary directories here too, so that even
# a crashed run leaves nothing behind.
export TMPDIR="$work"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

# fuzz_one BIN: one target's run; its verdict into $work/TARGET/result
# (the first line "runs N" or "failed"), its report after it.
fuzz_one() {
	local bin=$1 target corpus log done_runs keep
	target=${bin##*/fuzz_}
	corpus=tests/fuzz/corpus/$target
	mkdir -p "$work/$target/corpus" "$work/$target/crashes"
	if [ -d "$corpus" ]; then
		cp -R "$corpus"/. "$work/$target/corpus/"
	fi
	log=$work/$target/log
	if "$bin" -runs="$runs" -max_len="$(max_len "$target")" -timeout=10 \
		-rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$work/$target/crashes/" \
		"$work/$target/corpus" </dev/null >"$log" 2>&1; then
		done_runs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$log" |
			tail -n 1)
		done_runs=${done_runs:-$runs}
		{
			echo "runs $done_runs"
			echo "fuzz $target: $done_runs runs, no crash"
		} >"$work/$target/result"
	else
		keep=build-fuzz/crashes/$target
		mkdir -p "$keep"
		cp "$work/$target/crashes"/* "$keep/" 2>/dev/null || true
		cp "$log" "$keep/log"
		{
			echo "failed"
			echo "fuzz $target: FAILED; the report:"
			grep -E 'ERROR|SUMMARY|runtime error|#[0-9]+ 0x' "$log" |
				head -n 30 | sed 's/^/  /'
			echo "  crash input(s) and the full log kept in $keep/"
		} >"$work/$target/result"
	fi
}

# Each target is one single-threaded process: $jobs of them at a time,
# each still given its full number of runs.
for bin in build-fuzz/fuzz_*; do
	[ -x "$bin" ] || continue
	while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do
		wait -n || true
	done
	fuzz_one "$bin" &
done
wait

total=0
failed=0
for bin in build-fuzz/fuzz_*; do
	[ -x "$bin" ] || continue
	result=$work/${bin##*/fuzz_}/result
	if [ ! -s "$result" ]; then
		failed=$((failed + 1))
		echo "fuzz ${bin##*/fuzz_}: no result (the run was lost)"
		continue
	fi
	case $(head -n 1 "$result") in
	runs\ *) total=$((total + $(head -n 1 "$result" | cut -d' ' -f2))) ;;
	*) failed=$((failed + 1)) ;;
	esac
	tail -n +2 "$result"
done
echo "fuzz: $total runs in total"
if [ "$failed" -gt 0 ]; then
	echo "fuzz: $failed target(s) failed"
	exit 1
fi
