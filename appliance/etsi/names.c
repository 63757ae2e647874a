/* names.c - ASN.1 value names of the enumerations the LEMF prints. */
#include <stddef.h>

#include "etsi/decode.h"

#define NAME(tab, v)	((v) >= 0 && (size_t)(v) < sizeof(tab) / sizeof(tab[0]) ? \
			    tab[v] : NULL)

const char *
etsi_access_event_name(int v)
{
	static const char *const tab[] = {
		"accessAttempt", "accessAccept", "accessReject", "accessFailed",
		"sessionStart", "sessionEnd", "interimUpdate",
		"startOfInterceptionWithSessionActive", "accessEnd",
		"endOfInterceptionWithSessionActive", "unknown",
		"startOfInterceptionWithoutNetworkSession",
		"endOfInterceptionWithoutNetworkSession", "sessionExpired",
	};

	return NAME(tab, v);
}

const char *
etsi_dir_name(int v)
{
	static const char *const tab[] = {
		"fromTarget", "toTarget", "indeterminate", "combined",
		"notapplicable",
	};

	return NAME(tab, v);
}

const char *
etsi_iri_type_name(int v)
{
	static const char *const tab[] = {
		NULL, "iRI-Begin", "iRI-End", "iRI-Continue", "iRI-Report",
	};

	return NAME(tab, v);
}

const char *
etsi_access_type_name(int v)
{
	static const char *const tab[] = {
		"undefined", "dialUp", "xDSL", "cableModem", "lAN", "wirelessLAN",
		"fTTx", "wIMAX-HIPERMAN", "satellite", "wireless-other",
	};

	return NAME(tab, v);
}

const char *
etsi_ip_version_name(int v)
{
	static const char *const tab[] = { NULL, "iPV4", "iPV6", "iPV4andV6" };

	return NAME(tab, v);
}

const char *
etsi_end_reason_name(int v)
{
	static const char *const tab[] = {
		"undefined", "regularLogoff", "connectionLoss", "connectionTimeout",
		"leaseExpired",
	};

	return NAME(tab, v);
}

const char *
etsi_auth_type_name(int v)
{
	static const char *const tab[] = {
		"unknown", "static", "radiusAAA", "dhcpAAA", "diameterAAA",
	};

	return NAME(tab, v);
}

const char *
etsi_ip_assignment_name(int v)
{
	static const char *const tab[] = { NULL, "static", "dynamic", "notKnown" };

	return NAME(tab, v);
}
