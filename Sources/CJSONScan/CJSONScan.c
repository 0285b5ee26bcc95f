// The inner loops of FlowJSON's document scanner, sixteen bytes at a time with SSE2 (baseline on
// x86-64). Swift's SIMD types did not compile to vector code for these loops (a 20x slowdown in
// a release build), so they live here. Other architectures use the byte loop.
#include "CJSONScan.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

size_t flow_json_scan_string(const uint8_t *p, size_t n, int *high) {
    size_t i = 0;
    int h = 0;
#if defined(__SSE2__)
    const __m128i quote = _mm_set1_epi8('"');
    const __m128i backslash = _mm_set1_epi8('\\');
    const __m128i control = _mm_set1_epi8(0x1F);
    for (; i + 16 <= n; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(p + i));
        __m128i below = _mm_cmpeq_epi8(_mm_min_epu8(v, control), v);
        __m128i special = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)), below);
        h |= _mm_movemask_epi8(v);
        int mask = _mm_movemask_epi8(special);
        if (mask) {
            if (h) *high = 1;
            return i + (size_t)__builtin_ctz((unsigned)mask);
        }
    }
#endif
    for (; i < n; i++) {
        uint8_t c = p[i];
        if (c == '"' || c == '\\' || c < 0x20) break;
        h |= c & 0x80;
    }
    if (h) *high = 1;
    return i;
}

size_t flow_json_find_quote(const uint8_t *p, size_t n) {
    size_t i = 0;
#if defined(__SSE2__)
    const __m128i quote = _mm_set1_epi8('"');
    const __m128i backslash = _mm_set1_epi8('\\');
    for (; i + 16 <= n; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(p + i));
        int mask = _mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)));
        if (mask) return i + (size_t)__builtin_ctz((unsigned)mask);
    }
#endif
    for (; i < n; i++) {
        if (p[i] == '"' || p[i] == '\\') break;
    }
    return i;
}
