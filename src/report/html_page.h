/*
 * html_page.h - the machinery shared by leakhound's self-contained HTML
 * pages (report --html, check --html, trend --html): one file, no
 * network (a Content-Security-Policy of default-src 'none'), styles, data
 * and script inline.
 *
 * A page is html_page_begin(), data blocks (JSON documents, usually the
 * command's own --json output unchanged, so the page's numbers are
 * --json's), then html_page_end() with the page's own script, which runs
 * after a small library of helpers: el(), svg(), bytes(), count(),
 * fact(), chart() (lines over x values), sortable() (click a header to
 * sort a table). Every number drawn goes in a data-value attribute beside
 * its human form, which the tests read back.
 */
#ifndef LH_REPORT_HTML_PAGE_H
#define LH_REPORT_HTML_PAGE_H

#include <stdio.h>

void html_page_begin(FILE *out, const char *title);

/* Writes the document fill(mem, ctx) prints as <script id=ID type="application/json">. */
void html_json_document(FILE *out, const char *id, void (*fill)(FILE *mem, const void *ctx), const void *ctx);

/* Writes the helpers, then script (JavaScript, no <script> tag), and closes the page. */
void html_page_end(FILE *out, const char *script);

#endif
