/*
 * The extractor's word tokeniser, compiled (issue 18 item 4).
 *
 * word_tokens(lowered) returns (tokens, words): exactly what
 *
 *     tokens = re.findall(r"\w+", re.sub(r"\d+(?:[^\w\n]+\d+)*", " xnumx ", lowered))
 *     words = set(tokens)
 *
 * give, in one pass over the text instead of two regular-expression passes and a set. The
 * character classes are the ones Python's re uses for str patterns: \d is
 * Py_UNICODE_ISDECIMAL, \w is Py_UNICODE_ISALNUM or "_". A number run is a digit run, continued
 * through any run of characters that are neither word characters nor newlines when another digit
 * follows it; it becomes the single token "xnumx". A word is a run of word characters that are
 * not digits (a digit inside a word starts a number run, as re.sub would cut it there).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>

static PyObject *slot_num; /* "xnumx", shared by every number token */

/* The words of ads come from a small vocabulary: a word read before is returned as the same str
 * object (found by a hash of its characters), which spares allocating it and lets sets and dicts
 * use its cached hash. A direct-mapped table: a collision replaces the older word. */
#define CACHE_BITS 16
#define CACHE_MAX_LENGTH 40
static PyObject *cache[1 << CACHE_BITS];

static PyObject *word_at(PyObject *text, int kind, const void *data, Py_ssize_t start,
                         Py_ssize_t end) {
    Py_ssize_t length = end - start;
    if (length > CACHE_MAX_LENGTH) return PyUnicode_Substring(text, start, end);
    Py_uhash_t h = 2166136261u;
    for (Py_ssize_t i = start; i < end; i++) h = (h ^ PyUnicode_READ(kind, data, i)) * 16777619u;
    h ^= h >> 15;
    size_t slot = (size_t)(h & ((1 << CACHE_BITS) - 1));
    PyObject *cached = cache[slot];
    if (cached != NULL && PyUnicode_GET_LENGTH(cached) == length) {
        int ckind = PyUnicode_KIND(cached);
        const void *cdata = PyUnicode_DATA(cached);
        Py_ssize_t i = 0;
        while (i < length &&
               PyUnicode_READ(ckind, cdata, i) == PyUnicode_READ(kind, data, start + i))
            i++;
        if (i == length) {
            Py_INCREF(cached);
            return cached;
        }
    }
    PyObject *word = PyUnicode_Substring(text, start, end);
    if (word == NULL) return NULL;
    Py_INCREF(word);
    Py_XSETREF(cache[slot], word);
    return word;
}

/* Most characters of an ad are ASCII: their classes come from a table, the rest from Python's
 * Unicode database. */
static inline int is_word(Py_UCS4 ch) {
    if (ch < 128) return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                         (ch >= '0' && ch <= '9') || ch == '_';
    return Py_UNICODE_ISALNUM(ch);
}

static inline int is_digit(Py_UCS4 ch) {
    if (ch < 128) return ch >= '0' && ch <= '9';
    return Py_UNICODE_ISDECIMAL(ch);
}

static PyObject *word_tokens(PyObject *module, PyObject *arg) {
    if (!PyUnicode_Check(arg)) {
        PyErr_SetString(PyExc_TypeError, "word_tokens() takes a str");
        return NULL;
    }
    if (PyUnicode_READY(arg) < 0) return NULL;
    const int kind = PyUnicode_KIND(arg);
    const void *data = PyUnicode_DATA(arg);
    const Py_ssize_t n = PyUnicode_GET_LENGTH(arg);
    PyObject *tokens = PyList_New(0);
    PyObject *words = PySet_New(NULL);
    if (tokens == NULL || words == NULL) goto error;
    Py_ssize_t i = 0;
    Py_ssize_t start = -1; /* start of the word being read, or -1 */
    while (i < n) {
        Py_UCS4 ch = PyUnicode_READ(kind, data, i);
        if (is_digit(ch)) {
            if (start >= 0) {
                PyObject *word = word_at(arg, kind, data, start, i);
                if (word == NULL) goto error;
                int failed = PyList_Append(tokens, word) < 0 || PySet_Add(words, word) < 0;
                Py_DECREF(word);
                if (failed) goto error;
                start = -1;
            }
            Py_ssize_t j = i + 1;
            while (j < n && is_digit(PyUnicode_READ(kind, data, j))) j++;
            for (;;) {
                Py_ssize_t k = j;
                while (k < n) {
                    Py_UCS4 c = PyUnicode_READ(kind, data, k);
                    if (c == '\n' || is_word(c)) break;
                    k++;
                }
                if (k == j || k >= n || !is_digit(PyUnicode_READ(kind, data, k)))
                    break;
                j = k + 1;
                while (j < n && is_digit(PyUnicode_READ(kind, data, j))) j++;
            }
            if (PyList_Append(tokens, slot_num) < 0 || PySet_Add(words, slot_num) < 0)
                goto error;
            i = j;
            continue;
        }
        if (is_word(ch)) {
            if (start < 0) start = i;
        } else if (start >= 0) {
            PyObject *word = word_at(arg, kind, data, start, i);
            if (word == NULL) goto error;
            int failed = PyList_Append(tokens, word) < 0 || PySet_Add(words, word) < 0;
            Py_DECREF(word);
            if (failed) goto error;
            start = -1;
        }
        i++;
    }
    if (start >= 0) {
        PyObject *word = word_at(arg, kind, data, start, n);
        if (word == NULL) goto error;
        int failed = PyList_Append(tokens, word) < 0 || PySet_Add(words, word) < 0;
        Py_DECREF(word);
        if (failed) goto error;
    }
    PyObject *result = PyTuple_Pack(2, tokens, words);
    Py_DECREF(tokens);
    Py_DECREF(words);
    return result;
error:
    Py_XDECREF(tokens);
    Py_XDECREF(words);
    return NULL;
}


/* weighted_common(shingles, weights, stride, left_first, left_length, right_first, right_length,
 *                 out)
 *
 * For each pair k, the total weight of the shingles the two runs share: run k of the left side
 * is the records left_first[k] ... left_first[k] + left_length[k] - 1 (sorted, distinct
 * shingles), likewise the right; record i is shingles[i * stride] with weight
 * weights[i * stride] (stride 2: records read from a file as (shingle, weight) pairs, passed
 * as the flat array and the same memory from its second item, viewed as float32). The sum is
 * taken in double over the left run's shared shingles in their order, each its float32 weight:
 * the additions, in the same order, of np.bincount(owner, weights=...) over the matches that
 * cluster._common_weights finds by binary search, so the result is the same to the bit.
 * shingles: uint32, weights: float32, the four index arrays int64, out: float64 (written); all
 * contiguous. */
static int get_buffer(PyObject *obj, Py_buffer *view, Py_ssize_t itemsize, int writable,
                      const char *name) {
    if (PyObject_GetBuffer(obj, view, PyBUF_C_CONTIGUOUS | (writable ? PyBUF_WRITABLE : 0)) < 0)
        return -1;
    if (view->itemsize != itemsize || view->len % itemsize) {
        PyErr_Format(PyExc_TypeError, "weighted_common(): %s has the wrong item size", name);
        PyBuffer_Release(view);
        return -1;
    }
    return 0;
}

static PyObject *weighted_common(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    static const char *names[] = {"shingles",     "weights",      "left_first", "left_length",
                                  "right_first", "right_length", "out"};
    static const Py_ssize_t sizes[] = {4, 4, 8, 8, 8, 8, 8};
    if (nargs != 8) {
        PyErr_SetString(PyExc_TypeError, "weighted_common() takes 8 arguments");
        return NULL;
    }
    const Py_ssize_t stride = PyLong_AsSsize_t(args[2]);
    if (stride == -1 && PyErr_Occurred()) return NULL;
    if (stride < 1) {
        PyErr_SetString(PyExc_ValueError, "weighted_common(): stride must be positive");
        return NULL;
    }
    Py_buffer views[7];
    int got = 0;
    for (; got < 7; got++)
        if (get_buffer(args[got < 2 ? got : got + 1], &views[got], sizes[got], got == 6,
                       names[got]) < 0)
            goto done;
    const uint32_t *shingles = views[0].buf;
    const float *weights = views[1].buf;
    const int64_t *lf = views[2].buf, *ll = views[3].buf, *rf = views[4].buf, *rl = views[5].buf;
    double *out = views[6].buf;
    /* Record i needs shingles[i * stride] and weights[i * stride]. */
    const Py_ssize_t records = (views[0].len / 4 + stride - 1) / stride,
                     pairs = views[6].len / 8;
    if ((views[1].len / 4 + stride - 1) / stride < records || views[2].len / 8 != pairs || views[3].len / 8 != pairs ||
        views[4].len / 8 != pairs || views[5].len / 8 != pairs) {
        PyErr_SetString(PyExc_ValueError, "weighted_common(): lengths differ");
        goto done;
    }
    for (Py_ssize_t k = 0; k < pairs; k++) {
        if (lf[k] < 0 || ll[k] < 0 || rf[k] < 0 || rl[k] < 0 || lf[k] + ll[k] > records ||
            rf[k] + rl[k] > records) {
            PyErr_SetString(PyExc_IndexError, "weighted_common(): a run lies outside the data");
            goto done;
        }
    }
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t k = 0; k < pairs; k++) {
        const uint32_t *a = shingles + lf[k] * stride, *b = shingles + rf[k] * stride;
        const float *w = weights + lf[k] * stride;
        const uint32_t *a_end = a + ll[k] * stride, *b_end = b + rl[k] * stride;
        double common = 0.0;
        while (a < a_end && b < b_end) {
            if (*a < *b) {
                a += stride;
                w += stride;
            } else if (*a > *b) {
                b += stride;
            } else {
                common += (double)*w;
                a += stride;
                w += stride;
                b += stride;
            }
        }
        out[k] = common;
    }
    Py_END_ALLOW_THREADS
done:
    for (int v = 0; v < got; v++) PyBuffer_Release(&views[v]);
    if (PyErr_Occurred()) return NULL;
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"word_tokens", word_tokens, METH_O,
     "(tokens, set of tokens) of a lower-cased text, digit runs as the number slot."},
    {"weighted_common", (PyCFunction)(void (*)(void))weighted_common, METH_FASTCALL,
     "Per pair of sorted shingle runs, the weight of the shingles both hold."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_tokens", "The extractor's word tokeniser, compiled.", -1, methods,
};

PyMODINIT_FUNC PyInit__tokens(void) {
    slot_num = PyUnicode_InternFromString("xnumx");
    if (slot_num == NULL) return NULL;
    return PyModule_Create(&module);
}
