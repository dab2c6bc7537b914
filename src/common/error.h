/*
 * error.h - an error is a message plus where in the input it was found.
 *
 * Library code never prints or exits on bad input: it fills a struct
 * lh_error and returns false, and cli/ prints it as one line,
 *     leakhound: FILE: byte OFFSET: MESSAGE
 * Only the first error is kept (later ones are usually its consequences),
 * but callers may append a count of similar faults to the message.
 */
#ifndef LH_ERROR_H
#define LH_ERROR_H

#include "lh.h"

#define LH_NO_OFFSET UINT64_MAX

struct lh_error {
	bool set;
	uint64_t offset;   /* byte offset in the (decompressed) input, or LH_NO_OFFSET */
	char message[320];
};

/* Records the error unless one is already recorded. Returns false for `return lh_error_at(...)`. */
bool lh_error_at(struct lh_error *err, uint64_t offset, const char *fmt, ...) LH_PRINTF(3, 4);

/* Formats "FILE: byte N: MESSAGE" (or without the byte part) into buf. */
void lh_error_format(const struct lh_error *err, const char *file, char *buf, size_t size);

#endif
