/*
 * format.h - numbers as people read them: "1,234,567", "1.50 MiB", "12.3%".
 *
 * Each function writes into the caller's buffer and returns it, so calls
 * can sit inside printf arguments.
 */
#ifndef LH_FORMAT_H
#define LH_FORMAT_H

#include "lh.h"

const char *fmt_count(char *buf, size_t size, uint64_t n);
const char *fmt_bytes(char *buf, size_t size, uint64_t n);
const char *fmt_percent(char *buf, size_t size, double pct);
/* snprintf into a fixed buffer, for messages built in several steps. */
void fmt_into(char *buf, size_t size, const char *fmt, ...) LH_PRINTF(3, 4);
/* The same, after the text already in buf (cut short at size, like snprintf). */
void fmt_append(char *buf, size_t size, const char *fmt, ...) LH_PRINTF(3, 4);

#endif
