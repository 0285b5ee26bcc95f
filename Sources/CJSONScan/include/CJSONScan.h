#ifndef CJSONSCAN_H
#define CJSONSCAN_H

#include <stddef.h>
#include <stdint.h>

/// Index of the first byte of p[0..<n] that a JSON string scan must look at: a quote, a
/// backslash or a control character (< 0x20); n when there is none. Sets *high to 1 when a byte
/// of 0x80 or more was seen (possibly also just past the returned index).
size_t flow_json_scan_string(const uint8_t *p, size_t n, int *high);

/// Index of the first quote or backslash in p[0..<n]; n when there is none.
size_t flow_json_find_quote(const uint8_t *p, size_t n);

#endif
