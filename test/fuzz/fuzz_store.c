/* fuzz_store.c - the store.bin parser (header, decryption, document shape) under a fixed test key. */
#include <string.h>

#include <sodium.h>

#include "fuzz.h"
#include "mgmt/store.h"

static const uint8_t dk[LT_KEY_LEN] = { 0x6c, 0x74, 0x2d, 0x66, 0x75, 0x7a, 0x7a };

/*
 * First byte 0: the rest is store.bin as found on disk.  Otherwise the rest
 * is a plaintext document that the harness seals (so the fuzzer reaches the
 * JSON and shape checks past the AEAD) with the generation in the first
 * byte; what parses must seal and parse again to the same document.
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static int ready;
	struct lt_store_hdr h, h2;
	uint8_t *buf, *img;
	size_t n, imglen;
	json_t *doc = NULL, *doc2 = NULL;
	char err[512];
	int r;

	if (!ready) {
		FUZZ_CHECK(sodium_init() >= 0);
		ready = 1;
	}
	if (len < 1 || len > LT_STORE_MAX_LEN / 2)
		return 0;
	if (data[0] == 0) {
		err[0] = '\0';
		r = lt_store_parse(data + 1, len - 1, dk, &h, &doc, err, sizeof(err));
		FUZZ_CHECK(r == 0 || r == -1);
		FUZZ_CHECK(r == 0 ? doc != NULL : err[0] != '\0');
	} else {
		n = len - 1;
		if ((buf = malloc(LT_STORE_MIN_LEN + n)) == NULL)
			return 0;
		memset(buf, 0, LT_STORE_HDR_LEN);
		memcpy(buf, "LTST\0\0\0\1", 8);
		buf[15] = data[0];
		randombytes_buf(buf + LT_STORE_HDR_LEN, LT_STORE_NONCE_LEN);
		crypto_aead_xchacha20poly1305_ietf_encrypt(
		    buf + LT_STORE_HDR_LEN + LT_STORE_NONCE_LEN, NULL, data + 1, n,
		    buf, LT_STORE_HDR_LEN, NULL, buf + LT_STORE_HDR_LEN, dk);
		err[0] = '\0';
		r = lt_store_parse(buf, LT_STORE_MIN_LEN + n, dk, &h, &doc, err,
		    sizeof(err));
		free(buf);
		FUZZ_CHECK(r == 0 ? doc != NULL : err[0] != '\0');
		FUZZ_CHECK(r != 0 || h.generation == data[0]);
	}
	if (r != 0)
		return 0;
	/* what parsed seals and parses back to the same document */
	FUZZ_CHECK(lt_store_seal(&h, doc, dk, &img, &imglen, err, sizeof(err)) == 0);
	FUZZ_CHECK(lt_store_parse(img, imglen, dk, &h2, &doc2, err, sizeof(err)) == 0);
	FUZZ_CHECK(h2.generation == h.generation &&
	    memcmp(h2.prev_hash, h.prev_hash, LT_STORE_HASH_LEN) == 0);
	FUZZ_CHECK(json_equal(doc, doc2));
	sodium_free(img);
	json_decref(doc);
	json_decref(doc2);
	return 0;
}
