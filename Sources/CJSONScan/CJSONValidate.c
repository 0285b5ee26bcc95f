// Validation of compact JSON texts in two interleaved stages, after simdjson (Langdale and Lemire,
// "Parsing gigabytes of JSON per second"): each 64-byte block is first classified with SSE2 into
// bitmasks (quotes, backslashes, structural characters, spaces, control and non-ASCII bytes), from
// which the bytes inside strings follow by a prefix XOR of the unescaped quotes; the grammar is
// then checked token by token, visiting only the positions that start a token (a structural
// character, an opening quote, the first byte of a number or literal). String bodies are never
// visited byte by byte: their rules (no control characters, valid escapes) are mask tests, with a
// scalar check of each escape. A text with whitespace between tokens is not handled here (the
// caller's scanner compacts it).
#include "CJSONScan.h"

#include <stdlib.h>
#include <string.h>

void flow_json_extents_free(flow_json_extents *extents) {
    free(extents->items);
    extents->items = NULL;
    extents->count = 0;
    extents->capacity = 0;
}

#if defined(__SSE2__)
#include <emmintrin.h>
#include <immintrin.h>

enum { flow_stack_limit = 1024 };

/// The masks of one 64-byte block: bit k for byte k.
typedef struct {
    uint64_t quote, backslash, open, close, comma, colon, space, control, high;
} flow_block;

static inline uint64_t flow_mask16(__m128i m, int k) { return (uint64_t)(uint32_t)_mm_movemask_epi8(m) << (16 * k); }

__attribute__((always_inline)) static inline void flow_classify(const uint8_t *p, flow_block *b) {
    const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\'), colon = _mm_set1_epi8(':'),
                  comma = _mm_set1_epi8(','), space = _mm_set1_epi8(' '), control = _mm_set1_epi8(0x1F),
                  lower = _mm_set1_epi8(0x20), open = _mm_set1_epi8('{'), close = _mm_set1_epi8('}');
    uint64_t q = 0, bs = 0, op = 0, cl = 0, cm = 0, co = 0, sp = 0, ct = 0, hi = 0;
    for (int k = 0; k < 4; k++) {
        __m128i v = _mm_loadu_si128((const __m128i *)(p + 16 * k));
        // [ and { (0x5B, 0x7B), ] and } (0x5D, 0x7D) differ only in bit 0x20.
        __m128i folded = _mm_or_si128(v, lower);
        q |= flow_mask16(_mm_cmpeq_epi8(v, quote), k);
        bs |= flow_mask16(_mm_cmpeq_epi8(v, backslash), k);
        op |= flow_mask16(_mm_cmpeq_epi8(folded, open), k);
        cl |= flow_mask16(_mm_cmpeq_epi8(folded, close), k);
        cm |= flow_mask16(_mm_cmpeq_epi8(v, comma), k);
        co |= flow_mask16(_mm_cmpeq_epi8(v, colon), k);
        sp |= flow_mask16(_mm_cmpeq_epi8(v, space), k);
        ct |= flow_mask16(_mm_cmpeq_epi8(_mm_min_epu8(v, control), v), k);
        hi |= flow_mask16(v, k);
    }
    *b = (flow_block){.quote = q, .backslash = bs, .open = op, .close = cl, .comma = cm, .colon = co,
                      .space = sp, .control = ct, .high = hi};
}

/// `flow_classify` with AVX2: two loads instead of four.
__attribute__((target("avx2"))) static inline void flow_classify_avx2(const uint8_t *p, flow_block *b) {
    const __m256i quote = _mm256_set1_epi8('"'), backslash = _mm256_set1_epi8('\\'), colon = _mm256_set1_epi8(':'),
                  comma = _mm256_set1_epi8(','), space = _mm256_set1_epi8(' '), control = _mm256_set1_epi8(0x1F),
                  lower = _mm256_set1_epi8(0x20), open = _mm256_set1_epi8('{'), close = _mm256_set1_epi8('}');
    uint64_t q = 0, bs = 0, op = 0, cl = 0, cm = 0, co = 0, sp = 0, ct = 0, hi = 0;
    for (int k = 0; k < 2; k++) {
        __m256i v = _mm256_loadu_si256((const __m256i *)(p + 32 * k));
        __m256i folded = _mm256_or_si256(v, lower);
        int shift = 32 * k;
#define FLOW_MASK32(x) ((uint64_t)(uint32_t)_mm256_movemask_epi8(x) << shift)
        q |= FLOW_MASK32(_mm256_cmpeq_epi8(v, quote));
        bs |= FLOW_MASK32(_mm256_cmpeq_epi8(v, backslash));
        op |= FLOW_MASK32(_mm256_cmpeq_epi8(folded, open));
        cl |= FLOW_MASK32(_mm256_cmpeq_epi8(folded, close));
        cm |= FLOW_MASK32(_mm256_cmpeq_epi8(v, comma));
        co |= FLOW_MASK32(_mm256_cmpeq_epi8(v, colon));
        sp |= FLOW_MASK32(_mm256_cmpeq_epi8(v, space));
        ct |= FLOW_MASK32(_mm256_cmpeq_epi8(_mm256_min_epu8(v, control), v));
        hi |= FLOW_MASK32(v);
#undef FLOW_MASK32
    }
    *b = (flow_block){.quote = q, .backslash = bs, .open = op, .close = cl, .comma = cm, .colon = co,
                      .space = sp, .control = ct, .high = hi};
}

/// `flow_prefix_xor` as one carry-less multiplication by all ones.
__attribute__((target("pclmul"))) static inline uint64_t flow_prefix_xor_clmul(uint64_t x) {
    __m128i r = _mm_clmulepi64_si128(_mm_set_epi64x(0, (long long)x), _mm_set1_epi8((char)0xFF), 0);
    return (uint64_t)_mm_cvtsi128_si64(r);
}

/// Bit k set when an odd number of bits at or below k are set.
__attribute__((always_inline)) static inline uint64_t flow_prefix_xor(uint64_t x) {
    x ^= x << 1;
    x ^= x << 2;
    x ^= x << 4;
    x ^= x << 8;
    x ^= x << 16;
    x ^= x << 32;
    return x;
}

static inline int flow_hex(uint8_t c) {
    if (c >= '0' && c <= '9') return c - '0';
    c |= 0x20;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

/// The four hexadecimal digits at p[i..<i+4] (i + 4 <= n checked here); -1 when they are not.
static inline long flow_hex4(const uint8_t *p, size_t i, size_t n) {
    if (i + 4 > n) return -1;
    int a = flow_hex(p[i]), b = flow_hex(p[i + 1]), c = flow_hex(p[i + 2]), d = flow_hex(p[i + 3]);
    if ((a | b | c | d) < 0) return -1;
    return (long)(a << 12 | b << 8 | c << 4 | d);
}

/// Positions of up to this many bytes are classified at once (a chunk), then visited.
enum { flow_chunk_bytes = 4096 };

/// The scanner's state between blocks.
typedef struct {
    const uint8_t *p;
    size_t n;
    /// Start of the next chunk to classify, and of the chunk `tokens` belongs to.
    size_t next, base;
    /// 1 when the first byte of the next block is escaped.
    uint64_t escaped_carry;
    /// All ones when the next block starts inside a string.
    uint64_t in_string;
    /// 1 when the previous block ended inside a number or literal, at the end of a value, with
    /// a closing quote.
    uint64_t atom_carry, value_end_carry, closing_carry;
    uint64_t high;
    /// A backslash already checked as the second half of a surrogate pair.
    size_t skip_escape;
    /// Offsets from `base` of the tokens of the current chunk: `count` of them, `at` visited.
    size_t count, at;
    uint32_t tokens[flow_chunk_bytes + 64];
} flow_scan;

/// Checks the escape starting at the backslash p[i] (inside a string).
static inline int flow_escape(flow_scan *s, size_t i) {
    const uint8_t *p = s->p;
    size_t n = s->n;
    if (i == s->skip_escape) return 1;
    if (i + 1 >= n) return 0;
    switch (p[i + 1]) {
    case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
        return 1;
    case 'u': {
        long unit = flow_hex4(p, i + 2, n);
        if (unit < 0) return 0;
        if (unit >= 0xD800 && unit < 0xDC00) {
            if (i + 12 > n || p[i + 6] != '\\' || p[i + 7] != 'u') return 0;
            long low = flow_hex4(p, i + 8, n);
            if (low < 0xDC00 || low >= 0xE000) return 0;
            s->skip_escape = i + 6;
        } else if (unit >= 0xDC00 && unit < 0xE000) {
            return 0;
        }
        return 1;
    }
    default:
        return 0;
    }
}

/// Appends the positions of the bits of `bits`, plus `offset`, to `out`; returns how many.
/// `wide` (a constant): with a popcnt instruction, eight at a time (simdjson's flattening; a
/// compact block has four or five tokens), so that the loop rarely mispredicts.
__attribute__((always_inline)) static inline size_t flow_flatten(uint32_t *out, uint32_t offset, uint64_t bits, int wide) {
    if (!wide) {
        size_t count = 0;
        while (bits) {
            out[count++] = offset + (uint32_t)__builtin_ctzll(bits);
            bits &= bits - 1;
        }
        return count;
    }
    if (bits == 0) return 0;
    size_t count = (size_t)__builtin_popcountll(bits);
    // Unrolled by hand; the empty asm keeps the compiler from vectorizing it into slower code.
#define FLOW_FLATTEN_ONE(k)                                                      \
    {                                                                            \
        uint32_t position = offset + (uint32_t)__builtin_ctzll(bits | (1ULL << 63)); \
        __asm__("" : "+r"(position));                                            \
        out[k] = position;                                                       \
        bits &= bits - 1;                                                        \
    }
#define FLOW_FLATTEN_FOUR(k) FLOW_FLATTEN_ONE(k) FLOW_FLATTEN_ONE(k + 1) FLOW_FLATTEN_ONE(k + 2) FLOW_FLATTEN_ONE(k + 3)
    FLOW_FLATTEN_FOUR(0)
    FLOW_FLATTEN_FOUR(4)
#undef FLOW_FLATTEN_FOUR
#undef FLOW_FLATTEN_ONE
    if (count > 8) {
#pragma clang loop vectorize(disable)
        for (size_t k = 8; k < count; k++) {
            out[k] = offset + (uint32_t)__builtin_ctzll(bits);
            bits &= bits - 1;
        }
    }
    return count;
}

/// Classifies one block at `at` from the masks `b` (bits past the text cleared by `valid`), and
/// appends its tokens; 0 when the block breaks a rule checked by masks.
__attribute__((always_inline)) static inline int flow_block_tokens(flow_scan *s, size_t at, flow_block b, uint64_t valid, int wide) {
    // Control characters are never allowed: inside strings they are errors, outside whitespace.
    if (b.control) return 0;
    s->high |= b.high & valid;

    // Escaped bytes: each backslash not itself escaped escapes the next byte. Backslashes are
    // rare, so the runs are followed bit by bit.
    uint64_t escaped = s->escaped_carry, starts = 0;
    s->escaped_carry = 0;
    if (b.backslash) {
        uint64_t left_bits = b.backslash;
        while (left_bits) {
            int k = __builtin_ctzll(left_bits);
            left_bits &= left_bits - 1;
            if (escaped >> k & 1) continue;
            starts |= 1ULL << k;
            if (k == 63) s->escaped_carry = 1;
            else escaped |= 1ULL << (k + 1);
        }
    }
    uint64_t quotes = b.quote & ~escaped;
    // Opening quotes and the bytes up to (not including) the closing quotes.
    uint64_t in_string = (wide ? flow_prefix_xor_clmul(quotes) : flow_prefix_xor(quotes)) ^ s->in_string;
    s->in_string = (uint64_t)((int64_t)in_string >> 63);
    uint64_t outside = ~in_string & valid;
    if ((b.space | b.backslash) & outside) return 0;
    while (starts) {
        int k = __builtin_ctzll(starts);
        starts &= starts - 1;
        if (!flow_escape(s, at + (size_t)k)) return 0;
    }
    // Commas and colons are not visited: a comma must follow the end of a value (a closing
    // quote, a byte of a number or literal, a closing bracket), a colon a closing quote, so that
    // at most one sits between two tokens, and the grammar looks at the byte before a token.
    uint64_t closing = quotes & ~in_string;
    uint64_t brackets = (b.open | b.close) & outside;
    uint64_t atom = outside & ~brackets & ~b.comma & ~b.colon & ~quotes;
    uint64_t value_end = closing | atom | (b.close & outside);
    if (b.comma & outside & ~(value_end << 1 | s->value_end_carry)) return 0;
    if (b.colon & outside & ~(closing << 1 | s->closing_carry)) return 0;
    s->value_end_carry = value_end >> 63;
    s->closing_carry = closing >> 63;
    uint64_t atom_starts = atom & ~(atom << 1 | s->atom_carry);
    s->atom_carry = atom >> 63;
    s->count += flow_flatten(s->tokens + s->count, (uint32_t)(at - s->base), brackets | (quotes & in_string) | atom_starts, wide);
    return 1;
}

/// Classifies the next chunk into `tokens`; 0 when it breaks a rule checked by masks. `wide` (a
/// constant): with AVX2, PCLMUL, POPCNT and BMI.
__attribute__((always_inline)) static inline int flow_refill(flow_scan *s, int wide) {
    size_t at = s->next;
    size_t stop = at + flow_chunk_bytes < s->n ? at + flow_chunk_bytes : s->n;
    s->base = at;
    s->count = 0;
    s->at = 0;
    flow_block b;
    for (; at + 64 <= stop; at += 64) {
        if (wide) flow_classify_avx2(s->p + at, &b);
        else flow_classify(s->p + at, &b);
        if (!flow_block_tokens(s, at, b, ~0ULL, wide)) return 0;
    }
    if (at < stop) {
        uint8_t tail[64];
        size_t left = stop - at;
        memset(tail, 'a', sizeof tail);
        memcpy(tail, s->p + at, left);
        flow_classify(tail, &b);
        uint64_t valid = (1ULL << left) - 1;
        b.quote &= valid;
        b.backslash &= valid;
        b.open &= valid;
        b.close &= valid;
        b.comma &= valid;
        b.colon &= valid;
        b.space &= valid;
        if (!flow_block_tokens(s, at, b, valid, wide)) return 0;
    }
    s->next = stop;
    return 1;
}

static int flow_refill_sse2(flow_scan *s) { return flow_refill(s, 0); }

__attribute__((target("avx2,pclmul,popcnt,bmi,bmi2"))) static int flow_refill_avx2(flow_scan *s) { return flow_refill(s, 1); }

/// 1 for the bytes that may follow a number or literal: structural characters and quotes.
static const uint8_t flow_delimiter[256] = {
    ['"'] = 1, [','] = 1, [':'] = 1, ['['] = 1, [']'] = 1, ['{'] = 1, ['}'] = 1,
};

static inline int flow_digit(const uint8_t *p, size_t i, size_t n) { return i < n && (uint8_t)(p[i] - '0') < 10; }

/// The end of the number starting at p[i] (RFC 8259); 0 when there is none.
static inline size_t flow_number(const uint8_t *p, size_t i, size_t n) {
    if (p[i] == '-') i++;
    if (!flow_digit(p, i, n)) return 0;
    if (p[i] == '0') {
        i++;
        if (flow_digit(p, i, n)) return 0;
    } else {
        while (flow_digit(p, i, n)) i++;
    }
    if (i < n && p[i] == '.') {
        i++;
        if (!flow_digit(p, i, n)) return 0;
        while (flow_digit(p, i, n)) i++;
    }
    if (i < n && (p[i] | 0x20) == 'e') {
        i++;
        if (i < n && (p[i] == '+' || p[i] == '-')) i++;
        if (!flow_digit(p, i, n)) return 0;
        while (flow_digit(p, i, n)) i++;
    }
    return i;
}

/// The end of the number or literal starting at p[i], which must be followed by a delimiter or
/// the end; 0 when there is none.
static inline size_t flow_atom(const uint8_t *p, size_t i, size_t n) {
    size_t end;
    switch (p[i]) {
    case 't':
        if (i + 4 > n || memcmp(p + i, "true", 4) != 0) return 0;
        end = i + 4;
        break;
    case 'f':
        if (i + 5 > n || memcmp(p + i, "false", 5) != 0) return 0;
        end = i + 5;
        break;
    case 'n':
        if (i + 4 > n || memcmp(p + i, "null", 4) != 0) return 0;
        end = i + 4;
        break;
    default:
        end = flow_number(p, i, n);
        if (end == 0) return 0;
    }
    if (end < n && !flow_delimiter[p[end]]) return 0;
    return end;
}

static int flow_push_extent(flow_json_extents *x, size_t start) {
    if (x->count + 2 > x->capacity) {
        size_t capacity = x->capacity ? x->capacity * 2 : 256;
        intptr_t *items = realloc(x->items, capacity * sizeof *items);
        if (!items) return 0;
        x->items = items;
        x->capacity = capacity;
    }
    x->items[x->count] = (intptr_t)start;
    x->items[x->count + 1] = 0;
    x->count += 2;
    return 1;
}

static int flow_validate(const uint8_t *p, size_t n, int max_depth, size_t extent_minimum,
                         flow_json_extents *extents, int *non_ascii, const int wide) {
    if (n == 0 || max_depth > flow_stack_limit) return 0;
    flow_scan s;
    s.p = p;
    s.n = n;
    s.next = s.base = 0;
    s.escaped_carry = s.in_string = s.atom_carry = s.value_end_carry = s.closing_carry = s.high = 0;
    s.skip_escape = SIZE_MAX;
    s.count = s.at = 0;
    // Per open container: its extent slot times two, plus 1 for an object.
    size_t stack[flow_stack_limit];
    int depth = 0;
    size_t pos;
    size_t first_extent = extents->count;

// The next token's position into `pos`; to `end` when there is none.
    // The current chunk's tokens, kept in registers (not in `s`, whose address is taken).
    size_t at = 0, count = 0, base = 0;
    const uint32_t *tokens = s.tokens;

// The next token's position into `pos`; to `end` when there is none.
#define REFILL() (wide ? flow_refill_avx2(&s) : flow_refill_sse2(&s))
#define NEXT()                                              \
    do {                                                    \
        while (at == count) {                               \
            if (s.next >= n) goto end;                      \
            if (!REFILL()) goto fail;                       \
            at = 0;                                         \
            count = s.count;                                \
            base = s.base;                                  \
        }                                                   \
        pos = base + tokens[at++];                          \
    } while (0)

    NEXT();
    if (pos != 0) goto fail;

value:
    // Most frequent first: an if chain predicts better here than a jump table.
    if (p[pos] == '"') goto after_value;
    if (p[pos] == '{') {
        if (depth >= max_depth || !flow_push_extent(extents, pos)) goto fail;
        stack[depth++] = (extents->count - 2) * 2 + 1;
        NEXT();
        if (p[pos] == '"') goto key;
        if (p[pos] == '}') goto close;
        goto fail;
    }
    if (p[pos] == '[') {
        if (depth >= max_depth || !flow_push_extent(extents, pos)) goto fail;
        stack[depth++] = (extents->count - 2) * 2;
        NEXT();
        if (p[pos] == ']') goto close;
        goto value;
    }
    // A number or literal; anything else (a structural character here) fails there.
    if (flow_atom(p, pos, n) == 0) goto fail;
    goto after_value;

key:
    NEXT();
    if (p[pos - 1] != ':') goto fail;
    goto value;

after_value:
    if (depth == 0) goto done;
    NEXT();
    if (p[pos] == '}') {
        if (!(stack[depth - 1] & 1)) goto fail;
        goto close;
    }
    if (p[pos] == ']') {
        if (stack[depth - 1] & 1) goto fail;
        goto close;
    }
    if (p[pos - 1] != ',') goto fail;
    if (stack[depth - 1] & 1) {
        if (p[pos] != '"') goto fail;
        goto key;
    }
    goto value;

close: {
    // Nothing but a value or the opening bracket before it.
    if (p[pos - 1] == ',' || p[pos - 1] == ':') goto fail;
    size_t slot = stack[--depth] >> 1;
    size_t end = pos + 1;
    if (end - (size_t)extents->items[slot] < extent_minimum) {
        extents->count = slot;
    } else {
        extents->items[slot + 1] = (intptr_t)end;
    }
    goto after_value;
}

done:
    // Nothing may follow the value, and every block must have been checked.
    for (;;) {
        if (at != count) goto fail;
        if (s.next >= n) break;
        if (!REFILL()) goto fail;
        at = 0;
        count = s.count;
    }
    if (s.in_string || p[n - 1] == ',' || p[n - 1] == ':') goto fail;
    if (s.high) *non_ascii = 1;
    return 1;
#undef NEXT
#undef REFILL

end:
fail:
    extents->count = first_extent;
    return 0;
}

int flow_json_validate_compact(const uint8_t *p, size_t n, int max_depth, size_t extent_minimum,
                               flow_json_extents *extents, int *non_ascii) {
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("pclmul") && __builtin_cpu_supports("popcnt") &&
        __builtin_cpu_supports("bmi") && __builtin_cpu_supports("bmi2")) {
        return flow_validate(p, n, max_depth, extent_minimum, extents, non_ascii, 1);
    }
    return flow_validate(p, n, max_depth, extent_minimum, extents, non_ascii, 0);
}

int flow_json_validate_compact_sse2(const uint8_t *p, size_t n, int max_depth, size_t extent_minimum,
                                    flow_json_extents *extents, int *non_ascii) {
    return flow_validate(p, n, max_depth, extent_minimum, extents, non_ascii, 0);
}

#else

int flow_json_validate_compact(const uint8_t *p, size_t n, int max_depth, size_t extent_minimum,
                               flow_json_extents *extents, int *non_ascii) {
    (void)p; (void)n; (void)max_depth; (void)extent_minimum; (void)extents; (void)non_ascii;
    return 0;
}

int flow_json_validate_compact_sse2(const uint8_t *p, size_t n, int max_depth, size_t extent_minimum,
                                    flow_json_extents *extents, int *non_ascii) {
    return flow_json_validate_compact(p, n, max_depth, extent_minimum, extents, non_ascii);
}

#endif
