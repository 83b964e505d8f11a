/*
 * crc32c.h - CRC-32C (Castagnoli), the checksum the daemons' store
 * modules put on every value they keep, so that a damaged file is found
 * when it is read rather than served. Uses the CPU's crc32 instruction
 * where there is one.
 */
#ifndef KUSKA_CRC32C_H
#define KUSKA_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/*
 * crc32c - extends crc (0 to start) over the len bytes of buf. Chaining
 * calls over consecutive pieces gives the checksum of the whole.
 */
uint32_t crc32c(uint32_t crc, const void *buf, size_t len);

#endif
