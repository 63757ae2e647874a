/* calls_impl.h - what the files of the SIP call tracker share. */
#ifndef LT_SIP_CALLS_IMPL_H
#define LT_SIP_CALLS_IMPL_H

#include "session/sip/calls.h"
#include "session/sip/sdp.h"

#define NIL	UINT32_MAX

enum call_state {
	CS_FREE = 0,
	CS_EARLY,		/* INVITE without a final answer yet */
	CS_CONFIRMED,		/* answered */
	CS_BYE,			/* BYE sent, its answer awaited */
	CS_TRANSACTION,		/* an out-of-dialog request other than INVITE */
	CS_ENDED,		/* End sent; absorbs retransmissions until freed */
};

/* Timer lists, each in deadline order since its timeout is one constant. */
enum timer_class { T_SETUP, T_IDLE, T_BYE, T_LINGER, T_CLASSES };

/* Endpoint kinds of one side of one stream. */
enum { EP_RTP, EP_RTCP, EP_LATCHED, EP_KINDS };

struct icept {
	uint32_t warrant, cin;
	uint8_t sides;		/* bit s: side s is the target */
	uint8_t begun;
};

/* A call: side 0 sent the message that made it known, side 1 is the other party. */
struct call {
	uint64_t key;		/* keyed hash of the Call-ID */
	uint64_t tag0;		/* keyed hash of side 0's tag */
	uint32_t hnext;		/* hash chain; free list */
	uint32_t lprev, lnext;	/* timer list, oldest first */
	int64_t deadline_us;
	uint32_t invite_cseq;
	uint8_t state;
	uint8_t timer;		/* enum timer_class: the list it is on */
	uint8_t nicept;
	struct icept icept[SIPCALL_ICEPT_MAX];
	struct sipcall_ep last_src, last_dst;	/* of its last message */
	uint32_t ep[SIPCALL_STREAMS][2][EP_KINDS];	/* media endpoint slots or NIL */
};

/* A media endpoint: where one side of one stream of a call receives. */
struct mep {
	struct sipcall_ep ep;
	uint8_t side, stream, kind;
	uint32_t call;
	uint32_t hnext;		/* hash chain; free list */
};

/* Targets indexed by (kind, value) under the tracker's hash key. */
struct sipcall_targets {
	struct sipcall_target *v;
	uint32_t n;
	uint32_t *head, *next, mask;
};

struct sipcalls {
	struct sipcalls_cfg cfg;
	uint8_t key[16];
	struct call *calls;
	uint32_t *chead, cmask, cfree, ncalls;
	struct mep *meps;
	uint32_t *mhead, mmask, mfree, nmeps;
	struct sipcall_targets *tg;	/* the live targets */
	uint32_t lhead[T_CLASSES], ltail[T_CLASSES];
	uint32_t next_cin;
	struct sipcall_stats st;
};

uint64_t calls_hash(const struct sipcalls *t, const uint8_t *p, size_t len);
int calls_err(struct sipcalls *t, int e);

/* calltarget.c: the warrants naming a party of m sent by side s; sides[] per warrant. */
unsigned calls_match(struct sipcalls *t, const struct sip_msg *m, int sender,
    uint32_t *warrants, uint8_t *sides, unsigned max);

/* callmedia.c */
int calls_media_init(struct sipcalls *t);
void calls_media_free(struct sipcalls *t);
/* Side s of call c now receives where sdp says. */
int calls_media_sdp(struct sipcalls *t, uint32_t c, int side, const struct sdp *sdp);
void calls_media_drop(struct sipcalls *t, uint32_t c);

#endif
