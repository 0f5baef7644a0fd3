/*
 * The coordinator's clustering kernels, compiled (issue 18 item 4, ADR 0076).
 *
 * Each function computes what a numpy expression in cluster.py / threads.py computes (the
 * fallback kept next to it and compared with it by the tests), in one pass with a small hash
 * table instead of a sort of all items:
 *
 *   shingle_df(values)              the distinct shingles and how many times each occurs;
 *   assign_weights(values, distinct, weight, out)
 *                                   out[i] = weight[j] where distinct[j] == values[i];
 *   run_totals(weights, starts, out)
 *                                   out[a] = the sum, in order and in double, of the float32
 *                                   weights of run a (what np.bincount adds);
 *   band_pairs(keys, star_l, star_r, next_l, next_r)
 *                                   per bucket of equal keys: each member with the bucket's
 *                                   first (star) and with the member before it (next);
 *   band_codes(keys, usable, labels, star, next)
 *                                   band_pairs' pairs of ads apart in labels, as sorted pair
 *                                   codes (a radix sort), without numpy gathers and sorts;
 *   codes_add(table, codes), codes_has(table, codes, out)
 *                                   a set of positive int64 codes in an open-addressing table;
 *   codes_keep(table, codes, labels, out)
 *                                   codes whose ads are apart in labels and not in the table;
 *   join_labels(labels, k, left, right, out)
 *                                   components(k, labels[left], labels[right])[labels];
 *   fold_bands(block, width, fold, out)
 *                                   every LSH band's key of a block of signature rows;
 *   indent_json(compact, level)     compact JSON laid out as json.dumps(indent=1) does;
 *   weighted_at_least(...)          weighted_common of _tokens.c, the same sums, that gives up
 *                                   on a pair as soon as it can no longer reach the threshold;
 *   similar_pairs(...)              cluster._similar over runs in memory: weighted_at_least's
 *                                   sums by a merge without branches, and the verdict, a pair
 *                                   at a time with no numpy gathers;
 *   intern_many(ids, values, items) Interner.__call__ over a list of strings: each one's number
 *                                   as int32 bytes, new strings numbered and appended in order;
 *   pack_strings(items, position)   the strings UTF-8 encoded one after the other, and the end
 *                                   offset (int64, from ``position``) of each;
 *   intern_table(...), intern_rehash(...)  intern_many's numbers without a Python object a
 *                                   string: the strings in a bytearray, a table of hashes.
 *
 * Every loop releases the GIL: the clustering calls them from several threads (but
 * intern_many, pack_strings and intern_table, which touch Python objects and run on the main
 * thread only).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static int get_buffer(PyObject *obj, Py_buffer *view, Py_ssize_t itemsize, int writable,
                      const char *name) {
    if (PyObject_GetBuffer(obj, view, PyBUF_C_CONTIGUOUS | (writable ? PyBUF_WRITABLE : 0)) < 0)
        return -1;
    if (view->itemsize != itemsize || view->len % itemsize) {
        PyErr_Format(PyExc_TypeError, "%s has the wrong item size", name);
        PyBuffer_Release(view);
        return -1;
    }
    return 0;
}

static inline uint64_t mix64(uint64_t x) {
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

/* Shingles are hashes already: a multiplicative hash spreads them well enough, for less. */
static inline size_t slot32(uint32_t x, size_t mask) {
    return (size_t)(((uint64_t)x * 0x9E3779B97F4A7C15ULL) >> 32) & mask;
}

/* Reads of a random slot are cache misses: the slot of the item this far ahead is fetched
 * while the current one is probed. */
#define AHEAD 16

static size_t table_size_for(size_t items) {
    size_t size = 1024;
    while (size < 2 * items) size <<= 1;
    return size;
}

/* ---- shingle_df ------------------------------------------------------------------------- */

/* A slot: a shingle and how many times it occurred (0: empty). Fewer than 2**32 shingles. */
typedef struct {
    uint32_t key, count;
} Count;

typedef struct {
    Count *slots;
    size_t size, used;
} CountTable;

static int count_table_init(CountTable *t, size_t size) {
    t->slots = calloc(size, sizeof(Count));
    t->size = size;
    t->used = 0;
    return t->slots ? 0 : -1;
}

static void count_table_free(CountTable *t) { free(t->slots); }

static inline void count_table_add(CountTable *t, uint32_t key, uint32_t count) {
    size_t mask = t->size - 1, at = slot32(key, mask);
    while (t->slots[at].count && t->slots[at].key != key) at = (at + 1) & mask;
    if (!t->slots[at].count) {
        t->slots[at].key = key;
        t->used++;
    }
    t->slots[at].count += count;
}

static int count_table_grow(CountTable *t) {
    CountTable bigger;
    if (count_table_init(&bigger, t->size * 2) < 0) return -1;
    for (size_t i = 0; i < t->size; i++)
        if (t->slots[i].count) count_table_add(&bigger, t->slots[i].key, t->slots[i].count);
    count_table_free(t);
    *t = bigger;
    return 0;
}

/* shingle_df(values) -> (distinct, counts): bytes of uint32 and of int64, in the order of the
 * table (the caller sorts them if it needs an order). */
static PyObject *shingle_df(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 1) {
        PyErr_SetString(PyExc_TypeError, "shingle_df() takes 1 argument");
        return NULL;
    }
    Py_buffer view;
    if (get_buffer(args[0], &view, 4, 0, "values") < 0) return NULL;
    const uint32_t *values = view.buf;
    const Py_ssize_t m = view.len / 4;
    CountTable t;
    int failed = 0;
    if (m >= ((Py_ssize_t)1 << 32)) {
        PyBuffer_Release(&view);
        PyErr_SetString(PyExc_ValueError, "shingle_df(): 2**32 values or more");
        return NULL;
    }
    if (count_table_init(&t, 1 << 16) < 0) {
        PyBuffer_Release(&view);
        return PyErr_NoMemory();
    }
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t i = 0; i < m; i++) {
        if (2 * (t.used + 1) > t.size && count_table_grow(&t) < 0) {
            failed = 1;
            break;
        }
        if (i + AHEAD < m) __builtin_prefetch(&t.slots[slot32(values[i + AHEAD], t.size - 1)], 1);
        count_table_add(&t, values[i], 1);
    }
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&view);
    if (failed) {
        count_table_free(&t);
        return PyErr_NoMemory();
    }
    PyObject *keys = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)(t.used * 4));
    PyObject *counts = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)(t.used * 8));
    if (keys && counts) {
        uint32_t *k = (uint32_t *)PyBytes_AS_STRING(keys);
        int64_t *c = (int64_t *)PyBytes_AS_STRING(counts);
        size_t j = 0;
        for (size_t i = 0; i < t.size; i++)
            if (t.slots[i].count) {
                k[j] = t.slots[i].key;
                c[j++] = t.slots[i].count;
            }
    }
    count_table_free(&t);
    if (!keys || !counts) {
        Py_XDECREF(keys);
        Py_XDECREF(counts);
        return NULL;
    }
    return Py_BuildValue("(NN)", keys, counts);
}

/* ---- assign_weights --------------------------------------------------------------------- */

/* assign_weights(values, distinct, weight, out): out[i] = weight[j] for the j with
 * distinct[j] == values[i]. Every value must be among the distinct ones (ValueError if not);
 * the distinct ones must be distinct. values, distinct: uint32; weight, out: float32. */
static PyObject *assign_weights(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    static const char *names[] = {"values", "distinct", "weight", "out"};
    if (nargs != 4) {
        PyErr_SetString(PyExc_TypeError, "assign_weights() takes 4 arguments");
        return NULL;
    }
    Py_buffer views[4];
    int got = 0, missing = 0;
    for (; got < 4; got++)
        if (get_buffer(args[got], &views[got], 4, got == 3, names[got]) < 0) goto done;
    const uint32_t *values = views[0].buf, *distinct = views[1].buf;
    const float *weight = views[2].buf;
    float *out = views[3].buf;
    const Py_ssize_t m = views[0].len / 4, d = views[1].len / 4;
    if (views[2].len / 4 != d || views[3].len / 4 != m) {
        PyErr_SetString(PyExc_ValueError, "assign_weights(): lengths differ");
        goto done;
    }
    const size_t size = table_size_for((size_t)d), mask = size - 1;
    /* One slot holds the shingle and its weight: one cache line a lookup. */
    typedef struct {
        uint32_t key;
        float weight;
    } Slot;
    Slot *table = malloc(size * sizeof(Slot));
    uint8_t *used = calloc(size, 1);
    if (!table || !used) {
        free(table);
        free(used);
        PyErr_NoMemory();
        goto done;
    }
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t j = 0; j < d; j++) {
        size_t at = slot32(distinct[j], mask);
        while (used[at] && table[at].key != distinct[j]) at = (at + 1) & mask;
        used[at] = 1;
        table[at].key = distinct[j];
        table[at].weight = weight[j];
    }
    for (Py_ssize_t i = 0; i < m; i++) {
        const uint32_t v = values[i];
        if (i + AHEAD < m) __builtin_prefetch(&table[slot32(values[i + AHEAD], mask)]);
        size_t at = slot32(v, mask);
        while (used[at] && table[at].key != v) at = (at + 1) & mask;
        if (!used[at]) {
            missing = 1;
            break;
        }
        out[i] = table[at].weight;
    }
    Py_END_ALLOW_THREADS
    free(table);
    free(used);
    if (missing) PyErr_SetString(PyExc_ValueError, "assign_weights(): a value is not distinct");
done:
    for (int v = 0; v < got; v++) PyBuffer_Release(&views[v]);
    if (PyErr_Occurred()) return NULL;
    Py_RETURN_NONE;
}

/* ---- run_totals ------------------------------------------------------------------------- */

/* run_totals(weights, starts, out): out[a] = 0.0 + weights[starts[a]] + ... (double, in order)
 * up to starts[a + 1]; starts: int64, n + 1 of them, non-decreasing, within weights. */
static PyObject *run_totals(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    static const char *names[] = {"weights", "starts", "out"};
    static const Py_ssize_t sizes[] = {4, 8, 8};
    if (nargs != 3) {
        PyErr_SetString(PyExc_TypeError, "run_totals() takes 3 arguments");
        return NULL;
    }
    Py_buffer views[3];
    int got = 0;
    for (; got < 3; got++)
        if (get_buffer(args[got], &views[got], sizes[got], got == 2, names[got]) < 0) goto done;
    const float *weights = views[0].buf;
    const int64_t *starts = views[1].buf;
    double *out = views[2].buf;
    const Py_ssize_t m = views[0].len / 4, n = views[2].len / 8;
    if (views[1].len / 8 != n + 1) {
        PyErr_SetString(PyExc_ValueError, "run_totals(): starts must be one longer than out");
        goto done;
    }
    for (Py_ssize_t a = 0; a < n; a++)
        if (starts[a] < 0 || starts[a] > starts[a + 1] || starts[a + 1] > m) {
            PyErr_SetString(PyExc_IndexError, "run_totals(): a run lies outside the weights");
            goto done;
        }
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t a = 0; a < n; a++) {
        double total = 0.0;
        for (int64_t i = starts[a]; i < starts[a + 1]; i++) total += (double)weights[i];
        out[a] = total;
    }
    Py_END_ALLOW_THREADS
done:
    for (int v = 0; v < got; v++) PyBuffer_Release(&views[v]);
    if (PyErr_Occurred()) return NULL;
    Py_RETURN_NONE;
}

/* ---- band_pairs ------------------------------------------------------------------------- */

/* band_pairs(keys, star_left, star_right, next_left, next_right) -> (stars, nexts)
 *
 * keys: uint64, one per position 0..k-1. Positions with equal keys form a bucket. For each
 * position p that is not the first of its bucket: (first of the bucket, p) is written to the
 * star arrays and (the bucket's previous position, p) to the next arrays, both in increasing p.
 * The four outputs are int64, or all int32, of k items each (at most k - 1 are written); the
 * counts written are returned. The same pairs as the stable argsort in cluster.candidates, in another order. */
static PyObject *band_pairs(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    static const char *names[] = {"keys", "star_left", "star_right", "next_left", "next_right"};
    if (nargs != 5) {
        PyErr_SetString(PyExc_TypeError, "band_pairs() takes 5 arguments");
        return NULL;
    }
    Py_buffer views[5];
    int got = 0;
    Py_ssize_t stars = 0, nexts = 0;
    if (get_buffer(args[0], &views[0], 8, 0, names[0]) < 0) return NULL;
    got = 1;
    /* The outputs are int64 or, all four, int32 (half the memory: ADR 0095). */
    Py_ssize_t width = 0;
    for (; got < 5; got++) {
        if (PyObject_GetBuffer(args[got], &views[got], PyBUF_C_CONTIGUOUS | PyBUF_WRITABLE) < 0)
            goto done;
        if (!width) width = views[got].itemsize;
        if ((views[got].itemsize != 4 && views[got].itemsize != 8) ||
            views[got].itemsize != width || views[got].len % width) {
            PyErr_Format(PyExc_TypeError, "%s has the wrong item size", names[got]);
            got++;
            goto done;
        }
    }
    const uint64_t *keys = views[0].buf;
    const Py_ssize_t k = views[0].len / 8;
    for (int v = 1; v < 5; v++)
        if (views[v].len / width != k) {
            PyErr_SetString(PyExc_ValueError, "band_pairs(): lengths differ");
            goto done;
        }
    if (k > INT32_MAX) {
        PyErr_SetString(PyExc_OverflowError, "band_pairs(): more than 2**31 keys");
        goto done;
    }
    const size_t size = table_size_for((size_t)k), mask = size - 1;
    /* 16 bytes a bucket (positions fit in 32 bits): the table is 2 to 4 slots a key. */
    typedef struct {
        uint64_t key;
        int32_t head, last; /* head -1: empty */
    } Bucket;
    Bucket *table = malloc(size * sizeof(Bucket));
    if (!table) {
        PyErr_NoMemory();
        goto done;
    }
    void *outs[4] = {views[1].buf, views[2].buf, views[3].buf, views[4].buf};
    Py_BEGIN_ALLOW_THREADS
    for (size_t i = 0; i < size; i++) table[i].head = -1;
    for (Py_ssize_t p = 0; p < k; p++) {
        const uint64_t key = keys[p];
        if (p + AHEAD < k) __builtin_prefetch(&table[mix64(keys[p + AHEAD]) & mask], 1);
        size_t at = mix64(key) & mask;
        while (table[at].head >= 0 && table[at].key != key) at = (at + 1) & mask;
        Bucket *bucket = &table[at];
        if (bucket->head < 0) {
            bucket->key = key;
            bucket->head = bucket->last = (int32_t)p;
            continue;
        }
        if (width == 8) {
            ((int64_t *)outs[0])[stars] = bucket->head;
            ((int64_t *)outs[1])[stars++] = p;
            ((int64_t *)outs[2])[nexts] = bucket->last;
            ((int64_t *)outs[3])[nexts++] = p;
        } else {
            ((int32_t *)outs[0])[stars] = bucket->head;
            ((int32_t *)outs[1])[stars++] = (int32_t)p;
            ((int32_t *)outs[2])[nexts] = bucket->last;
            ((int32_t *)outs[3])[nexts++] = (int32_t)p;
        }
        bucket->last = (int32_t)p;
    }
    Py_END_ALLOW_THREADS
    free(table);
done:
    for (int v = 0; v < got; v++) PyBuffer_Release(&views[v]);
    if (PyErr_Occurred()) return NULL;
    return Py_BuildValue("(nn)", stars, nexts);
}

/* ---- band_codes ------------------------------------------------------------------------- */

/* Sort n non-negative int64 values in place, least significant digit first, through buffer
 * (n items): the values' significant bits from bit low up in passes of at most 11, a pass
 * skipped where every value has the same digit. The passes are stable, so with low > 0 the
 * values must come in increasing order of their bits below low among those equal above it
 * (band_codes makes its codes so): then, as with low 0, equal values are the same bits and the
 * result is what any sort gives. -1 when the counts cannot be allocated. */
static int radix_sort(int64_t *values, int64_t *buffer, size_t n, int low) {
    uint64_t top = 0;
    for (size_t i = 0; i < n; i++) top |= (uint64_t)values[i] >> low;
    int bits = 0;
    while (bits < 64 && (top >> bits)) bits++;
    const int passes = (bits + 10) / 11;
    if (!passes || n < 2) return 0;
    const int width = (bits + passes - 1) / passes;
    const size_t digits = (size_t)1 << width;
    const uint64_t mask = digits - 1;
    size_t *count = malloc(digits * sizeof(size_t));
    if (!count) return -1;
    int64_t *from = values, *to = buffer;
    for (int pass = 0; pass < passes; pass++) {
        const int shift = low + pass * width;
        memset(count, 0, digits * sizeof(size_t));
        for (size_t i = 0; i < n; i++) count[((uint64_t)from[i] >> shift) & mask]++;
        if (count[((uint64_t)from[0] >> shift) & mask] == n) continue;
        size_t sum = 0;
        for (size_t d = 0; d < digits; d++) {
            const size_t c = count[d];
            count[d] = sum;
            sum += c;
        }
        for (size_t i = 0; i < n; i++) to[count[((uint64_t)from[i] >> shift) & mask]++] = from[i];
        int64_t *swap = from;
        from = to;
        to = swap;
    }
    if (from != values) memcpy(values, from, n * sizeof(int64_t));
    free(count);
    return 0;
}

/* band_codes(keys, usable, labels, star, next) -> (stars, nexts)
 *
 * One band's candidates as cluster._apart_sorted makes them from band_pairs' star and
 * neighbour pairs: keys (uint64) and usable (int64 ads, increasing) one per position; labels
 * (int32 or int64) one per ad. For each position p that is not the first of its bucket of
 * equal keys, the pair (usable[first of the bucket], usable[p]) and the pair (usable[the
 * bucket's previous position], usable[p]), each kept when its two ads' labels differ, as the
 * code low ad << 32 | high ad (usable increases, so the earlier position's ad is the low one).
 * star and next (int64, len(keys) items each) get the kept codes of each kind, sorted; their
 * counts are returned. Each position ends one star and one neighbour pair, so the codes of
 * each kind are distinct already: sorted, they are sorted_unique's. */
static PyObject *band_codes(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 5) {
        PyErr_SetString(PyExc_TypeError, "band_codes() takes 5 arguments");
        return NULL;
    }
    Py_buffer keys_view, usable_view, labels_view, star_view, next_view;
    Py_ssize_t stars = 0, nexts = 0;
    int failed = 0;
    if (get_buffer(args[0], &keys_view, 8, 0, "keys") < 0) return NULL;
    if (get_buffer(args[1], &usable_view, 8, 0, "usable") < 0) goto keys;
    if (PyObject_GetBuffer(args[2], &labels_view, PyBUF_C_CONTIGUOUS) < 0) goto usable;
    if (labels_view.itemsize != 4 && labels_view.itemsize != 8) {
        PyErr_SetString(PyExc_TypeError, "labels has the wrong item size");
        goto labels;
    }
    if (get_buffer(args[3], &star_view, 8, 1, "star") < 0) goto labels;
    if (get_buffer(args[4], &next_view, 8, 1, "next") < 0) goto star;
    const uint64_t *keys = keys_view.buf;
    const int64_t *usable = usable_view.buf;
    const Py_ssize_t k = keys_view.len / 8, ads = labels_view.len / labels_view.itemsize;
    if (usable_view.len / 8 != k || star_view.len / 8 != k || next_view.len / 8 != k) {
        PyErr_SetString(PyExc_ValueError, "band_codes(): lengths differ");
        goto next;
    }
    if (k > INT32_MAX) {
        PyErr_SetString(PyExc_OverflowError, "band_codes(): more than 2**31 keys");
        goto next;
    }
    for (Py_ssize_t p = 0; p < k; p++)
        if (usable[p] < 0 || usable[p] >= ads || usable[p] > UINT32_MAX ||
            (p && usable[p] <= usable[p - 1])) {
            PyErr_SetString(PyExc_ValueError, "band_codes(): usable must be increasing ads");
            goto next;
        }
    const size_t size = table_size_for((size_t)k), mask = size - 1;
    typedef struct {
        uint64_t key;
        int32_t head, last; /* head -1: empty */
    } Bucket;
    Bucket *table = malloc(size * sizeof(Bucket));
    int64_t *buffer = malloc((k ? (size_t)k : 1) * sizeof(int64_t));
    if (!table || !buffer) {
        free(table);
        free(buffer);
        PyErr_NoMemory();
        goto next;
    }
    int64_t *star = star_view.buf, *near = next_view.buf;
    const int wide = labels_view.itemsize == 8;
    const int32_t *labels32 = labels_view.buf;
    const int64_t *labels64 = labels_view.buf;
    Py_BEGIN_ALLOW_THREADS
    for (size_t i = 0; i < size; i++) table[i].head = -1;
    for (Py_ssize_t p = 0; p < k; p++) {
        const uint64_t key = keys[p];
        if (p + AHEAD < k) __builtin_prefetch(&table[mix64(keys[p + AHEAD]) & mask], 1);
        size_t at = mix64(key) & mask;
        while (table[at].head >= 0 && table[at].key != key) at = (at + 1) & mask;
        Bucket *bucket = &table[at];
        if (bucket->head < 0) {
            bucket->key = key;
            bucket->head = bucket->last = (int32_t)p;
            continue;
        }
        const int64_t ad = usable[p], head = usable[bucket->head], last = usable[bucket->last];
        const int64_t own = wide ? labels64[ad] : labels32[ad];
        if ((wide ? labels64[head] : labels32[head]) != own) star[stars++] = head << 32 | ad;
        if ((wide ? labels64[last] : labels32[last]) != own) near[nexts++] = last << 32 | ad;
        bucket->last = (int32_t)p;
    }
    free(table);
    /* Both lists were written in increasing order of position, so of their codes' bits below
     * 32 (the later ad of the pair, usable increases): sorting them stably by bits 32 and up
     * (the earlier ad) sorts them. Two passes of up to 11 bits at a million ads, where the
     * whole codes took five. */
    failed = radix_sort(star, buffer, (size_t)stars, 32) < 0 ||
             radix_sort(near, buffer, (size_t)nexts, 32) < 0;
    free(buffer);
    Py_END_ALLOW_THREADS
    if (failed) PyErr_NoMemory();
next:
    PyBuffer_Release(&next_view);
star:
    PyBuffer_Release(&star_view);
labels:
    PyBuffer_Release(&labels_view);
usable:
    PyBuffer_Release(&usable_view);
keys:
    PyBuffer_Release(&keys_view);
    if (PyErr_Occurred()) return NULL;
    return Py_BuildValue("(nn)", stars, nexts);
}

/* ---- a set of codes --------------------------------------------------------------------- */

/* table: int64, a power of two long, 0 for an empty slot; codes: positive int64. */
static int code_views(PyObject *const *args, Py_buffer *table, Py_buffer *codes) {
    if (get_buffer(args[0], table, 8, 1, "table") < 0) return -1;
    if (get_buffer(args[1], codes, 8, 0, "codes") < 0) {
        PyBuffer_Release(table);
        return -1;
    }
    const Py_ssize_t size = table->len / 8;
    if (size < 1 || (size & (size - 1))) {
        PyErr_SetString(PyExc_ValueError, "the table's length must be a power of two");
        PyBuffer_Release(table);
        PyBuffer_Release(codes);
        return -1;
    }
    const int64_t *c = codes->buf;
    for (Py_ssize_t i = 0; i < codes->len / 8; i++)
        if (c[i] <= 0) {
            PyErr_SetString(PyExc_ValueError, "codes must be positive");
            PyBuffer_Release(table);
            PyBuffer_Release(codes);
            return -1;
        }
    return 0;
}

/* codes_add(table, codes) -> how many were not in the table yet. The caller keeps the table
 * at most three quarters full; a code that finds no free slot is refused (ValueError). */
static PyObject *codes_add(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 2) {
        PyErr_SetString(PyExc_TypeError, "codes_add() takes 2 arguments");
        return NULL;
    }
    Py_buffer table, codes;
    if (code_views(args, &table, &codes) < 0) return NULL;
    int64_t *t = table.buf;
    const int64_t *c = codes.buf;
    const size_t size = (size_t)(table.len / 8), mask = size - 1;
    Py_ssize_t added = 0;
    Py_BEGIN_ALLOW_THREADS
    const Py_ssize_t count = codes.len / 8;
    for (Py_ssize_t i = 0; i < count; i++) {
        if (i + AHEAD < count) __builtin_prefetch(&t[mix64((uint64_t)c[i + AHEAD]) & mask], 1);
        size_t at = mix64((uint64_t)c[i]) & mask, probes = 0;
        while (t[at] && t[at] != c[i] && ++probes < size) at = (at + 1) & mask;
        if (probes == size) {
            added = -1;
            break;
        }
        if (!t[at]) {
            t[at] = c[i];
            added++;
        }
    }
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&table);
    PyBuffer_Release(&codes);
    if (added < 0) {
        PyErr_SetString(PyExc_ValueError, "codes_add(): the table is full");
        return NULL;
    }
    return PyLong_FromSsize_t(added);
}

/* codes_has(table, codes, out): out[i] = codes[i] is in the table (out: bool, one byte). */
static PyObject *codes_has(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 3) {
        PyErr_SetString(PyExc_TypeError, "codes_has() takes 3 arguments");
        return NULL;
    }
    Py_buffer table, codes, out;
    if (code_views(args, &table, &codes) < 0) return NULL;
    if (get_buffer(args[2], &out, 1, 1, "out") < 0) {
        PyBuffer_Release(&table);
        PyBuffer_Release(&codes);
        return NULL;
    }
    const int64_t *t = table.buf, *c = codes.buf;
    uint8_t *o = out.buf;
    const size_t size = (size_t)(table.len / 8), mask = size - 1;
    int bad = out.len != codes.len / 8;
    if (bad) {
        PyErr_SetString(PyExc_ValueError, "codes_has(): lengths differ");
    } else {
        Py_BEGIN_ALLOW_THREADS
        const Py_ssize_t count = codes.len / 8;
        for (Py_ssize_t i = 0; i < count; i++) {
            if (i + AHEAD < count) __builtin_prefetch(&t[mix64((uint64_t)c[i + AHEAD]) & mask]);
            size_t at = mix64((uint64_t)c[i]) & mask, probes = 0;
            while (t[at] && t[at] != c[i] && ++probes < size) at = (at + 1) & mask;
            o[i] = t[at] == c[i];
        }
        Py_END_ALLOW_THREADS
    }
    PyBuffer_Release(&table);
    PyBuffer_Release(&codes);
    PyBuffer_Release(&out);
    if (bad) return NULL;
    Py_RETURN_NONE;
}

/* codes_keep(table, codes, labels, out): out[i] = the two ads of codes[i] (low << 32 | high)
 * have different labels (int32 or int64, one per ad) and codes[i] is not in the table: the
 * band loop's two filters of a list of codes (apart in the labels, not rejected before) in one
 * pass, for a part of the list on each thread. */
static PyObject *codes_keep(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 4) {
        PyErr_SetString(PyExc_TypeError, "codes_keep() takes 4 arguments");
        return NULL;
    }
    Py_buffer table, codes, labels, out;
    if (code_views(args, &table, &codes) < 0) return NULL;
    int bad = 0;
    if (PyObject_GetBuffer(args[2], &labels, PyBUF_C_CONTIGUOUS) < 0) {
        PyBuffer_Release(&table);
        PyBuffer_Release(&codes);
        return NULL;
    }
    if (get_buffer(args[3], &out, 1, 1, "out") < 0) {
        PyBuffer_Release(&table);
        PyBuffer_Release(&codes);
        PyBuffer_Release(&labels);
        return NULL;
    }
    const int64_t *t = table.buf, *c = codes.buf;
    uint8_t *o = out.buf;
    const size_t size = (size_t)(table.len / 8), mask = size - 1;
    const Py_ssize_t count = codes.len / 8;
    const int wide = labels.itemsize == 8;
    const Py_ssize_t ads = labels.itemsize ? labels.len / labels.itemsize : 0;
    if (labels.itemsize != 4 && labels.itemsize != 8) {
        PyErr_SetString(PyExc_TypeError, "labels has the wrong item size");
        bad = 1;
    } else if (out.len != count) {
        PyErr_SetString(PyExc_ValueError, "codes_keep(): lengths differ");
        bad = 1;
    } else {
        for (Py_ssize_t i = 0; i < count; i++)
            if ((c[i] >> 32) >= ads || (c[i] & 0xFFFFFFFF) >= ads) {
                PyErr_SetString(PyExc_IndexError, "codes_keep(): an ad lies outside the labels");
                bad = 1;
                break;
            }
    }
    if (!bad) {
        const int32_t *l32 = labels.buf;
        const int64_t *l64 = labels.buf;
        Py_BEGIN_ALLOW_THREADS
        for (Py_ssize_t i = 0; i < count; i++) {
            if (i + AHEAD < count) __builtin_prefetch(&t[mix64((uint64_t)c[i + AHEAD]) & mask]);
            const int64_t low = c[i] >> 32, high = c[i] & 0xFFFFFFFF;
            if (wide ? l64[low] == l64[high] : l32[low] == l32[high]) {
                o[i] = 0;
                continue;
            }
            size_t at = mix64((uint64_t)c[i]) & mask, probes = 0;
            while (t[at] && t[at] != c[i] && ++probes < size) at = (at + 1) & mask;
            o[i] = t[at] != c[i];
        }
        Py_END_ALLOW_THREADS
    }
    PyBuffer_Release(&table);
    PyBuffer_Release(&codes);
    PyBuffer_Release(&labels);
    PyBuffer_Release(&out);
    if (bad) return NULL;
    Py_RETURN_NONE;
}

/* ---- weighted_at_least ------------------------------------------------------------------ */

/* weighted_at_least(shingles, weights, stride, left_first, left_length, right_first,
 *                   right_length, left_total, right_total, threshold, out)
 *
 * _tokens.weighted_common with a way out: out[k] is the same common weight, to the bit (the
 * same double sum over the left run's shared shingles in their order), for every pair whose
 * weighted Jaccard common / (left_total + right_total - common) may reach threshold, and -1.0
 * for a pair that cannot. A pair cannot once the weight shared so far plus the smaller of the
 * two runs' weights not walked yet (a run's total less the weights walked) stays below what
 * the threshold needs, threshold * (left + right) / (1 + threshold), with a relative margin of
 * 1e-9 that dwarfs the rounding of these sums. A shingle's weight is the same in every run (it
 * is the shingle's rarity), so the left weight of a shared shingle is also the right one.
 * left_total, right_total: float64 per pair; threshold > 0. */
static PyObject *weighted_at_least(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    static const char *names[] = {"shingles",    "weights",      "left_first", "left_length",
                                  "right_first", "right_length", "left_total", "right_total",
                                  "out"};
    static const Py_ssize_t sizes[] = {4, 4, 8, 8, 8, 8, 8, 8, 8};
    static const int positions[] = {0, 1, 3, 4, 5, 6, 7, 8, 10};
    if (nargs != 11) {
        PyErr_SetString(PyExc_TypeError, "weighted_at_least() takes 11 arguments");
        return NULL;
    }
    const Py_ssize_t stride = PyLong_AsSsize_t(args[2]);
    if (stride == -1 && PyErr_Occurred()) return NULL;
    const double threshold = PyFloat_AsDouble(args[9]);
    if (threshold == -1.0 && PyErr_Occurred()) return NULL;
    if (stride < 1 || !(threshold > 0.0)) {
        PyErr_SetString(PyExc_ValueError,
                        "weighted_at_least(): stride and threshold must be positive");
        return NULL;
    }
    Py_buffer views[9];
    int got = 0;
    for (; got < 9; got++)
        if (get_buffer(args[positions[got]], &views[got], sizes[got], got == 8, names[got]) < 0)
            goto done;
    const uint32_t *shingles = views[0].buf;
    const float *weights = views[1].buf;
    const int64_t *lf = views[2].buf, *ll = views[3].buf, *rf = views[4].buf, *rl = views[5].buf;
    const double *lt = views[6].buf, *rt = views[7].buf;
    double *out = views[8].buf;
    const Py_ssize_t records = (views[0].len / 4 + stride - 1) / stride, pairs = views[8].len / 8;
    if ((views[1].len / 4 + stride - 1) / stride < records) {
        PyErr_SetString(PyExc_ValueError, "weighted_at_least(): lengths differ");
        goto done;
    }
    for (int v = 2; v < 8; v++)
        if (views[v].len / 8 != pairs) {
            PyErr_SetString(PyExc_ValueError, "weighted_at_least(): lengths differ");
            goto done;
        }
    for (Py_ssize_t k = 0; k < pairs; k++) {
        if (lf[k] < 0 || ll[k] < 0 || rf[k] < 0 || rl[k] < 0 || lf[k] + ll[k] > records ||
            rf[k] + rl[k] > records) {
            PyErr_SetString(PyExc_IndexError, "weighted_at_least(): a run lies outside the data");
            goto done;
        }
    }
    const double share = threshold / (1.0 + threshold) * (1.0 - 1e-9);
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t k = 0; k < pairs; k++) {
        if (k + 2 < pairs) {
            /* The next pairs' runs are elsewhere in memory: their first lines fetched now. */
            __builtin_prefetch(shingles + lf[k + 2] * stride);
            __builtin_prefetch(shingles + rf[k + 2] * stride);
            __builtin_prefetch(weights + lf[k + 2] * stride);
            __builtin_prefetch(weights + rf[k + 2] * stride);
        }
        const uint32_t *a = shingles + lf[k] * stride, *b = shingles + rf[k] * stride;
        const float *wa = weights + lf[k] * stride, *wb = weights + rf[k] * stride;
        const uint32_t *a_end = a + ll[k] * stride, *b_end = b + rl[k] * stride;
        const double need = share * (lt[k] + rt[k]);
        /* Walked weight of each side (shared shingles included). */
        double common = 0.0, left_walked = 0.0, right_walked = 0.0;
        int hopeless = (lt[k] < rt[k] ? lt[k] : rt[k]) < need;
        unsigned steps = 0;
        while (!hopeless && a < a_end && b < b_end) {
            if (*a < *b) {
                left_walked += (double)*wa;
                a += stride;
                wa += stride;
            } else if (*a > *b) {
                right_walked += (double)*wb;
                b += stride;
                wb += stride;
            } else {
                common += (double)*wa;
                left_walked += (double)*wa;
                right_walked += (double)*wb;
                a += stride;
                wa += stride;
                b += stride;
                wb += stride;
            }
            if (!(++steps & 7)) {
                const double left_rest = lt[k] - left_walked, right_rest = rt[k] - right_walked;
                hopeless = common + (left_rest < right_rest ? left_rest : right_rest) < need;
            }
        }
        out[k] = hopeless ? -1.0 : common;
    }
    Py_END_ALLOW_THREADS
done:
    for (int v = 0; v < got; v++) PyBuffer_Release(&views[v]);
    if (PyErr_Occurred()) return NULL;
    Py_RETURN_NONE;
}

/* ---- similar_pairs ---------------------------------------------------------------------- */

/* Whether two sorted runs (shingles a, b with their float32 weights; totals lt, rt) reach
 * the weighted Jaccard threshold; *common gets the common weight. The same double sums, in
 * the same order, as weighted_at_least's merge: the shared shingles' left weights in the left
 * run's order. The merge steps without a branch on the comparison (which a predictor guesses
 * wrong about half the time on unrelated runs): each side advances by its "not greater"
 * flag, and the weights are added times 0 or 1 (x * 0.0 is +0.0 for the positive finite
 * weights, and adding +0.0 leaves a sum of positive weights as it is). It gives up, as
 * weighted_at_least does, once what it can still share cannot reach need; when it checks
 * does not change the verdict (it only gives up on pairs that cannot reach the threshold). */
static inline int runs_reach(const uint32_t *a, const uint32_t *a_end, const float *wa,
                             const uint32_t *b, const uint32_t *b_end, const float *wb, double lt,
                             double rt, double need, double *common_out) {
    double common = 0.0, left_walked = 0.0, right_walked = 0.0;
    *common_out = -1.0;
    if ((lt < rt ? lt : rt) < need) return 0;
    while (a < a_end && b < b_end) {
        /* Eight steps at most between checks, none beyond either run's end. */
        for (int steps = 0; steps < 8; steps++) {
            const uint32_t x = *a, y = *b;
            const double fx = (double)*wa, fy = (double)*wb;
            const int le = x <= y, ge = x >= y;
            common += fx * (double)(le & ge);
            left_walked += fx * (double)le;
            right_walked += fy * (double)ge;
            a += le;
            wa += le;
            b += ge;
            wb += ge;
            if (a == a_end || b == b_end) break;
        }
        const double left_rest = lt - left_walked, right_rest = rt - right_walked;
        if (common + (left_rest < right_rest ? left_rest : right_rest) < need) return 0;
    }
    *common_out = common;
    return 1;
}

/* similar_pairs(shingles, weights, starts, totals, left, right, threshold, out)
 *
 * cluster._similar over shingle runs in memory, for a list of pairs at once: ad a's run is
 * shingles[starts[a]:starts[a + 1]] (uint32, sorted) with weights alongside (float32), totals
 * (float64) each ad's total weight; left, right: int64 ads; out: bool, one byte a pair. out[k]
 * is 1 where the pair's weighted Jaccard reaches threshold: the common weight as
 * weighted_at_least sums it, union = left total + right total - common, similarity common /
 * union when union > 0 else 0, similarity >= threshold (the numpy tail of _similar, in the
 * same double operations). Where the pair's run starts and what it weighs are read here, not
 * gathered in numpy first. threshold > 0. */
static PyObject *similar_pairs(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    static const char *names[] = {"shingles", "weights", "starts", "totals",
                                  "left",     "right",   "out"};
    static const Py_ssize_t sizes[] = {4, 4, 8, 8, 8, 8, 1};
    static const int positions[] = {0, 1, 2, 3, 4, 5, 7};
    if (nargs != 8) {
        PyErr_SetString(PyExc_TypeError, "similar_pairs() takes 8 arguments");
        return NULL;
    }
    const double threshold = PyFloat_AsDouble(args[6]);
    if (threshold == -1.0 && PyErr_Occurred()) return NULL;
    if (!(threshold > 0.0)) {
        PyErr_SetString(PyExc_ValueError, "similar_pairs(): threshold must be positive");
        return NULL;
    }
    Py_buffer views[7];
    int got = 0, bad = 0;
    for (; got < 7; got++)
        if (get_buffer(args[positions[got]], &views[got], sizes[got], got == 6, names[got]) < 0)
            goto done;
    const uint32_t *shingles = views[0].buf;
    const float *weights = views[1].buf;
    const int64_t *starts = views[2].buf, *left = views[4].buf, *right = views[5].buf;
    const double *totals = views[3].buf;
    uint8_t *out = views[6].buf;
    const Py_ssize_t records = views[0].len / 4, ads = views[2].len / 8 - 1,
                     pairs = views[6].len;
    if (views[1].len / 4 != records || ads < 0 || views[3].len / 8 != ads ||
        views[4].len / 8 != pairs || views[5].len / 8 != pairs) {
        PyErr_SetString(PyExc_ValueError, "similar_pairs(): lengths differ");
        goto done;
    }
    const double share = threshold / (1.0 + threshold) * (1.0 - 1e-9);
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t k = 0; k < pairs; k++) {
        if (k + 8 < pairs) {
            /* The ads' offsets and totals a few pairs ahead, their runs' first lines two. */
            const int64_t l8 = left[k + 8], r8 = right[k + 8];
            if (l8 >= 0 && l8 < ads && r8 >= 0 && r8 < ads) {
                __builtin_prefetch(starts + l8);
                __builtin_prefetch(starts + r8);
                __builtin_prefetch(totals + l8);
                __builtin_prefetch(totals + r8);
            }
        }
        if (k + 2 < pairs) {
            const int64_t l2 = left[k + 2], r2 = right[k + 2];
            if (l2 >= 0 && l2 < ads && r2 >= 0 && r2 < ads) {
                const int64_t ls = starts[l2], rs = starts[r2];
                if (ls >= 0 && ls < records && rs >= 0 && rs < records) {
                    __builtin_prefetch(shingles + ls);
                    __builtin_prefetch(shingles + rs);
                    __builtin_prefetch(weights + ls);
                    __builtin_prefetch(weights + rs);
                }
            }
        }
        const int64_t l = left[k], r = right[k];
        if (l < 0 || l >= ads || r < 0 || r >= ads) {
            bad = 1;
            break;
        }
        const int64_t lf = starts[l], le = starts[l + 1], rf = starts[r], re = starts[r + 1];
        if (lf < 0 || le < lf || le > records || rf < 0 || re < rf || re > records) {
            bad = 1;
            break;
        }
        const double lt = totals[l], rt = totals[r];
        double common;
        runs_reach(shingles + lf, shingles + le, weights + lf, shingles + rf, shingles + re,
                   weights + rf, lt, rt, share * (lt + rt), &common);
        const double uni = lt + rt - common;
        const double similarity = uni > 0 ? common / uni : 0.0;
        out[k] = common >= 0 && similarity >= threshold;
    }
    Py_END_ALLOW_THREADS
    if (bad) PyErr_SetString(PyExc_IndexError, "similar_pairs(): an ad or run lies outside the data");
done:
    for (int v = 0; v < got; v++) PyBuffer_Release(&views[v]);
    if (PyErr_Occurred()) return NULL;
    Py_RETURN_NONE;
}

/* ---- fold_bands ------------------------------------------------------------------------ */

/* fold_bands(block, width, fold, out): block is R rows of width uint32 signature values; out
 * (uint64, bands * R, band after band) gets for each band b and row r the wrapping uint64 sum
 * of block[r][b * rows + i] * fold[i] over i < rows, rows = len(fold): what
 * (block[:, b*rows:(b+1)*rows].astype(uint64) * fold).sum(axis=1, dtype=uint64) gives (sums
 * modulo 2**64 do not depend on their order). bands * rows <= width. */
static PyObject *fold_bands(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 4) {
        PyErr_SetString(PyExc_TypeError, "fold_bands() takes 4 arguments");
        return NULL;
    }
    const Py_ssize_t width = PyLong_AsSsize_t(args[1]);
    if (width == -1 && PyErr_Occurred()) return NULL;
    Py_buffer block, fold, out;
    if (get_buffer(args[0], &block, 4, 0, "block") < 0) return NULL;
    if (get_buffer(args[2], &fold, 8, 0, "fold") < 0) {
        PyBuffer_Release(&block);
        return NULL;
    }
    if (get_buffer(args[3], &out, 8, 1, "out") < 0) {
        PyBuffer_Release(&block);
        PyBuffer_Release(&fold);
        return NULL;
    }
    const Py_ssize_t rows = fold.len / 8;
    const Py_ssize_t count = width > 0 ? block.len / 4 / width : 0;
    const Py_ssize_t bands = count > 0 ? out.len / 8 / count : 0;
    if (width < 1 || rows < 1 || block.len / 4 != count * width || out.len / 8 != bands * count ||
        bands * rows > width) {
        PyErr_SetString(PyExc_ValueError, "fold_bands(): the shapes do not fit");
    } else {
        const uint32_t *b = block.buf;
        const uint64_t *f = fold.buf;
        uint64_t *o = out.buf;
        Py_BEGIN_ALLOW_THREADS
        for (Py_ssize_t r = 0; r < count; r++) {
            const uint32_t *row = b + r * width;
            for (Py_ssize_t band = 0; band < bands; band++) {
                uint64_t key = 0;
                for (Py_ssize_t i = 0; i < rows; i++) key += (uint64_t)row[band * rows + i] * f[i];
                o[band * count + r] = key;
            }
        }
        Py_END_ALLOW_THREADS
    }
    PyBuffer_Release(&block);
    PyBuffer_Release(&fold);
    PyBuffer_Release(&out);
    if (PyErr_Occurred()) return NULL;
    Py_RETURN_NONE;
}

/* ---- indent_json ----------------------------------------------------------------------- */

/* indent_json(compact, level) -> bytes: compact JSON (UTF-8 bytes, as json.dumps(value,
 * ensure_ascii=False, separators=(",", ":")) writes it) laid out as json.dumps(value,
 * ensure_ascii=False, indent=1) lays it out when the value starts at indentation ``level``:
 * after an opening bracket or brace a new line one space deeper, after each comma a new line,
 * before a closing one a new line one space shallower, ": " after a key; an empty list or
 * object stays "[]" or "{}". Only outside strings: a string runs from a quote to the next
 * quote not escaped by a backslash (the escapes json writes), and UTF-8 never has these ASCII
 * bytes inside another character. */
static PyObject *indent_json(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 2) {
        PyErr_SetString(PyExc_TypeError, "indent_json() takes 2 arguments");
        return NULL;
    }
    const Py_ssize_t level = PyLong_AsSsize_t(args[1]);
    if (level == -1 && PyErr_Occurred()) return NULL;
    if (level < 0) {
        PyErr_SetString(PyExc_ValueError, "indent_json(): level must not be negative");
        return NULL;
    }
    Py_buffer view;
    if (get_buffer(args[0], &view, 1, 0, "compact") < 0) return NULL;
    const char *in = view.buf;
    const Py_ssize_t n = view.len;
    /* First the depth and the number of line breaks, to size the output. */
    Py_ssize_t depth = level, deepest = level, breaks = 0, colons = 0;
    int in_string = 0, bad = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        const char c = in[i];
        if (in_string) {
            if (c == '\\') i++;
            else if (c == '"') in_string = 0;
            continue;
        }
        if (c == '"') in_string = 1;
        else if (c == '[' || c == '{') {
            if (i + 1 < n && (in[i + 1] == ']' || in[i + 1] == '}')) {
                i++;
                continue;
            }
            depth++;
            breaks++;
            if (depth > deepest) deepest = depth;
        } else if (c == ']' || c == '}') {
            depth--;
            breaks++;
            if (depth < level) bad = 1;
        } else if (c == ',') breaks++;
        else if (c == ':') colons++;
    }
    if (bad || in_string || depth != level) {
        PyBuffer_Release(&view);
        PyErr_SetString(PyExc_ValueError, "indent_json(): not compact JSON");
        return NULL;
    }
    PyObject *result = PyBytes_FromStringAndSize(NULL, n + colons + breaks * (1 + deepest));
    if (result == NULL) {
        PyBuffer_Release(&view);
        return NULL;
    }
    char *out = PyBytes_AS_STRING(result), *o = out;
    depth = level;
    in_string = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        const char c = in[i];
        if (in_string) {
            *o++ = c;
            if (c == '\\') *o++ = in[++i];
            else if (c == '"') in_string = 0;
            continue;
        }
        if (c == '"') {
            in_string = 1;
            *o++ = c;
        } else if (c == '[' || c == '{') {
            *o++ = c;
            if (i + 1 < n && (in[i + 1] == ']' || in[i + 1] == '}')) {
                *o++ = in[++i];
                continue;
            }
            depth++;
            *o++ = '\n';
            memset(o, ' ', depth);
            o += depth;
        } else if (c == ']' || c == '}') {
            depth--;
            *o++ = '\n';
            memset(o, ' ', depth);
            o += depth;
            *o++ = c;
        } else if (c == ',') {
            *o++ = ',';
            *o++ = '\n';
            memset(o, ' ', depth);
            o += depth;
        } else if (c == ':') {
            *o++ = ':';
            *o++ = ' ';
        } else
            *o++ = c;
    }
    PyBuffer_Release(&view);
    if (_PyBytes_Resize(&result, o - out) < 0) return NULL;
    return result;
}

/* ---- intern_many, pack_strings ----------------------------------------------------------- */

/* intern_many(ids, values, items): for each item of the list ``items``, ids[item], or a new
 * number len(values) (stored in ids and the item appended to values): what calling
 * Interner.__call__ on each item in turn gives, as int32 bytes. */
static PyObject *intern_many(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 3 || !PyDict_Check(args[0]) || !PyList_Check(args[1]) || !PyList_Check(args[2])) {
        PyErr_SetString(PyExc_TypeError, "intern_many() takes a dict and two lists");
        return NULL;
    }
    PyObject *ids = args[0], *values = args[1], *items = args[2];
    const Py_ssize_t n = PyList_GET_SIZE(items);
    PyObject *out = PyBytes_FromStringAndSize(NULL, n * 4);
    if (!out) return NULL;
    int32_t *o = (int32_t *)PyBytes_AS_STRING(out);
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *item = PyList_GET_ITEM(items, i);
        PyObject *found = PyDict_GetItemWithError(ids, item); /* borrowed */
        long number;
        if (found) {
            number = PyLong_AsLong(found);
            if (number == -1 && PyErr_Occurred()) goto fail;
        } else {
            if (PyErr_Occurred()) goto fail;
            number = (long)PyList_GET_SIZE(values);
            if (number > INT32_MAX) {
                PyErr_SetString(PyExc_OverflowError, "intern_many(): more than 2**31 values");
                goto fail;
            }
            PyObject *key = PyLong_FromLong(number);
            if (!key) goto fail;
            int failed = PyDict_SetItem(ids, item, key);
            Py_DECREF(key);
            if (failed < 0 || PyList_Append(values, item) < 0) goto fail;
        }
        o[i] = (int32_t)number;
    }
    return out;
fail:
    Py_DECREF(out);
    return NULL;
}

/* pack_strings(items, position): (b"".join(s.encode() for s in items), the int64 end offset of
 * each string counted from ``position``), as StringColumn.extend stores them. */
static PyObject *pack_strings(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 2 || !PyList_Check(args[0])) {
        PyErr_SetString(PyExc_TypeError, "pack_strings() takes a list and an int");
        return NULL;
    }
    PyObject *items = args[0];
    long long position = PyLong_AsLongLong(args[1]);
    if (position == -1 && PyErr_Occurred()) return NULL;
    const Py_ssize_t n = PyList_GET_SIZE(items);
    PyObject *ends = PyBytes_FromStringAndSize(NULL, n * 8);
    if (!ends) return NULL;
    int64_t *e = (int64_t *)PyBytes_AS_STRING(ends);
    Py_ssize_t total = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *item = PyList_GET_ITEM(items, i);
        Py_ssize_t size;
        if (!PyUnicode_Check(item)) {
            PyErr_SetString(PyExc_TypeError, "pack_strings(): not a str");
            Py_DECREF(ends);
            return NULL;
        }
        if (!PyUnicode_AsUTF8AndSize(item, &size)) {
            Py_DECREF(ends);
            return NULL;
        }
        total += size;
        e[i] = position + total;
    }
    PyObject *data = PyBytes_FromStringAndSize(NULL, total);
    if (!data) {
        Py_DECREF(ends);
        return NULL;
    }
    char *d = PyBytes_AS_STRING(data);
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_ssize_t size;
        const char *utf8 = PyUnicode_AsUTF8AndSize(PyList_GET_ITEM(items, i), &size);
        memcpy(d, utf8, (size_t)size);
        d += size;
    }
    PyObject *pair = PyTuple_Pack(2, data, ends);
    Py_DECREF(data);
    Py_DECREF(ends);
    return pair;
}

/* ---- intern_table, intern_rehash: an interner without a Python object a string --------------
 *
 * The strings live one after the other in a bytearray (UTF-8), with the int64 end offset of
 * string i at ends[i]; an open-addressing table of uint64 slots maps them to their numbers: a
 * slot holds (the high 32 bits of the string's hash) << 32 | (number + 1), 0 when empty. A slot
 * whose hash bits match is compared byte for byte with the stored string, so the numbers are
 * those of a dictionary, exactly (ADR 0095). */

static inline uint64_t hash_bytes(const char *data, Py_ssize_t size) {
    uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a, then mixed: the low bits pick the slot */
    for (Py_ssize_t i = 0; i < size; i++) {
        h ^= (unsigned char)data[i];
        h *= 0x100000001b3ULL;
    }
    return mix64(h ^ (uint64_t)size);
}

/* The number of the string (data, size), or -1; *at is the slot where it is or would go. */
static inline int64_t table_find(const uint64_t *table, size_t mask, const int64_t *ends,
                                 const char *blob, const char *data, Py_ssize_t size,
                                 uint64_t h, size_t *at) {
    const uint64_t high = h >> 32;
    size_t i = (size_t)h & mask;
    for (;;) {
        const uint64_t slot = table[i];
        if (!slot) break;
        if (slot >> 32 == high) {
            const int64_t number = (int64_t)(uint32_t)slot - 1;
            const int64_t start = number ? ends[number - 1] : 0;
            if (ends[number] - start == size && !memcmp(blob + start, data, (size_t)size)) {
                *at = i;
                return number;
            }
        }
        i = (i + 1) & mask;
    }
    *at = i;
    return -1;
}

/* intern_table(table, ends, blob, count, items, insert): (each item's number as int32 bytes,
 * the new count). With ``insert``, a string not yet known gets the number ``count`` (then
 * count + 1, ...), is appended to ``blob`` and its end to ``ends``; without, it gets -1. The
 * caller leaves room: ends for count + len(items) strings, the table at most 3/4 full after. */
static PyObject *intern_table(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 6 || !PyByteArray_Check(args[2]) || !PyList_Check(args[4])) {
        PyErr_SetString(PyExc_TypeError,
                        "intern_table() takes a table, ends, a bytearray, a count, a list and a "
                        "flag");
        return NULL;
    }
    Py_ssize_t count = PyLong_AsSsize_t(args[3]);
    if (count == -1 && PyErr_Occurred()) return NULL;
    const int insert = PyObject_IsTrue(args[5]);
    if (insert < 0) return NULL;
    PyObject *blob = args[2], *items = args[4];
    const Py_ssize_t n = PyList_GET_SIZE(items);
    Py_buffer tv, ev;
    if (get_buffer(args[0], &tv, 8, 1, "table") < 0) return NULL;
    if (get_buffer(args[1], &ev, 8, 1, "ends") < 0) {
        PyBuffer_Release(&tv);
        return NULL;
    }
    uint64_t *table = tv.buf;
    int64_t *ends = ev.buf;
    const size_t slots = (size_t)(tv.len / 8);
    const size_t mask = slots - 1;
    PyObject *out = NULL;
    if (!slots || slots & mask) {
        PyErr_SetString(PyExc_ValueError, "intern_table(): the table's size is not a power of 2");
        goto done;
    }
    if ((insert && (count + n > ev.len / 8 || (size_t)(count + n) * 4 > slots * 3)) ||
        count > ev.len / 8 || count >= INT32_MAX - n) {
        PyErr_SetString(PyExc_ValueError, "intern_table(): no room");
        goto done;
    }
    out = PyBytes_FromStringAndSize(NULL, n * 4);
    if (!out) goto done;
    int32_t *o = (int32_t *)PyBytes_AS_STRING(out);
    for (Py_ssize_t k = 0; k < n; k++) {
        PyObject *item = PyList_GET_ITEM(items, k);
        Py_ssize_t size;
        if (!PyUnicode_Check(item)) {
            PyErr_SetString(PyExc_TypeError, "intern_table(): not a str");
            goto fail;
        }
        const char *data = PyUnicode_AsUTF8AndSize(item, &size);
        if (!data) goto fail;
        const uint64_t h = hash_bytes(data, size);
        size_t at;
        int64_t number =
            table_find(table, mask, ends, PyByteArray_AS_STRING(blob), data, size, h, &at);
        if (number < 0 && insert) {
            const Py_ssize_t used = PyByteArray_GET_SIZE(blob);
            if (PyByteArray_Resize(blob, used + size) < 0) goto fail;
            memcpy(PyByteArray_AS_STRING(blob) + used, data, (size_t)size);
            number = count++;
            ends[number] = used + size;
            table[at] = (h >> 32) << 32 | (uint64_t)(uint32_t)(number + 1);
        }
        o[k] = (int32_t)number;
    }
    PyObject *pair = Py_BuildValue("(Nn)", out, count);
    out = NULL;
    PyBuffer_Release(&tv);
    PyBuffer_Release(&ev);
    return pair;
fail:
    Py_CLEAR(out);
done:
    PyBuffer_Release(&tv);
    PyBuffer_Release(&ev);
    return out;
}

/* intern_rehash(table, ends, blob, count): the first ``count`` strings put into an empty
 * ``table`` (a larger one, when the old one fills up). */
static PyObject *intern_rehash(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 4 || !PyByteArray_Check(args[2])) {
        PyErr_SetString(PyExc_TypeError,
                        "intern_rehash() takes a table, ends, a bytearray and a count");
        return NULL;
    }
    Py_ssize_t count = PyLong_AsSsize_t(args[3]);
    if (count == -1 && PyErr_Occurred()) return NULL;
    Py_buffer tv, ev;
    if (get_buffer(args[0], &tv, 8, 1, "table") < 0) return NULL;
    if (get_buffer(args[1], &ev, 8, 0, "ends") < 0) {
        PyBuffer_Release(&tv);
        return NULL;
    }
    uint64_t *table = tv.buf;
    const int64_t *ends = ev.buf;
    const size_t slots = (size_t)(tv.len / 8), mask = slots - 1;
    if (!slots || slots & mask || count > ev.len / 8 || (size_t)count * 4 > slots * 3) {
        PyBuffer_Release(&tv);
        PyBuffer_Release(&ev);
        PyErr_SetString(PyExc_ValueError, "intern_rehash(): no room");
        return NULL;
    }
    const char *blob = PyByteArray_AS_STRING(args[2]);
    memset(table, 0, slots * 8);
    for (Py_ssize_t number = 0; number < count; number++) {
        const int64_t start = number ? ends[number - 1] : 0;
        const uint64_t h = hash_bytes(blob + start, ends[number] - start);
        size_t i = (size_t)h & mask;
        while (table[i]) i = (i + 1) & mask;
        table[i] = (h >> 32) << 32 | (uint64_t)(uint32_t)(number + 1);
    }
    PyBuffer_Release(&tv);
    PyBuffer_Release(&ev);
    Py_RETURN_NONE;
}

/* ---- join_labels ------------------------------------------------------------------------ */

/* join_labels(labels, k, left, right, out) -> the number of labels after the join.
 *
 * The band loop's join of its new edges (cluster._verify_band): labels (int32 or int64, one a
 * ad) number the components found so far 0 .. k - 1 by their first ad; left, right (int64) are
 * the ads of the new edges; out (int32, as long as labels) gets
 * components(k, labels[left], labels[right])[labels]: the components of the labels joined
 * along the edges, numbered by their first label (so by their first ad). The union hooks the
 * larger root under the smaller one, so every label's parent is not larger than itself and a
 * component's root is its smallest label: numbering the roots in increasing order numbers the
 * components as components() does, and each label's number is its parent's, found before it
 * (a parent is never larger). Three passes over k or n, not components()' rounds of numpy
 * gathers over all k labels and the gather through them. */
static inline int32_t join_find(int32_t *parent, int32_t x) {
    while (parent[x] != x) {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    return x;
}

static PyObject *join_labels(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 5) {
        PyErr_SetString(PyExc_TypeError, "join_labels() takes 5 arguments");
        return NULL;
    }
    const Py_ssize_t k = PyLong_AsSsize_t(args[1]);
    if (k == -1 && PyErr_Occurred()) return NULL;
    Py_buffer labels_view, left_view, right_view, out_view;
    Py_ssize_t joined = -1;
    int bad = 0;
    if (PyObject_GetBuffer(args[0], &labels_view, PyBUF_C_CONTIGUOUS) < 0) return NULL;
    if (labels_view.itemsize != 4 && labels_view.itemsize != 8) {
        PyErr_SetString(PyExc_TypeError, "labels has the wrong item size");
        goto labels;
    }
    if (get_buffer(args[2], &left_view, 8, 0, "left") < 0) goto labels;
    if (get_buffer(args[3], &right_view, 8, 0, "right") < 0) goto left;
    if (get_buffer(args[4], &out_view, 4, 1, "out") < 0) goto right;
    const Py_ssize_t n = labels_view.len / labels_view.itemsize, edges = left_view.len / 8;
    if (right_view.len / 8 != edges || out_view.len / 4 != n) {
        PyErr_SetString(PyExc_ValueError, "join_labels(): lengths differ");
        goto out;
    }
    if (k < 0 || k > n || k > INT32_MAX) {
        PyErr_SetString(PyExc_ValueError, "join_labels(): k must lie in 0 .. len(labels)");
        goto out;
    }
    const int wide = labels_view.itemsize == 8;
    const int32_t *labels32 = labels_view.buf;
    const int64_t *labels64 = labels_view.buf;
    const int64_t *left = left_view.buf, *right = right_view.buf;
    int32_t *result = out_view.buf;
    int32_t *parent = malloc((k ? (size_t)k : 1) * sizeof(int32_t));
    int32_t *number = malloc((k ? (size_t)k : 1) * sizeof(int32_t));
    if (!parent || !number) {
        free(parent);
        free(number);
        PyErr_NoMemory();
        goto out;
    }
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t i = 0; i < k; i++) parent[i] = (int32_t)i;
    for (Py_ssize_t e = 0; e < edges && !bad; e++) {
        const int64_t a = left[e], b = right[e];
        if (a < 0 || a >= n || b < 0 || b >= n) {
            bad = 1;
            break;
        }
        const int64_t la = wide ? labels64[a] : labels32[a], lb = wide ? labels64[b] : labels32[b];
        if (la < 0 || la >= k || lb < 0 || lb >= k) {
            bad = 1;
            break;
        }
        const int32_t ra = join_find(parent, (int32_t)la), rb = join_find(parent, (int32_t)lb);
        if (ra < rb)
            parent[rb] = ra;
        else if (rb < ra)
            parent[ra] = rb;
    }
    if (!bad) {
        int32_t count = 0;
        for (Py_ssize_t i = 0; i < k; i++)
            number[i] = parent[i] == (int32_t)i ? count++ : number[parent[i]];
        for (Py_ssize_t j = 0; j < n; j++) {
            const int64_t label = wide ? labels64[j] : labels32[j];
            if (label < 0 || label >= k) {
                bad = 1;
                break;
            }
            result[j] = number[label];
        }
        joined = count;
    }
    Py_END_ALLOW_THREADS
    free(parent);
    free(number);
    if (bad) PyErr_SetString(PyExc_IndexError, "join_labels(): an ad or label lies outside");
out:
    PyBuffer_Release(&out_view);
right:
    PyBuffer_Release(&right_view);
left:
    PyBuffer_Release(&left_view);
labels:
    PyBuffer_Release(&labels_view);
    if (PyErr_Occurred()) return NULL;
    return PyLong_FromSsize_t(joined);
}

static PyMethodDef methods[] = {
    {"indent_json", (PyCFunction)(void (*)(void))indent_json, METH_FASTCALL,
     "Compact JSON laid out as json.dumps(indent=1) lays it out."},
    {"fold_bands", (PyCFunction)(void (*)(void))fold_bands, METH_FASTCALL,
     "Every band's key of every row of a block of signatures."},
    {"shingle_df", (PyCFunction)(void (*)(void))shingle_df, METH_FASTCALL,
     "The distinct shingles and how many times each occurs."},
    {"assign_weights", (PyCFunction)(void (*)(void))assign_weights, METH_FASTCALL,
     "Each value's weight, looked up among the distinct values."},
    {"run_totals", (PyCFunction)(void (*)(void))run_totals, METH_FASTCALL,
     "Each run's total weight, summed in order in double."},
    {"band_pairs", (PyCFunction)(void (*)(void))band_pairs, METH_FASTCALL,
     "Per bucket of equal keys, the star and neighbour pairs of positions."},
    {"band_codes", (PyCFunction)(void (*)(void))band_codes, METH_FASTCALL,
     "One band's star and neighbour pairs of ads apart in labels, as sorted codes."},
    {"codes_add", (PyCFunction)(void (*)(void))codes_add, METH_FASTCALL,
     "Add positive int64 codes to an open-addressing table."},
    {"codes_has", (PyCFunction)(void (*)(void))codes_has, METH_FASTCALL,
     "Whether each code is in an open-addressing table."},
    {"codes_keep", (PyCFunction)(void (*)(void))codes_keep, METH_FASTCALL,
     "Whether each code's ads are apart in labels and the code is not in the table."},
    {"weighted_at_least", (PyCFunction)(void (*)(void))weighted_at_least, METH_FASTCALL,
     "weighted_common, giving up on pairs that cannot reach the threshold."},
    {"join_labels", (PyCFunction)(void (*)(void))join_labels, METH_FASTCALL,
     "Labels joined along new edges, numbered by their first ad."},
    {"similar_pairs", (PyCFunction)(void (*)(void))similar_pairs, METH_FASTCALL,
     "Whether each pair of in-memory runs reaches the weighted Jaccard threshold."},
    {"intern_many", (PyCFunction)(void (*)(void))intern_many, METH_FASTCALL,
     "Interner.__call__ over a list of strings, as int32 bytes."},
    {"pack_strings", (PyCFunction)(void (*)(void))pack_strings, METH_FASTCALL,
     "The strings UTF-8 encoded one after the other, and each one's end offset."},
    {"intern_table", (PyCFunction)(void (*)(void))intern_table, METH_FASTCALL,
     "Strings to numbers through a table of hashes over a bytearray of the strings."},
    {"intern_rehash", (PyCFunction)(void (*)(void))intern_rehash, METH_FASTCALL,
     "The strings of an intern_table put into an empty table."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_clusterc", "The coordinator's clustering kernels, compiled.", -1,
    methods,
};

PyMODINIT_FUNC PyInit__clusterc(void) { return PyModule_Create(&module); }
