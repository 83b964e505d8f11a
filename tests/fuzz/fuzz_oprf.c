/*
 * fuzz_oprf.c - what a key holder and a node read from each other: an
 * OprfRequest as the key holder takes it (codec_oprf_request_decode, then
 * the evaluation of each element, as serve.c does) and an OprfReply as a
 * node takes it (codec_oprf_reply_decode, then adding the elements, as
 * holders.c does), and the id the key holder reads from a request it
 * refuses unread (codec_oprf_request_id). The first byte picks the
 * largest request accepted (1..256 elements), the rest is the frame.
 *
 * Invariants (abort() when broken): what a decoder accepts has whole
 * elements within the cap, and encodes again to a frame that decodes to
 * the same values; evaluating or adding never crashes, whatever the
 * elements are; a request that decodes has the id the scan reads.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "keys.h"
#include "oprf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A sum may be the identity (an element and its negation). */
static bool
is_identity(const uint8_t *p)
{
	static const uint8_t zero[32];

	return memcmp(p, zero, 32) == 0;
}

static void
same_request(const struct oprf_msg *m)
{
	struct oprf_msg back;
	uint8_t *buf;
	size_t len;

	if (codec_oprf_request_encode(m, &buf, &len) != 0)
		abort();
	if (codec_oprf_request_decode(buf, len, m->n, &back) != 0 ||
	    back.request_id != m->request_id || back.epoch != m->epoch ||
	    back.n != m->n ||
	    memcmp(back.elements, m->elements, m->n * 32) != 0)
		abort();
	codec_oprf_clear(&back);
	free(buf);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready;
	static uint8_t key[32];
	struct oprf_msg m;
	uint8_t out[32];
	uint64_t id;
	size_t max, i;

	if (!ready) {
		if (keys_init() != 0)
			abort();
		oprf_key_generate(key);
		ready = true;
	}
	if (size < 1)
		return 0;
	max = 1 + data[0] % 256;
	id = codec_oprf_request_id(data + 1, size - 1);
	if (codec_oprf_request_decode(data + 1, size - 1, max, &m) == 0) {
		if (m.n == 0 || m.n > max || m.elements == NULL ||
		    m.request_id != id)
			abort();
		for (i = 0; i < m.n; i++)
			if (oprf_evaluate(key, m.elements + 32 * i, out) == 0 &&
			    !oprf_element_valid(out))
				abort();
		same_request(&m);
		codec_oprf_clear(&m);
	}
	if (codec_oprf_reply_decode(data + 1, size - 1, &m) == 0) {
		if (m.status <= OPRF_NONE || m.status >= OPRF_STATUS_COUNT ||
		    m.n > CODEC_MAX_OPRF_ELEMENTS ||
		    (m.status == OPRF_OK && m.n > 0 && m.elements == NULL) ||
		    memchr(m.text, '\0', sizeof(m.text)) == NULL)
			abort();
		for (i = 1; i < m.n; i++)
			if (oprf_element_add(m.elements, m.elements + 32 * i,
					     out) == 0 &&
			    !oprf_element_valid(out) && !is_identity(out))
				abort();
		codec_oprf_clear(&m);
	}
	return 0;
}
