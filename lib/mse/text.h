/* text.h - building bounded strings (format.c). */
#ifndef KUSKA_MSE_TEXT_H
#define KUSKA_MSE_TEXT_H

#include <stddef.h>

/*
 * mse_append - appends printf-style text to the NUL-terminated string in
 * buf (cap bytes), cutting it short rather than overflowing.
 */
__attribute__((format(printf, 3, 4))) void mse_append(char *buf, size_t cap,
						      const char *fmt, ...);

#endif
