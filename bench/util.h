/*
 * util.h - helpers every standalone bench program had its own copy of:
 * a monotonic clock, a comparison for qsort of doubles, and a death on
 * an error code. Built into each bench_*.c (CMakeLists.txt).
 */
#ifndef KUSKA_BENCH_UTIL_H
#define KUSKA_BENCH_UTIL_H

/* bench_now_ms, bench_now_s - CLOCK_MONOTONIC in milliseconds, seconds. */
double bench_now_ms(void);
double bench_now_s(void);

/* bench_cmp_double - qsort's comparison of doubles, ascending. */
int bench_cmp_double(const void *a, const void *b);

/*
 * bench_die - prints "PROGRAM: what: strerror(-err)" on standard error
 * and exits 1 (err is a negative errno, as kuska's functions return).
 */
void bench_die(const char *what, int err) __attribute__((noreturn));

#endif
