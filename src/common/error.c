/*
 * error.c - the first-error-wins error record described in error.h.
 */
#include "error.h"

#include <stdarg.h>

bool lh_error_at(struct lh_error *err, uint64_t offset, const char *fmt, ...)
{
	if (!err || err->set)
		return false;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	err->offset = offset;
	err->set = true;
	return false;
}

void lh_error_format(const struct lh_error *err, const char *file, char *buf, size_t size)
{
	if (err->offset == LH_NO_OFFSET)
		snprintf(buf, size, "%s: %s", file, err->message);
	else
		snprintf(buf, size, "%s: byte %llu: %s", file, (unsigned long long)err->offset, err->message);
}
