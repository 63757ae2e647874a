/* config_scan.c - a lexical pass over lawtap.conf for what libconfig 1.5 would accept silently. */
#include <limits.h>
#include <stdint.h>
#include <string.h>

#include "mgmt/config.h"

/* Token shapes follow libconfig 1.5's scanner (names, integers, floats, strings, comments). */

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int
is_hex(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static int
hexval(char c)
{
	return is_digit(c) ? c - '0' : (c | 0x20) - 'a' + 10;
}

static int
is_name_start(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '*';
}

static int
is_name_char(char c)
{
	return is_name_start(c) || is_digit(c) || c == '-' || c == '_';
}

/*
 * A number starting at text[*ip]: returns 0 if libconfig will read it
 * faithfully, -1 if it is a 32-bit integer literal out of range.
 */
static int
scan_number(const char *text, size_t len, size_t *ip)
{
	size_t i = *ip;
	int neg = 0, hex = 0;
	uint64_t v = 0;
	int over = 0;

	if (text[i] == '+' || text[i] == '-')
		neg = text[i++] == '-';
	if (i + 2 < len && text[i] == '0' && (text[i + 1] | 0x20) == 'x' &&
	    is_hex(text[i + 2])) {
		hex = 1;
		for (i += 2; i < len && is_hex(text[i]); i++) {
			if (v > 0xffffffffffULL)
				over = 1;
			else
				v = (v << 4) | (uint64_t)hexval(text[i]);
		}
	} else {
		for (; i < len && is_digit(text[i]); i++) {
			if (v > 0xffffffffffULL)
				over = 1;
			else
				v = v * 10 + (uint64_t)(text[i] - '0');
		}
	}
	if (!hex && i < len && (text[i] == '.' || text[i] == 'e' || text[i] == 'E')) {
		/* a float: skip it */
		for (; i < len; i++) {
			if (is_digit(text[i]) || text[i] == '.')
				continue;
			if ((text[i] == 'e' || text[i] == 'E') && i + 1 < len &&
			    (text[i + 1] == '+' || text[i + 1] == '-')) {
				i++;
				continue;
			}
			if (text[i] == 'e' || text[i] == 'E')
				continue;
			break;
		}
		*ip = i;
		return 0;
	}
	*ip = i;
	if (i < len && text[i] == 'L')
		return 0;
	if (over)
		return -1;
	if (hex)
		return v > INT_MAX ? -1 : 0;
	return neg ? (v > (uint64_t)INT_MAX + 1 ? -1 : 0) : (v > INT_MAX ? -1 : 0);
}

int
lt_config_prescan(const char *text, size_t len, int *line, const char **why)
{
	size_t i = 0;
	int ln = 1;

	while (i < len) {
		char c = text[i];

		if (c == '\0') {
			*why = "the file contains a NUL byte";
			goto fail;
		} else if (c == '\n') {
			ln++;
			i++;
		} else if (c == '#' || (c == '/' && i + 1 < len && text[i + 1] == '/')) {
			while (i < len && text[i] != '\n')
				i++;
		} else if (c == '/' && i + 1 < len && text[i + 1] == '*') {
			for (i += 2; i < len; i++) {
				if (text[i] == '\n')
					ln++;
				else if (text[i] == '*' && i + 1 < len && text[i + 1] == '/') {
					i += 2;
					break;
				}
			}
		} else if (c == '"') {
			for (i++; i < len && text[i] != '"'; i++) {
				if (text[i] == '\\' && i + 3 < len && text[i + 1] == 'x' &&
				    text[i + 2] == '0' && text[i + 3] == '0') {
					*why = "a string contains \\x00, which libconfig "
					    "drops silently";
					goto fail;
				}
				if (text[i] == '\\' && i + 1 < len)
					i++;
				if (text[i] == '\n')
					ln++;
				else if (text[i] == '\0') {
					*why = "the file contains a NUL byte";
					goto fail;
				}
			}
			i++;
		} else if (c == '@') {
			*why = "@include is not supported; keep the configuration in one file";
			goto fail;
		} else if (is_name_start(c)) {
			while (i < len && is_name_char(text[i]))
				i++;
		} else if (is_digit(c) || ((c == '+' || c == '-' || c == '.') &&
		    i + 1 < len && is_digit(text[i + 1]))) {
			if (scan_number(text, len, &i) < 0) {
				*why = "integer does not fit in 32 bits and libconfig would "
				    "truncate it; add an L suffix (e.g. 4294967295L)";
				goto fail;
			}
		} else
			i++;
	}
	return 0;
fail:
	*line = ln;
	return -1;
}
