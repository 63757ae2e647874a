/* msgs.h - real-shaped SIP messages and SDP bodies (RFC 3665 call flows) for the tests. */
#ifndef LT_TEST_SIP_MSGS_H
#define LT_TEST_SIP_MSGS_H

#define SDP_OFFER \
	"v=0\r\n" \
	"o=alice 2890844526 2890844526 IN IP4 pc33.atlanta.example.com\r\n" \
	"s=-\r\n" \
	"c=IN IP4 192.0.2.101\r\n" \
	"t=0 0\r\n" \
	"m=audio 49172 RTP/AVP 0 8 101\r\n" \
	"a=rtpmap:0 PCMU/8000\r\n" \
	"a=rtpmap:101 telephone-event/8000\r\n" \
	"a=sendrecv\r\n"

#define SDP_ANSWER \
	"v=0\r\n" \
	"o=bob 2808844564 2808844564 IN IP4 biloxi.example.com\r\n" \
	"s=-\r\n" \
	"c=IN IP4 192.0.2.201\r\n" \
	"t=0 0\r\n" \
	"m=audio 3456 RTP/AVP 0\r\n" \
	"a=rtpmap:0 PCMU/8000\r\n"

#define SDP_HOLD \
	"v=0\r\n" \
	"o=alice 2890844526 2890844527 IN IP4 pc33.atlanta.example.com\r\n" \
	"s=-\r\n" \
	"c=IN IP4 192.0.2.101\r\n" \
	"t=0 0\r\n" \
	"m=audio 49172 RTP/AVP 0\r\n" \
	"a=sendonly\r\n"

#define SDP_V6 \
	"v=0\n" \
	"o=- 1 1 IN IP6 2001:db8::1\n" \
	"s=call\n" \
	"c=IN IP6 2001:db8::1\n" \
	"t=0 0\n" \
	"a=recvonly\n" \
	"m=audio 5004 RTP/AVP 0\n" \
	"m=video 5006 RTP/AVP 96\n" \
	"c=IN IP6 2001:DB8:0:0:0:0:0:2\n" \
	"a=inactive\n"

#define SDP_MULTI \
	"v=0\r\n" \
	"o=carol 28908764872 28908764872 IN IP4 100.3.6.6\r\n" \
	"s=-\r\n" \
	"t=0 0\r\n" \
	"c=IN IP4 224.2.17.12/127\r\n" \
	"m=audio 49170 RTP/AVP 0\r\n" \
	"a=rtcp:53020\r\n" \
	"m=video 51372/2 RTP/AVP 99\r\n" \
	"c=IN IP4 198.51.100.7\r\n" \
	"a=rtcp:53022 IN IP4 198.51.100.8\r\n" \
	"a=rtpmap:99 h263-1998/90000\r\n" \
	"m=audio 0 RTP/AVP 0\r\n" \
	"m=audio 49180 RTP/SAVPF 111\r\n" \
	"a=rtcp-mux\r\n" \
	"a=rtcp:49180 IN IP6 2001:db8::7\r\n" \
	"a=x-unknown:whatever\r\n"

#define MSG_INVITE \
	"INVITE sip:bob@biloxi.example.com SIP/2.0\r\n" \
	"Via: SIP/2.0/UDP pc33.atlanta.example.com:5060;branch=z9hG4bK776asdhds\r\n" \
	"Max-Forwards: 70\r\n" \
	"To: Bob <sip:bob@biloxi.example.com>\r\n" \
	"From: Alice <sip:alice@atlanta.example.com>;tag=1928301774\r\n" \
	"Call-ID: a84b4c76e66710@pc33.atlanta.example.com\r\n" \
	"CSeq: 314159 INVITE\r\n" \
	"Contact: <sip:alice@pc33.atlanta.example.com>\r\n" \
	"P-Asserted-Identity: \"Alice\" <sip:alice@atlanta.example.com>, <tel:+1-555-123-4567>\r\n" \
	"P-Asserted-Identity: <sip:+15551234567@atlanta.example.com;user=phone>\r\n" \
	"Content-Type: application/sdp\r\n" \
	"Content-Length: 202\r\n" \
	"\r\n" \
	"v=0\r\n" \
	"o=alice 2890844526 2890844526 IN IP4 pc33.atlanta.example.com\r\n" \
	"s=-\r\n" \
	"c=IN IP4 192.0.2.101\r\n" \
	"t=0 0\r\n" \
	"m=audio 49172 RTP/AVP 0 8 101\r\n" \
	"a=rtpmap:0 PCMU/8000\r\n" \
	"a=rtpmap:101 telephone-event/8000\r\n" \
	"a=sendrecv\r\n"

#define MSG_TRYING \
	"SIP/2.0 100 Trying\r\n" \
	"Via: SIP/2.0/UDP pc33.atlanta.example.com:5060;branch=z9hG4bK776asdhds;received=192.0.2.101\r\n" \
	"To: Bob <sip:bob@biloxi.example.com>\r\n" \
	"From: Alice <sip:alice@atlanta.example.com>;tag=1928301774\r\n" \
	"Call-ID: a84b4c76e66710@pc33.atlanta.example.com\r\n" \
	"CSeq: 314159 INVITE\r\n" \
	"Content-Length: 0\r\n" \
	"\r\n"

#define MSG_RINGING \
	"SIP/2.0 180 Ringing\r\n" \
	"Via: SIP/2.0/UDP pc33.atlanta.example.com:5060;branch=z9hG4bK776asdhds;received=192.0.2.101\r\n" \
	"To: Bob <sip:bob@biloxi.example.com>;tag=a6c85cf\r\n" \
	"From: Alice <sip:alice@atlanta.example.com>;tag=1928301774\r\n" \
	"Call-ID: a84b4c76e66710@pc33.atlanta.example.com\r\n" \
	"CSeq: 314159 INVITE\r\n" \
	"Contact: <sip:bob@192.0.2.4>\r\n" \
	"Content-Type: application/sdp\r\n" \
	"Content-Length: 140\r\n" \
	"\r\n" \
	"v=0\r\n" \
	"o=bob 2808844564 2808844564 IN IP4 biloxi.example.com\r\n" \
	"s=-\r\n" \
	"c=IN IP4 192.0.2.201\r\n" \
	"t=0 0\r\n" \
	"m=audio 3456 RTP/AVP 0\r\n" \
	"a=rtpmap:0 PCMU/8000\r\n"

#define MSG_OK \
	"SIP/2.0 200 OK\r\n" \
	"Via: SIP/2.0/UDP server10.biloxi.example.com;branch=z9hG4bK4b43c2ff8.1;received=192.0.2.3\r\n" \
	"Via: SIP/2.0/UDP bigbox3.site3.atlanta.example.com;branch=z9hG4bK77ef4c2312983.1;received=192.0.2.2, SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds;received=192.0.2.1\r\n" \
	"To: Bob <sip:bob@biloxi.example.com>;tag=a6c85cf\r\n" \
	"From: Alice <sip:alice@atlanta.example.com>;tag=1928301774\r\n" \
	"Call-ID: a84b4c76e66710@pc33.atlanta.example.com\r\n" \
	"CSeq: 314159 INVITE\r\n" \
	"Contact: <sip:bob@192.0.2.4>\r\n" \
	"Content-Type: application/sdp\r\n" \
	"Content-Length: 140\r\n" \
	"\r\n" \
	"v=0\r\n" \
	"o=bob 2808844564 2808844564 IN IP4 biloxi.example.com\r\n" \
	"s=-\r\n" \
	"c=IN IP4 192.0.2.201\r\n" \
	"t=0 0\r\n" \
	"m=audio 3456 RTP/AVP 0\r\n" \
	"a=rtpmap:0 PCMU/8000\r\n"

#define MSG_ACK \
	"ACK sip:bob@192.0.2.4 SIP/2.0\r\n" \
	"Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bKnashds9\r\n" \
	"Max-Forwards: 70\r\n" \
	"To: Bob <sip:bob@biloxi.example.com>;tag=a6c85cf\r\n" \
	"From: Alice <sip:alice@atlanta.example.com>;tag=1928301774\r\n" \
	"Call-ID: a84b4c76e66710@pc33.atlanta.example.com\r\n" \
	"CSeq: 314159 ACK\r\n" \
	"Content-Length: 0\r\n" \
	"\r\n"

#define MSG_REINVITE \
	"INVITE sip:bob@192.0.2.4 SIP/2.0\r\n" \
	"Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bKnashds10\r\n" \
	"Max-Forwards: 70\r\n" \
	"To: Bob <sip:bob@biloxi.example.com>;tag=a6c85cf\r\n" \
	"From: Alice <sip:alice@atlanta.example.com>;tag=1928301774\r\n" \
	"Call-ID: a84b4c76e66710@pc33.atlanta.example.com\r\n" \
	"CSeq: 314160 INVITE\r\n" \
	"Contact: <sip:alice@pc33.atlanta.example.com>\r\n" \
	"Content-Type: application/sdp\r\n" \
	"Content-Length: 139\r\n" \
	"\r\n" \
	"v=0\r\n" \
	"o=alice 2890844526 2890844527 IN IP4 pc33.atlanta.example.com\r\n" \
	"s=-\r\n" \
	"c=IN IP4 192.0.2.101\r\n" \
	"t=0 0\r\n" \
	"m=audio 49172 RTP/AVP 0\r\n" \
	"a=sendonly\r\n"

#define MSG_BYE \
	"BYE sip:alice@pc33.atlanta.example.com SIP/2.0\r\n" \
	"Via: SIP/2.0/UDP 192.0.2.4;branch=z9hG4bKnashds10\r\n" \
	"Max-Forwards: 70\r\n" \
	"From: Bob <sip:bob@biloxi.example.com>;tag=a6c85cf\r\n" \
	"To: Alice <sip:alice@atlanta.example.com>;tag=1928301774\r\n" \
	"Call-ID: a84b4c76e66710@pc33.atlanta.example.com\r\n" \
	"CSeq: 231 BYE\r\n" \
	"Content-Length: 0\r\n" \
	"\r\n"

#define MSG_CANCEL \
	"CANCEL sip:bob@biloxi.example.com SIP/2.0\r\n" \
	"Via: SIP/2.0/UDP pc33.atlanta.example.com:5060;branch=z9hG4bK776asdhds\r\n" \
	"Max-Forwards: 70\r\n" \
	"To: Bob <sip:bob@biloxi.example.com>\r\n" \
	"From: Alice <sip:alice@atlanta.example.com>;tag=1928301774\r\n" \
	"Call-ID: a84b4c76e66710@pc33.atlanta.example.com\r\n" \
	"CSeq: 314159 CANCEL\r\n" \
	"Content-Length: 0\r\n" \
	"\r\n"

#define MSG_REGISTER \
	"REGISTER sip:registrar.biloxi.example.com SIP/2.0\r\n" \
	"Via: SIP/2.0/TCP bobspc.biloxi.example.com:5060;branch=z9hG4bKnashds7\r\n" \
	"Max-Forwards: 70\r\n" \
	"To: Bob <sip:bob@biloxi.example.com>\r\n" \
	"From: Bob <sip:bob@biloxi.example.com>;tag=456248\r\n" \
	"Call-ID: 843817637684230@998sdasdh09\r\n" \
	"CSeq: 1827 REGISTER\r\n" \
	"Contact: <sip:bob@192.0.2.4>;expires=3600\r\n" \
	"Authorization: Digest username=\"bob\", realm=\"biloxi.example.com\", nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", uri=\"sip:registrar.biloxi.example.com\", response=\"245f23415f11432b3434341c022\"\r\n" \
	"Expires: 7200\r\n" \
	"Content-Length: 0\r\n" \
	"\r\n"

#define MSG_COMPACT \
	"INVITE sip:%2Bcarol@chicago.example.com;user=phone SIP/2.0\r\n" \
	"v: SIP/2.0/TCP client.atlanta.example.com:5060\r\n" \
	" ;branch=z9hG4bK74bf9\r\n" \
	"max-forwards:70\r\n" \
	"f:  \"Alice, A.\"\r\n" \
	"\t<sips:Alice@atlanta.example.com>;tag=9fxced76sl\r\n" \
	"t : <tel:+1-312-555-(0100)>\r\n" \
	"i:3848276298220188511@atlanta.example.com\r\n" \
	"CSEQ:1 INVITE\r\n" \
	"m: <sip:alice@client.atlanta.example.com;transport=tcp>\r\n" \
	"Proxy-Authorization: Digest username=\"alice\",realm=\"atlanta.example.com\"\r\n" \
	"Remote-Party-ID: \"Alice\" <sip:alice@atlanta.example.com>;party=calling\r\n" \
	"c: application/sdp\r\n" \
	"l:   164\r\n" \
	"\r\n" \
	"v=0\n" \
	"o=- 1 1 IN IP6 2001:db8::1\n" \
	"s=call\n" \
	"c=IN IP6 2001:db8::1\n" \
	"t=0 0\n" \
	"a=recvonly\n" \
	"m=audio 5004 RTP/AVP 0\n" \
	"m=video 5006 RTP/AVP 96\n" \
	"c=IN IP6 2001:DB8:0:0:0:0:0:2\n" \
	"a=inactive\n"

#endif
