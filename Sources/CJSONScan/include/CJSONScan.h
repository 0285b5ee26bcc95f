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

/// (start, end) offset pairs of large containers, grown with realloc by
/// `flow_json_validate_compact`; the caller frees `items` with `flow_json_extents_free`.
typedef struct flow_json_extents {
    intptr_t *items;
    size_t count;
    size_t capacity;
} flow_json_extents;

/// Validates p[0..<n] as one compact JSON text (no whitespace outside strings, nor around it):
/// 1 when it is one, with the (start, end) offsets of every container of at least
/// `extent_minimum` bytes appended to `extents` in document order by start, and `*non_ascii` set
/// to 1 when some byte is 0x80 or more (UTF-8 is then left for the caller to check). 0 when it is
/// not, or when in doubt (whitespace between tokens, no memory, no SSE2): the caller then validates
/// another way. Nesting deeper than `max_depth` (at most 1024) containers is rejected.
int flow_json_validate_compact(const uint8_t *p, size_t n, int max_depth, size_t extent_minimum,
                               flow_json_extents *extents, int *non_ascii);

/// `flow_json_validate_compact` without AVX2 whatever the processor has: for tests.
int flow_json_validate_compact_sse2(const uint8_t *p, size_t n, int max_depth, size_t extent_minimum,
                                    flow_json_extents *extents, int *non_ascii);

void flow_json_extents_free(flow_json_extents *extents);

#if defined(__SSE2__)
#include <emmintrin.h>
#define FLOW_JSON_PROBE16 1

/// The sixteen bytes at p (all readable) for a string scan, inlined into Swift: bit k of the low
/// half is set when byte k is a quote, a backslash or a control character, bit k of the high half
/// when byte k is 0x80 or more.
static inline uint32_t flow_json_probe16(const uint8_t *p) {
    __m128i v = _mm_loadu_si128((const __m128i *)p);
    __m128i below = _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x1F)), v);
    __m128i special = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')),
                                                _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))), below);
    return (uint32_t)_mm_movemask_epi8(special) | ((uint32_t)_mm_movemask_epi8(v) << 16);
}

/// The sixteen bytes at p (all readable) of a validated string: bit k is set when byte k is a
/// quote or a backslash. Inlined into Swift.
static inline uint32_t flow_json_quote_mask16(const uint8_t *p) {
    __m128i v = _mm_loadu_si128((const __m128i *)p);
    return (uint32_t)_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))));
}

/// Copies sixteen bytes (unaligned), inlined into Swift.
static inline void flow_json_copy16(uint8_t *to, const uint8_t *from) {
    _mm_storeu_si128((__m128i *)to, _mm_loadu_si128((const __m128i *)from));
}
#endif

#endif
