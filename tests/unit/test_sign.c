/* test_sign.c - domain-separated envelope signatures (sign.h). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "keys.h"
#include "sign.h"

struct fixture {
	struct secret_key *a, *b;
	uint8_t event[300];
	struct sign_fields f;
	uint8_t sig[SIGNATURE_LEN];
};

static int
setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	size_t i;

	if (fx == NULL || keys_init() != 0)
		return -1;
	if (keys_generate("pnp", &fx->a) != 0 ||
	    keys_generate("mp", &fx->b) != 0)
		return -1;
	for (i = 0; i < sizeof(fx->event); i++)
		fx->event[i] = (uint8_t)(i * 7 + 3);
	fx->f.network = "pe-trata-2026";
	fx->f.version = 2;
	fx->f.institution = 1;
	fx->f.seq = 42;
	fx->f.created_ms = 1767225600000ull;
	memcpy(fx->f.key_id, fx->a->key_id, KEY_ID_LEN);
	fx->f.event = fx->event;
	fx->f.event_len = sizeof(fx->event);
	if (sign_envelope(fx->a->sign_sk, &fx->f, fx->sig) != 0)
		return -1;
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *fx = *state;

	keys_free(&fx->a);
	keys_free(&fx->b);
	free(fx);
	return 0;
}

static void
test_sign_verify(void **state)
{
	struct fixture *fx = *state;
	uint8_t sig2[SIGNATURE_LEN];

	assert_int_equal(sign_verify(fx->a->sign_pk, &fx->f, fx->sig), 0);
	/* Ed25519 is deterministic: the same fields, the same signature. */
	assert_int_equal(sign_envelope(fx->a->sign_sk, &fx->f, sig2), 0);
	assert_memory_equal(sig2, fx->sig, SIGNATURE_LEN);
}

/*
 * A hello's proof of being in step is signed in a domain of its own: it
 * verifies as such, not as an envelope over the same fields, nor an
 * envelope's signature as a proof; changed, it does not verify.
 */
static void
test_in_step_domain(void **state)
{
	struct fixture *fx = *state;
	struct sign_fields f = fx->f;
	uint8_t proof[SIGNATURE_LEN];

	assert_int_equal(sign_in_step(fx->a->sign_sk, &f, proof), 0);
	assert_int_equal(sign_in_step_verify(fx->a->sign_pk, &f, proof), 0);
	assert_memory_not_equal(proof, fx->sig, SIGNATURE_LEN);
	assert_int_equal(sign_verify(fx->a->sign_pk, &f, proof), -EBADMSG);
	assert_int_equal(sign_in_step_verify(fx->a->sign_pk, &f, fx->sig),
			 -EBADMSG);
	assert_int_equal(sign_in_step_verify(fx->b->sign_pk, &f, proof),
			 -EBADMSG);
	f.seq++;
	assert_int_equal(sign_in_step_verify(fx->a->sign_pk, &f, proof),
			 -EBADMSG);
}

static void
test_empty_event(void **state)
{
	struct fixture *fx = *state;
	struct sign_fields f = fx->f;
	uint8_t sig[SIGNATURE_LEN];

	f.event = NULL;
	f.event_len = 0;
	assert_int_equal(sign_envelope(fx->a->sign_sk, &f, sig), 0);
	assert_int_equal(sign_verify(fx->a->sign_pk, &f, sig), 0);
	/* An empty event is not the fixture's event. */
	assert_int_equal(sign_verify(fx->a->sign_pk, &fx->f, sig), -EBADMSG);
}

/* Each signed field, changed alone, breaks the signature. */
static void
test_every_field_bound(void **state)
{
	struct fixture *fx = *state;
	uint8_t ev[sizeof(fx->event)];
	struct sign_fields f;
	size_t i;
	int bit;

	f = fx->f;
	f.version = 1;
	assert_int_equal(sign_verify(fx->a->sign_pk, &f, fx->sig), -EBADMSG);
	f = fx->f;
	f.version = 1u << 24; /* the high byte too */
	assert_int_equal(sign_verify(fx->a->sign_pk, &f, fx->sig), -EBADMSG);

	f = fx->f;
	f.institution = 2;
	assert_int_equal(sign_verify(fx->a->sign_pk, &f, fx->sig), -EBADMSG);

	f = fx->f;
	f.seq = 43;
	assert_int_equal(sign_verify(fx->a->sign_pk, &f, fx->sig), -EBADMSG);
	f = fx->f;
	f.seq = 42 | (1ull << 63);
	assert_int_equal(sign_verify(fx->a->sign_pk, &f, fx->sig), -EBADMSG);

	f = fx->f;
	f.created_ms++;
	assert_int_equal(sign_verify(fx->a->sign_pk, &f, fx->sig), -EBADMSG);

	for (i = 0; i < KEY_ID_LEN; i++) {
		f = fx->f;
		f.key_id[i] ^= 0x01;
		assert_int_equal(sign_verify(fx->a->sign_pk, &f, fx->sig),
				 -EBADMSG);
	}

	/* One bit anywhere in the event. */
	for (i = 0; i < sizeof(ev); i += 37) {
		memcpy(ev, fx->event, sizeof(ev));
		ev[i] ^= 0x80;
		f = fx->f;
		f.event = ev;
		assert_int_equal(sign_verify(fx->a->sign_pk, &f, fx->sig),
				 -EBADMSG);
	}
	/* A shorter or longer event over the same bytes. */
	f = fx->f;
	f.event_len--;
	assert_int_equal(sign_verify(fx->a->sign_pk, &f, fx->sig), -EBADMSG);

	/* One bit of the signature. */
	for (i = 0; i < SIGNATURE_LEN; i++) {
		for (bit = 0; bit < 8; bit += 3) {
			uint8_t sig[SIGNATURE_LEN];
			memcpy(sig, fx->sig, sizeof(sig));
			sig[i] ^= (uint8_t)(1u << bit);
			assert_int_equal(
			    sign_verify(fx->a->sign_pk, &fx->f, sig), -EBADMSG);
		}
	}
	/* And the original still verifies. */
	assert_int_equal(sign_verify(fx->a->sign_pk, &fx->f, fx->sig), 0);
}

/*
 * The network: another name, a prefix or an extension of it breaks the
 * signature (a test network made from the same keys cannot reuse one);
 * a missing, empty or overlong name cannot be signed or verified.
 */
static void
test_network_bound(void **state)
{
	struct fixture *fx = *state;
	struct sign_fields f;
	uint8_t sig[SIGNATURE_LEN];
	static const char *const others[] = {
	    "pe-test-2026",  "pe-trata-202",  "pe-trata-20266",
	    "pe-trata-2027", "PE-TRATA-2026",
	};
	size_t i;

	for (i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
		f = fx->f;
		f.network = others[i];
		assert_int_equal(sign_verify(fx->a->sign_pk, &f, fx->sig),
				 -EBADMSG);
	}
	/* Bytes cannot move between the network and the version. */
	f = fx->f;
	f.network = "pe-trata-2026\x01";
	assert_int_equal(sign_verify(fx->a->sign_pk, &f, fx->sig), -EBADMSG);
	f = fx->f;
	f.network = NULL;
	assert_int_equal(sign_envelope(fx->a->sign_sk, &f, sig), -EINVAL);
	assert_int_equal(sign_verify(fx->a->sign_pk, &f, fx->sig), -EINVAL);
	f.network = "";
	assert_int_equal(sign_envelope(fx->a->sign_sk, &f, sig), -EINVAL);
	assert_int_equal(sign_verify(fx->a->sign_pk, &f, fx->sig), -EINVAL);
	f.network = "0123456789012345678901234567890"; /* 31: the most */
	assert_int_equal(sign_envelope(fx->a->sign_sk, &f, sig), 0);
	assert_int_equal(sign_verify(fx->a->sign_pk, &f, sig), 0);
	f.network = "01234567890123456789012345678901"; /* 32 */
	assert_int_equal(sign_envelope(fx->a->sign_sk, &f, sig), -EINVAL);
	assert_int_equal(sign_verify(fx->a->sign_pk, &f, sig), -EINVAL);
}

/*
 * The fields are laid out at fixed widths with the length in front of the
 * event, so bytes cannot move from one field to the next: a seq and a
 * created_ms that swap bytes, or an event that absorbs the key id, give
 * different messages.
 */
static void
test_no_field_shifting(void **state)
{
	struct fixture *fx = *state;
	struct sign_fields f = fx->f, g;
	uint8_t sig[SIGNATURE_LEN];

	f.seq = 0x0102;
	f.created_ms = 0x0304;
	assert_int_equal(sign_envelope(fx->a->sign_sk, &f, sig), 0);
	g = f;
	g.seq = 0x0304;
	g.created_ms = 0x0102;
	assert_int_equal(sign_verify(fx->a->sign_pk, &g, sig), -EBADMSG);
	g = f;
	g.seq = 0x010203;
	g.created_ms = 0x04;
	assert_int_equal(sign_verify(fx->a->sign_pk, &g, sig), -EBADMSG);
}

static void
test_other_key(void **state)
{
	struct fixture *fx = *state;
	uint8_t sig[SIGNATURE_LEN];

	assert_int_equal(sign_verify(fx->b->sign_pk, &fx->f, fx->sig),
			 -EBADMSG);
	/* B's signature over the same fields (claiming A's key id). */
	assert_int_equal(sign_envelope(fx->b->sign_sk, &fx->f, sig), 0);
	assert_int_equal(sign_verify(fx->a->sign_pk, &fx->f, sig), -EBADMSG);
	assert_int_equal(sign_verify(fx->b->sign_pk, &fx->f, sig), 0);
}

/* Events over the stack buffer take the allocating path. */
static void
test_large_event(void **state)
{
	struct fixture *fx = *state;
	struct sign_fields f = fx->f;
	uint8_t sig[SIGNATURE_LEN];
	uint8_t *big = malloc(SIGN_MAX_EVENT + 1);
	size_t i;

	assert_non_null(big);
	for (i = 0; i < SIGN_MAX_EVENT + 1; i++)
		big[i] = (uint8_t)(i >> 3);
	f.event = big;
	f.event_len = SIGN_MAX_EVENT;
	assert_int_equal(sign_envelope(fx->a->sign_sk, &f, sig), 0);
	assert_int_equal(sign_verify(fx->a->sign_pk, &f, sig), 0);
	big[SIGN_MAX_EVENT - 1] ^= 1;
	assert_int_equal(sign_verify(fx->a->sign_pk, &f, sig), -EBADMSG);
	big[SIGN_MAX_EVENT - 1] ^= 1;

	/* Right around the stack buffer's size. */
	for (i = 4000; i < 4100; i += 9) {
		f.event_len = i;
		assert_int_equal(sign_envelope(fx->a->sign_sk, &f, sig), 0);
		assert_int_equal(sign_verify(fx->a->sign_pk, &f, sig), 0);
	}

	/* One byte over: refused both ways. */
	f.event_len = SIGN_MAX_EVENT + 1;
	memset(sig, 0x5a, sizeof(sig));
	assert_int_equal(sign_envelope(fx->a->sign_sk, &f, sig), -EMSGSIZE);
	assert_int_equal(sign_verify(fx->a->sign_pk, &f, sig), -EMSGSIZE);
	f.event_len = SIZE_MAX;
	assert_int_equal(sign_envelope(fx->a->sign_sk, &f, sig), -EMSGSIZE);
	assert_int_equal(sign_verify(fx->a->sign_pk, &f, sig), -EMSGSIZE);
	free(big);
}

static void
test_digest(void **state)
{
	static const uint8_t msg[] = "kuska";
	uint8_t d1[32], d2[32], d3[32];

	(void)state;
	sign_digest(msg, sizeof(msg) - 1, d1);
	sign_digest(msg, sizeof(msg) - 1, d2);
	assert_memory_equal(d1, d2, 32);
	sign_digest(msg, sizeof(msg) - 2, d3);
	assert_memory_not_equal(d1, d3, 32);
	sign_digest(NULL, 0, d3);
	assert_memory_not_equal(d1, d3, 32);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sign_verify),
	    cmocka_unit_test(test_in_step_domain),
	    cmocka_unit_test(test_network_bound),
	    cmocka_unit_test(test_empty_event),
	    cmocka_unit_test(test_every_field_bound),
	    cmocka_unit_test(test_no_field_shifting),
	    cmocka_unit_test(test_other_key),
	    cmocka_unit_test(test_large_event),
	    cmocka_unit_test(test_digest),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
