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
#include <structmember.h>
#include <stdint.h>
#include <string.h>

static PyObject *slot_num; /* "xnumx", shared by every number token */

/* The words of ads come from a small vocabulary: a word read before is returned as the same str
 * object (found by a hash of its characters), which spares allocating it and lets sets and dicts
 * use its cached hash. A direct-mapped table: a collision replaces the older word.
 *
 * scan_words also remembers, next to each cached word, its value in the rule table it was last
 * given (a slot's flags, -1 when not looked up yet): a pure function of the word's characters, so
 * the table is asked once per word of the vocabulary instead of once per word of each ad. The
 * flags are valid for cache_table only, and all forgotten when another table comes. */
#define CACHE_BITS 16
#define CACHE_MAX_LENGTH 40
/* One slot: the word, its flags and the upper bits of its hash side by side, so that a look-up
 * reads one cache line of the table, and a slot holding another word is passed over without
 * reading that word's object (ADR 0101: the slot's and the object's loads were half of the
 * tokeniser's time, the table and the vocabulary out of the core's cache between ads). */
typedef struct {
    PyObject *word;
    int32_t flags;
    uint32_t check; /* the hash's bits above the slot's, with the length in the low byte */
} CacheSlot;
static CacheSlot cache[1 << CACHE_BITS];
static PyObject *cache_table;      /* the table the slots' flags belong to (a strong reference) */
static int32_t slot_num_flags = -1; /* slot_num's flags in cache_table */

/* The table's value for a word: a non-negative int below 2**31, 0 when absent, -2 on error. */
static int32_t table_flags(PyObject *table, PyObject *word) {
    PyObject *value = PyDict_GetItemWithError(table, word);
    if (value == NULL) return PyErr_Occurred() ? -2 : 0;
    long flags = PyLong_AsLong(value);
    if (flags == -1 && PyErr_Occurred()) return -2;
    if (flags < 0 || flags > INT32_MAX) {
        PyErr_SetString(PyExc_ValueError, "scan_words(): table values must be in 0..2**31-1");
        return -2;
    }
    return (int32_t)flags;
}

/* Inlined into each caller with kind a constant (tokenise's per-kind copies): PyUnicode_READ's
 * switch on the kind then folds away in the per-character loops. */
#define PER_KIND static inline __attribute__((always_inline))

/* The word hash's first value and its step per character (FNV-1a over the code points): the
 * tokeniser's main loop takes the step as it reads a word's characters (ADR 0117), so that
 * word_at need not read them again to hash them. */
#define WORD_HASH_START 2166136261u
#define word_hash_step(h, ch) (((h) ^ (Py_uhash_t)(ch)) * 16777619u)

/* With a table, *flags is set to the word's value in it (or -2 on error). h: the word's hash,
 * WORD_HASH_START stepped by each of its characters (word_hash_step). */
PER_KIND PyObject *word_at(PyObject *text, const int kind, const void *data, Py_ssize_t start,
                           Py_ssize_t end, Py_uhash_t h, PyObject *table, int32_t *flags) {
    Py_ssize_t length = end - start;
    if (length > CACHE_MAX_LENGTH) {
        PyObject *word = PyUnicode_Substring(text, start, end);
        if (word != NULL && table != NULL) {
            *flags = table_flags(table, word);
            if (*flags == -2) Py_CLEAR(word);
        }
        return word;
    }
    h ^= h >> 15;
    size_t slot = (size_t)(h & ((1 << CACHE_BITS) - 1));
    CacheSlot *entry = &cache[slot];
    uint32_t check = ((uint32_t)(h >> CACHE_BITS) << 8) | (uint32_t)length;
    PyObject *cached = entry->word;
    if (cached != NULL && entry->check == check && PyUnicode_GET_LENGTH(cached) == length) {
        int ckind = PyUnicode_KIND(cached);
        const void *cdata = PyUnicode_DATA(cached);
        Py_ssize_t i = 0;
        if (ckind == kind) {
            /* The same kind: the same characters are the same bytes. */
            if (memcmp(cdata, (const char *)data + start * kind, length * kind) == 0) i = length;
        } else {
            while (i < length &&
                   PyUnicode_READ(ckind, cdata, i) == PyUnicode_READ(kind, data, start + i))
                i++;
        }
        if (i == length) {
            if (table != NULL) {
                if (entry->flags < 0) {
                    int32_t found = table_flags(table, cached);
                    if (found == -2) return NULL;
                    entry->flags = found;
                }
                *flags = entry->flags;
            }
            Py_INCREF(cached);
            return cached;
        }
    }
    PyObject *word = PyUnicode_Substring(text, start, end);
    if (word == NULL) return NULL;
    int32_t found = -1;
    if (table != NULL) {
        found = table_flags(table, word);
        if (found == -2) {
            Py_DECREF(word);
            return NULL;
        }
        *flags = found;
    }
    Py_INCREF(word);
    Py_XSETREF(entry->word, word);
    entry->flags = found;
    entry->check = check;
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

/* is_word (bit 0) and is_digit (bit 1) of the first 256 characters, made from them at import:
 * the tokeniser's loops read one table entry for such a character (ADR 0112). */
static unsigned char latin1_bits[256];

static void latin1_bits_init(void) {
    for (Py_UCS4 ch = 0; ch < 256; ch++)
        latin1_bits[ch] = (unsigned char)(is_word(ch) | is_digit(ch) << 1);
}

static inline unsigned char_bits(Py_UCS4 ch) {
    if (ch < 256) return latin1_bits[ch];
    return (unsigned)(is_word(ch) | is_digit(ch) << 1);
}

/* The languages a rule table's value can name (bits 1..LANGUAGES of it). */
#define LANGUAGES 6
/* The bit of a table value whose distinct rule words scan_groups counts (extract's digit words). */
#define COUNTED_GROUP (1 << 10)

/* One token of the ad: appended to tokens and added to words; with a rule table, a token whose
 * value has bit 0 (a rule word) and that is not in words yet goes to rule_words, and each
 * language bit of its value counts one more distinct stopword of that language. */
/* Per token, bits 8 and 9 of its table value (scan_rules' marks), in a growing buffer. */
typedef struct {
    unsigned char *data;
    Py_ssize_t size, capacity;
} Marks;

static int mark(Marks *marks, int32_t flags) {
    if (marks->size == marks->capacity) {
        Py_ssize_t capacity = marks->capacity ? 2 * marks->capacity : 256;
        unsigned char *grown = PyMem_Realloc(marks->data, capacity);
        if (grown == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        marks->data = grown, marks->capacity = capacity;
    }
    marks->data[marks->size++] = (unsigned char)((flags >> 8) & 3);
    return 0;
}

/* The tokens of the text being read (strong references), made into its list at the end: one
 * list of the right size instead of an append per token. Kept between calls; the GIL is held
 * throughout and nothing here calls back into Python (the table and the sets hold exact str). */
typedef struct {
    PyObject **items;
    Py_ssize_t size, capacity;
} TokenBuffer;
static TokenBuffer token_buffer;

static int push_token(PyObject *word) {
    if (token_buffer.size == token_buffer.capacity) {
        Py_ssize_t capacity = token_buffer.capacity ? 2 * token_buffer.capacity : 256;
        PyObject **grown = PyMem_Realloc(token_buffer.items, capacity * sizeof(PyObject *));
        if (grown == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        token_buffer.items = grown, token_buffer.capacity = capacity;
    }
    token_buffer.items[token_buffer.size++] = Py_NewRef(word);
    return 0;
}

/* The rule words a scan_rules call has added to its set, by their object's address (a
 * direct-mapped filter: a word found in it is in the set for certain, the set holding it; one
 * not found is asked of the set). A rule word comes back as the same object from the word cache,
 * so a repeat in an ad costs a read here instead of a set look-up (ADR 0117). */
#define ADDED_BITS 6
typedef PyObject *AddedFilter[1 << ADDED_BITS];

static inline size_t added_slot(PyObject *word) {
    return ((uintptr_t)word >> 4) & ((1 << ADDED_BITS) - 1);
}

PER_KIND int emit(PyObject *word, int32_t flags, PyObject *words, PyObject *rule_words,
                  long *counts, Marks *marks, PyObject **added) {
    if (push_token(word) < 0) return -1;
    if (marks != NULL && mark(marks, flags < 0 ? 0 : flags) < 0) return -1;
    if (rule_words != NULL && (flags & 1)) {
        /* Without words (scan_rules), a rule word was seen before exactly when it is in
         * rule_words already: when adding it leaves the set's size as it was (one look-up of
         * the set instead of two for a new word, ADR 0112). */
        int seen;
        if (words != NULL) {
            seen = PySet_Contains(words, word);
            if (seen < 0) return -1;
            if (!seen && PySet_Add(rule_words, word) < 0) return -1;
        } else if (added[added_slot(word)] == word) {
            seen = 1;
        } else {
            const Py_ssize_t size = PySet_GET_SIZE(rule_words);
            if (PySet_Add(rule_words, word) < 0) return -1;
            seen = PySet_GET_SIZE(rule_words) == size;
            added[added_slot(word)] = word;
        }
        if (!seen) {
            for (int n = 0; n < LANGUAGES; n++)
                if (flags & (2 << n)) counts[n]++;
            /* scan_groups: the values of the distinct rule words OR-ed, and how many carry
             * COUNTED_GROUP. */
            counts[LANGUAGES] |= flags;
            if (flags & COUNTED_GROUP) counts[LANGUAGES + 1]++;
        }
    }
    return words != NULL ? PySet_Add(words, word) : 0;
}

/* The tokeniser of word_tokens (see the top of this file); with a table (a dict), also the rule
 * words and the stopword counts of emit. One copy per kind of str (tokenise picks it). */
PER_KIND int tokenise_kind(PyObject *arg, const int kind, PyObject *table, PyObject *words,
                           PyObject *rule_words, long *counts, Marks *marks) {
    const void *data = PyUnicode_DATA(arg);
    const Py_ssize_t n = PyUnicode_GET_LENGTH(arg);
    int32_t flags = 0;
    Py_ssize_t i = 0;
    Py_ssize_t start = -1; /* start of the word being read, or -1 */
    Py_uhash_t h = WORD_HASH_START; /* the hash of the word being read, so far */
    AddedFilter added;
    memset(added, 0, sizeof(added));
    while (i < n) {
        const Py_UCS4 ch = PyUnicode_READ(kind, data, i);
        const unsigned bits = char_bits(ch);
        if (bits & 2) {
            if (start >= 0) {
                PyObject *word = word_at(arg, kind, data, start, i, h, table, &flags);
                if (word == NULL) return -1;
                int failed = emit(word, flags, words, rule_words, counts, marks, added) < 0;
                Py_DECREF(word);
                if (failed) return -1;
                start = -1;
            }
            Py_ssize_t j = i + 1;
            while (j < n && char_bits(PyUnicode_READ(kind, data, j)) & 2) j++;
            for (;;) {
                Py_ssize_t k = j;
                while (k < n) {
                    Py_UCS4 c = PyUnicode_READ(kind, data, k);
                    if (c == '\n' || char_bits(c) & 1) break;
                    k++;
                }
                if (k == j || k >= n || !(char_bits(PyUnicode_READ(kind, data, k)) & 2))
                    break;
                j = k + 1;
                while (j < n && char_bits(PyUnicode_READ(kind, data, j)) & 2) j++;
            }
            if (emit(slot_num, slot_num_flags, words, rule_words, counts, marks, added) < 0)
                return -1;
            i = j;
            continue;
        }
        if (bits & 1) {
            if (start < 0) start = i, h = WORD_HASH_START;
            h = word_hash_step(h, ch);
        } else if (start >= 0) {
            PyObject *word = word_at(arg, kind, data, start, i, h, table, &flags);
            if (word == NULL) return -1;
            int failed = emit(word, flags, words, rule_words, counts, marks, added) < 0;
            Py_DECREF(word);
            if (failed) return -1;
            start = -1;
        }
        i++;
    }
    if (start >= 0) {
        PyObject *word = word_at(arg, kind, data, start, n, h, table, &flags);
        if (word == NULL) return -1;
        int failed = emit(word, flags, words, rule_words, counts, marks, added) < 0;
        Py_DECREF(word);
        if (failed) return -1;
    }
    return 0;
}

/* *tokens is set to the new list of the tokens (on success only). */
static int tokenise(PyObject *arg, PyObject *table, PyObject **tokens, PyObject *words,
                    PyObject *rule_words, long *counts, Marks *marks) {
    int failed;
    token_buffer.size = 0;
    switch (PyUnicode_KIND(arg)) {
    case PyUnicode_1BYTE_KIND:
        failed = tokenise_kind(arg, PyUnicode_1BYTE_KIND, table, words, rule_words, counts, marks);
        break;
    case PyUnicode_2BYTE_KIND:
        failed = tokenise_kind(arg, PyUnicode_2BYTE_KIND, table, words, rule_words, counts, marks);
        break;
    default:
        failed = tokenise_kind(arg, PyUnicode_4BYTE_KIND, table, words, rule_words, counts, marks);
    }
    /* The buffer taken out before the list is made: making a list can run the garbage
     * collector, and with it Python code that may tokenise another text. */
    TokenBuffer taken = token_buffer;
    token_buffer = (TokenBuffer){NULL, 0, 0};
    PyObject *list = failed ? NULL : PyList_New(taken.size);
    if (list != NULL) {
        /* The list takes the buffer's references. */
        for (Py_ssize_t i = 0; i < taken.size; i++) PyList_SET_ITEM(list, i, taken.items[i]);
    } else {
        for (Py_ssize_t i = 0; i < taken.size; i++) Py_DECREF(taken.items[i]);
    }
    if (token_buffer.items == NULL) {
        taken.size = 0;
        token_buffer = taken;
    } else {
        PyMem_Free(taken.items);
    }
    if (list == NULL) return -1;
    *tokens = list;
    return 0;
}

static PyObject *word_tokens(PyObject *module, PyObject *arg) {
    if (!PyUnicode_Check(arg)) {
        PyErr_SetString(PyExc_TypeError, "word_tokens() takes a str");
        return NULL;
    }
    if (PyUnicode_READY(arg) < 0) return NULL;
    PyObject *tokens = NULL;
    PyObject *words = PySet_New(NULL);
    if (words == NULL || tokenise(arg, NULL, &tokens, words, NULL, NULL, NULL) < 0) {
        Py_XDECREF(words);
        return NULL;
    }
    PyObject *result = PyTuple_Pack(2, tokens, words);
    Py_DECREF(tokens);
    Py_DECREF(words);
    return result;
}

/* scan_words(lowered, table) -> (tokens, words, rule_words, language)
 *
 * word_tokens(lowered), and in the same pass what extract.py asks of the words next (its
 * _scan_words_py is the definition): rule_words, the set of the words whose value in table (a
 * dict of str to int) has bit 0; and language, the index of the language (bit n + 1 of a value)
 * with the most distinct words in the text, counting only a language with more than one, the
 * first on a tie; -1 when none has more than one. A word absent from the table has value 0. */
/* The marks' buffer, kept between scan_rules calls (one allocation per worker, not per ad):
 * taken out while a call uses it, so that a scan inside a scan (through a finaliser that the
 * collector runs) gets one of its own; given back when no other call kept one meanwhile. */
static Marks marks_kept;

static void marks_give_back(Marks *marks) {
    if (marks_kept.data == NULL) {
        marks_kept = *marks;
        marks_kept.size = 0;
    } else {
        PyMem_Free(marks->data);
    }
}

/* with_words: 1 for scan_words, 0 for scan_rules, 2 for scan_groups (scan_rules' tuple and
 * two ints more). */
static PyObject *scan(PyObject *const *args, Py_ssize_t nargs, int with_words) {
    if (nargs != 2 || !PyUnicode_Check(args[0]) || !PyDict_CheckExact(args[1])) {
        PyErr_SetString(PyExc_TypeError, "scan_words() takes a str and a dict");
        return NULL;
    }
    PyObject *arg = args[0], *table = args[1];
    if (PyUnicode_READY(arg) < 0) return NULL;
    if (table != cache_table) {
        /* Another table: every remembered value is forgotten. */
        for (size_t slot = 0; slot < (1 << CACHE_BITS); slot++) cache[slot].flags = -1;
        Py_INCREF(table);
        Py_XSETREF(cache_table, table);
        slot_num_flags = table_flags(table, slot_num);
        if (slot_num_flags == -2) {
            Py_CLEAR(cache_table);
            return NULL;
        }
    }
    const int groups = with_words == 2;
    if (groups) with_words = 0;
    /* Per language its distinct stopwords, then the groups and the counted words (emit). */
    long counts[LANGUAGES + 2] = {0};
    PyObject *tokens = NULL;
    PyObject *words = with_words ? PySet_New(NULL) : NULL;
    PyObject *rule_words = PySet_New(NULL);
    Marks marks = {NULL, 0, 0};
    if (!with_words) {
        marks = marks_kept;
        marks_kept = (Marks){NULL, 0, 0};
    }
    if ((with_words && words == NULL) || rule_words == NULL ||
        tokenise(arg, table, &tokens, words, rule_words, counts, with_words ? NULL : &marks) < 0) {
        Py_XDECREF(words);
        Py_XDECREF(rule_words);
        marks_give_back(&marks);
        return NULL;
    }
    long best = -1, best_score = 1;
    for (int n = 0; n < LANGUAGES; n++)
        if (counts[n] > best_score) best = n, best_score = counts[n];
    if (!with_words) {
        PyObject *marked = PyBytes_FromStringAndSize((const char *)marks.data, marks.size);
        marks_give_back(&marks);
        if (marked == NULL) {
            Py_DECREF(tokens);
            Py_DECREF(rule_words);
            return NULL;
        }
        /* The tuple filled directly: Py_BuildValue parses its format on every call. */
        PyObject *language = PyLong_FromLong(best), *result = PyTuple_New(groups ? 6 : 4);
        PyObject *group_bits = groups ? PyLong_FromLong(counts[LANGUAGES]) : NULL;
        PyObject *counted = groups ? PyLong_FromLong(counts[LANGUAGES + 1]) : NULL;
        if (language == NULL || result == NULL ||
            (groups && (group_bits == NULL || counted == NULL))) {
            Py_XDECREF(language);
            Py_XDECREF(result);
            Py_XDECREF(group_bits);
            Py_XDECREF(counted);
            Py_DECREF(tokens);
            Py_DECREF(rule_words);
            Py_DECREF(marked);
            return NULL;
        }
        PyTuple_SET_ITEM(result, 0, tokens);
        PyTuple_SET_ITEM(result, 1, rule_words);
        PyTuple_SET_ITEM(result, 2, language);
        PyTuple_SET_ITEM(result, 3, marked);
        if (groups) {
            PyTuple_SET_ITEM(result, 4, group_bits);
            PyTuple_SET_ITEM(result, 5, counted);
        }
        return result;
    }
    return Py_BuildValue("(NNNl)", tokens, words, rule_words, best);
}

static PyObject *scan_words(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    return scan(args, nargs, 1);
}

/* scan_rules(lowered, table) -> (tokens, rule_words, language, marks)
 *
 * scan_words without the set of all the words: what a scan's worker needs when every question
 * it asks of the words is about words the table marks (bit 0). The same tokens, rule_words and
 * language (a word's first occurrence is found in rule_words itself); and marks, a bytes object
 * with one byte per token: bits 8 and 9 of the token's table value (slot_rules reads them as
 * "in city_first" and "in trigger_last"). */
static PyObject *scan_rules(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    return scan(args, nargs, 0);
}

/* scan_groups(lowered, table) -> (tokens, rule_words, language, marks, groups, counted)
 *
 * scan_rules, and what the worker asks of rule_words next without a set operation each
 * (ADR 0122): groups, the table values of the distinct rule words OR-ed together (a bit of a
 * group of words is set exactly when rule_words holds a word whose value has it), and counted,
 * how many distinct rule words have bit 10 (COUNTED_GROUP) in their value. */
static PyObject *scan_groups(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    return scan(args, nargs, 2);
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
        PyErr_Format(PyExc_TypeError, "%s has the wrong item size", name);
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

/* find_all(text, literals) -> the sorted, distinct positions in text where one of the literals
 * (a tuple of non-empty str) starts: what indicators._occurrences gives, literal by literal,
 * merged. Overlapping occurrences count (each search resumes one character after the last). */
static int compare_positions(const void *a, const void *b) {
    Py_ssize_t x = *(const Py_ssize_t *)a, y = *(const Py_ssize_t *)b;
    return (x > y) - (x < y);
}

/* The sorted, distinct positions where one of literals starts in text, in a PyMem buffer
 * (*size of them; free it with PyMem_Free), or NULL with an exception set. */
static Py_ssize_t *positions_of(PyObject *text, PyObject *literals, Py_ssize_t *size) {
    const Py_ssize_t n = PyUnicode_GET_LENGTH(text), count = PyTuple_GET_SIZE(literals);
    Py_ssize_t capacity = 16;
    *size = 0;
    Py_ssize_t *found = PyMem_Malloc(capacity * sizeof(Py_ssize_t));
    if (found == NULL) {
        PyErr_NoMemory();
        return NULL;
    }
    for (Py_ssize_t l = 0; l < count; l++) {
        PyObject *literal = PyTuple_GET_ITEM(literals, l);
        if (!PyUnicode_Check(literal) || PyUnicode_GET_LENGTH(literal) == 0) {
            PyErr_SetString(PyExc_ValueError, "find_all(): literals must be non-empty str");
            goto error;
        }
        Py_ssize_t at = 0;
        for (;;) {
            at = PyUnicode_Find(text, literal, at, n, 1);
            if (at == -2) goto error;
            if (at < 0) break;
            if (*size == capacity) {
                capacity *= 2;
                Py_ssize_t *grown = PyMem_Realloc(found, capacity * sizeof(Py_ssize_t));
                if (grown == NULL) {
                    PyErr_NoMemory();
                    goto error;
                }
                found = grown;
            }
            found[(*size)++] = at;
            at++;
        }
    }
    if (count > 1 && *size > 1) {
        qsort(found, *size, sizeof(Py_ssize_t), compare_positions);
        Py_ssize_t kept = 1;
        for (Py_ssize_t i = 1; i < *size; i++)
            if (found[i] != found[kept - 1]) found[kept++] = found[i];
        *size = kept;
    }
    return found;
error:
    PyMem_Free(found);
    return NULL;
}

static PyObject *find_all(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 2 || !PyUnicode_Check(args[0]) || !PyTuple_Check(args[1])) {
        PyErr_SetString(PyExc_TypeError, "find_all() takes a str and a tuple of str");
        return NULL;
    }
    Py_ssize_t size;
    Py_ssize_t *found = positions_of(args[0], args[1], &size);
    if (found == NULL) return NULL;
    PyObject *result = PyList_New(size);
    if (result == NULL) goto done;
    for (Py_ssize_t i = 0; i < size; i++) {
        PyObject *position = PyLong_FromSsize_t(found[i]);
        if (position == NULL) {
            Py_CLEAR(result);
            goto done;
        }
        PyList_SET_ITEM(result, i, position);
    }
done:
    PyMem_Free(found);
    return result;
}

/* mask_words(lowered, words, search_of, searches, bits) -> mask
 *
 * indicators.IndicatorSet.mask's keyed searches in one call (its _mask_words_py is the
 * definition): the distinct searches that the words (a set) name in search_of (a dict of str to
 * the index of a search), each search (searches[index], a tuple (match, starts): a pattern's
 * bound match method and the literals every match starts with) run as _mask_at runs it: at each
 * position where a start occurs (find_all's positions), left to right, skipping positions
 * inside the last match, the pattern is tried there; a match at the text's start or after a
 * character that is not alphanumeric (str.isalnum) sets bits[match.lastgroup]. The bits OR'ed,
 * below 2**63.
 *
 * ADR 0112: the starts of all the searches are made once into an automaton (IndicatorAutomaton,
 * kept while the same searches and search_of come), and found in the text pass that also reads
 * contact_matches' gates (text_pass_of): one pass over an ad's text for both, made by whichever
 * of the two is called first on it. Every occurrence of every start is found, overlapping ones
 * too, in ascending order: find_all's positions for each search. A search with an occurrence is
 * then asked whether the words name it (one of the words that map to it in search_of is in
 * words), instead of looking up every word of the ad. */
typedef struct {
    Py_ssize_t search, at;
} Hit;

/* The text pass's indicator hits for text under the automaton of searches and search_of
 * (defined with contact_matches' gate pass, below): copied into *hits (room, when it has room
 * for them, else a PyMem block the caller frees), their count returned, -1 with an exception
 * set on failure. *words_of is set to a new reference to the automaton's tuple, per search, of
 * the words that name it. */
#define HITS_ON_STACK 64
static Py_ssize_t indicator_hits(PyObject *text, PyObject *search_of, PyObject *searches,
                                 Hit *room, Hit **hits, PyObject **words_of);

/* "end" and "lastgroup", made once: a name made from a C string per call is a new str that is
 * interned (a dict look-up) each time. */
static PyObject *end_name, *lastgroup_name, *empty_name, *lower_name, *capitalize_name;

static PyObject *mask_words(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 5 || !PyUnicode_Check(args[0]) || !PyAnySet_Check(args[1]) ||
        !PyDict_Check(args[2]) || !PyTuple_Check(args[3]) || !PyDict_Check(args[4])) {
        PyErr_SetString(PyExc_TypeError,
                        "mask_words() takes a str, a set, a dict, a tuple and a dict");
        return NULL;
    }
    PyObject *text = args[0], *words = args[1], *search_of = args[2], *searches = args[3],
             *bits = args[4];
    if (PyUnicode_READY(text) < 0) return NULL;
    const int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    unsigned long long mask = 0;
    Hit room[HITS_ON_STACK], *hits = NULL;
    PyObject *words_of = NULL, *at_object = NULL, *match = NULL;
    const Py_ssize_t hit_count =
        indicator_hits(text, search_of, searches, room, &hits, &words_of);
    if (hit_count < 0) return NULL;
    /* Search by search, in the order of their first occurrence; a hit whose search is done (or
     * not named by the words) has search -1. */
    for (Py_ssize_t first = 0; first < hit_count; first++) {
        const Py_ssize_t k = hits[first].search;
        if (k < 0) continue;
        /* Whether the words name search k. */
        PyObject *naming = PyTuple_GET_ITEM(words_of, k);
        int named = 0;
        for (Py_ssize_t w = 0; !named && w < PyTuple_GET_SIZE(naming); w++) {
            named = PySet_Contains(words, PyTuple_GET_ITEM(naming, w));
            if (named < 0) goto error;
        }
        if (!named) {
            for (Py_ssize_t h = first; h < hit_count; h++)
                if (hits[h].search == k) hits[h].search = -1;
            continue;
        }
        PyObject *matcher = PyTuple_GET_ITEM(PyTuple_GET_ITEM(searches, k), 0);
        Py_ssize_t end = 0, last = -1;
        for (Py_ssize_t h = first; h < hit_count; h++) {
            if (hits[h].search != k) continue;
            hits[h].search = -1;
            const Py_ssize_t at = hits[h].at;
            if (at == last) continue; /* two starts of one search at one place */
            last = at;
            if (at < end) continue;
            at_object = PyLong_FromSsize_t(at);
            if (at_object == NULL) goto error;
            PyObject *call_args[2] = {text, at_object};
            match = PyObject_Vectorcall(matcher, call_args, 2, NULL);
            Py_CLEAR(at_object);
            if (match == NULL) goto error;
            if (match != Py_None) {
                PyObject *end_object = PyObject_CallMethodNoArgs(match, end_name);
                if (end_object == NULL) goto error;
                end = PyLong_AsSsize_t(end_object);
                Py_DECREF(end_object);
                if (end == -1 && PyErr_Occurred()) goto error;
                if (at == 0 || !Py_UNICODE_ISALNUM(PyUnicode_READ(kind, data, at - 1))) {
                    PyObject *group = PyObject_GetAttr(match, lastgroup_name);
                    if (group == NULL) goto error;
                    /* match.lastgroup or "": a match without a named group has bits[""]. */
                    PyObject *key = group;
                    if (group == Py_None) {
                        Py_DECREF(group);
                        key = Py_NewRef(empty_name);
                    }
                    PyObject *bit = PyDict_GetItemWithError(bits, key);
                    if (bit == NULL && !PyErr_Occurred()) PyErr_SetObject(PyExc_KeyError, key);
                    Py_DECREF(key);
                    if (bit == NULL) goto error;
                    unsigned long long value = PyLong_AsUnsignedLongLong(bit);
                    if (value == (unsigned long long)-1 && PyErr_Occurred()) goto error;
                    if (value >> 63) {
                        PyErr_SetString(PyExc_OverflowError, "mask_words(): a bit above 2**62");
                        goto error;
                    }
                    mask |= value;
                }
            }
            Py_CLEAR(match);
        }
    }
    if (hits != room) PyMem_Free(hits);
    Py_DECREF(words_of);
    return PyLong_FromUnsignedLongLong(mask);
error:
    Py_XDECREF(at_object);
    Py_XDECREF(match);
    if (hits != room) PyMem_Free(hits);
    Py_DECREF(words_of);
    return NULL;
}

/* sketch(token_lists, size, min_shingles, a, b, signatures, shingles, counts) -> shingles written
 *
 * partition._chunk_sketches_numpy in one pass per ad, without a Python object per token or
 * shingle. Each token's hash is zlib's CRC-32 of its UTF-8 bytes; a shingle of `size` tokens
 * folds them as c = h0, c = c * MIX1 + h_k * MIX2 (uint32, wrapping); an ad with fewer than
 * max(min_shingles, 1) shingles is left out (its row of `signatures` stays as given, zeros, and
 * its count is 0). For every other ad, signature column p is the minimum over its shingles of
 * fmix32(shingle) * a[p] + b[p] (datasketch's affine32 MinHash), and its distinct shingles go to
 * `shingles`, sorted, `counts[i]` of them. signatures: uint32 (ads x len(a)), shingles: uint32
 * with room for every shingle of the usable ads, counts: int32; all contiguous, written. */
static uint32_t crc_table[256];

static void crc_init(void) {
    for (uint32_t n = 0; n < 256; n++) {
        uint32_t c = n;
        for (int k = 0; k < 8; k++) c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        crc_table[n] = c;
    }
}

static inline uint32_t crc32_of(const unsigned char *s, Py_ssize_t n) {
    uint32_t c = 0xFFFFFFFFu;
    for (Py_ssize_t i = 0; i < n; i++) c = crc_table[(c ^ s[i]) & 0xFF] ^ (c >> 8);
    return c ^ 0xFFFFFFFFu;
}

static inline uint32_t fmix32(uint32_t h) {
    h ^= h >> 16;
    h *= 0x85EBCA6Bu;
    h ^= h >> 13;
    h *= 0xC2B2AE35u;
    return h ^ (h >> 16);
}

/* Ascending sort of an ad's shingles (tens to hundreds): quicksort with the median of three,
 * insertion sort below 16 items; no call per comparison as qsort makes. */
static void sort_u32(uint32_t *v, Py_ssize_t n) {
    while (n > 16) {
        uint32_t x = v[0], y = v[n / 2], z = v[n - 1];
        uint32_t pivot = x < y ? (y < z ? y : (x < z ? z : x)) : (x < z ? x : (y < z ? z : y));
        Py_ssize_t i = 0, j = n - 1;
        for (;;) {
            while (v[i] < pivot) i++;
            while (v[j] > pivot) j--;
            if (i >= j) break;
            uint32_t t = v[i];
            v[i] = v[j];
            v[j] = t;
            i++;
            j--;
        }
        /* Hoare partition: v[0..j] <= pivot <= v[j+1..n-1]; recurse on the smaller side. */
        if (j + 1 < n - j - 1) {
            sort_u32(v, j + 1);
            v += j + 1;
            n -= j + 1;
        } else {
            sort_u32(v + j + 1, n - j - 1);
            n = j + 1;
        }
    }
    for (Py_ssize_t i = 1; i < n; i++) {
        uint32_t t = v[i];
        Py_ssize_t j = i;
        while (j > 0 && v[j - 1] > t) {
            v[j] = v[j - 1];
            j--;
        }
        v[j] = t;
    }
}

/* The MinHash of one ad: the hot loop of a worker's sketch. Vectorised (unsigned 32-bit
 * multiply and minimum need SSE4.1 or AVX2): GCC on x86-64 glibc Linux builds one version per
 * instruction set and picks the best the machine has when the module loads; elsewhere it is
 * plain C. The numbers are the same on every path (integer arithmetic). */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__) && \
    defined(__GLIBC__)
#define VECTOR_CLONES __attribute__((target_clones("avx2", "sse4.1", "default")))
#else
#define VECTOR_CLONES
#endif

VECTOR_CLONES static void min_hash_row(uint32_t *restrict row, const uint32_t *restrict mixed,
                                       Py_ssize_t count, const uint32_t *restrict a,
                                       const uint32_t *restrict b, Py_ssize_t perms) {
    for (Py_ssize_t p = 0; p < perms; p++) row[p] = 0xFFFFFFFFu;
    for (Py_ssize_t j = 0; j < count; j++) {
        const uint32_t m = mixed[j];
        for (Py_ssize_t p = 0; p < perms; p++) {
            const uint32_t v = m * a[p] + b[p];
            row[p] = v < row[p] ? v : row[p];
        }
    }
}

#define MIX1 0x9E3779B1u
#define MIX2 0x85EBCA77u

/* The crc32 of a token object seen before, found by its address: an ad's tokens are mostly the
 * tokeniser's cached word objects (the same object for the same word), so a token's UTF-8 and
 * crc32 are read once per word of the vocabulary, not once per token (ADR 0118). A slot holds
 * a strong reference to its token, so no other object can take that address while its crc32 is
 * kept: the same address is the same immutable str. A collision replaces the older token. */
#define CRC_CACHE_BITS 12
typedef struct {
    PyObject *token;
    uint32_t crc;
} CrcSlot;
static CrcSlot crc_cache[1 << CRC_CACHE_BITS];

/* The token's crc32 (of its UTF-8), or -1 with an exception set. */
static inline int64_t token_crc(PyObject *token) {
    const uintptr_t address = (uintptr_t)token;
    CrcSlot *slot = &crc_cache[((address >> 4) ^ (address >> (4 + CRC_CACHE_BITS))) &
                               ((1 << CRC_CACHE_BITS) - 1)];
    if (slot->token == token) return slot->crc;
    Py_ssize_t nbytes;
    const char *utf8 = PyUnicode_Check(token) ? PyUnicode_AsUTF8AndSize(token, &nbytes) : NULL;
    if (utf8 == NULL) {
        if (!PyErr_Occurred()) PyErr_SetString(PyExc_TypeError, "sketch(): tokens must be str");
        return -1;
    }
    const uint32_t crc = crc32_of((const unsigned char *)utf8, nbytes);
    Py_INCREF(token);
    Py_XSETREF(slot->token, token);
    slot->crc = crc;
    return crc;
}

static PyObject *sketch(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 8 || !PyList_Check(args[0])) {
        PyErr_SetString(PyExc_TypeError, "sketch() takes a list and 7 more arguments");
        return NULL;
    }
    PyObject *lists = args[0];
    const Py_ssize_t size = PyLong_AsSsize_t(args[1]);
    if (size == -1 && PyErr_Occurred()) return NULL;
    Py_ssize_t least = PyLong_AsSsize_t(args[2]);
    if (least == -1 && PyErr_Occurred()) return NULL;
    if (size < 1) {
        PyErr_SetString(PyExc_ValueError, "sketch(): size must be positive");
        return NULL;
    }
    if (least < 1) least = 1;
    Py_buffer views[5];
    static const Py_ssize_t sizes[] = {4, 4, 4, 4, 4};
    static const char *names[] = {"a", "b", "signatures", "shingles", "counts"};
    int got = 0;
    uint32_t *hashes = NULL;
    Py_ssize_t room = 0, written = 0;
    for (; got < 5; got++)
        if (get_buffer(args[3 + got], &views[got], sizes[got], got >= 2, names[got]) < 0)
            goto done;
    const uint32_t *a = views[0].buf, *b = views[1].buf;
    uint32_t *signatures = views[2].buf, *out = views[3].buf;
    int32_t *counts = views[4].buf;
    const Py_ssize_t perms = views[0].len / 4, ads = PyList_GET_SIZE(lists),
                     capacity = views[3].len / 4;
    if (views[1].len / 4 != perms || views[2].len / 4 != ads * perms || views[4].len / 4 != ads) {
        PyErr_SetString(PyExc_ValueError, "sketch(): lengths differ");
        goto done;
    }
    for (Py_ssize_t i = 0; i < ads; i++) {
        PyObject *tokens = PyList_GET_ITEM(lists, i);
        if (!PyList_Check(tokens)) {
            PyErr_SetString(PyExc_TypeError, "sketch(): token lists must be lists");
            goto done;
        }
        const Py_ssize_t length = PyList_GET_SIZE(tokens), count = length - size + 1;
        counts[i] = 0;
        if (count < least) continue;
        if (written + count > capacity) {
            PyErr_SetString(PyExc_ValueError, "sketch(): no room for the shingles");
            goto done;
        }
        if (length > room) {
            uint32_t *grown = PyMem_Realloc(hashes, length * sizeof(uint32_t));
            if (grown == NULL) {
                PyErr_NoMemory();
                goto done;
            }
            hashes = grown;
            room = length;
        }
        for (Py_ssize_t t = 0; t < length; t++) {
            const int64_t crc = token_crc(PyList_GET_ITEM(tokens, t));
            if (crc < 0) goto done;
            hashes[t] = (uint32_t)crc;
        }
        uint32_t *shingles = out + written;
        for (Py_ssize_t j = 0; j < count; j++) {
            uint32_t c = hashes[j];
            for (Py_ssize_t k = 1; k < size; k++) c = c * MIX1 + hashes[j + k] * MIX2;
            shingles[j] = c;
        }
        sort_u32(shingles, count);
        Py_ssize_t distinct = 1;
        for (Py_ssize_t j = 1; j < count; j++)
            if (shingles[j] != shingles[distinct - 1]) shingles[distinct++] = shingles[j];
        /* The minimum over the distinct shingles is the minimum over all: a repeat is hashed
         * and permuted once. */
        for (Py_ssize_t j = 0; j < distinct; j++) hashes[j] = fmix32(shingles[j]);
        min_hash_row(signatures + i * perms, hashes, distinct, a, b, perms);
        counts[i] = (int32_t)distinct;
        written += distinct;
    }
done:
    PyMem_Free(hashes);
    for (int v = 0; v < got; v++) PyBuffer_Release(&views[v]);
    if (PyErr_Occurred()) return NULL;
    return PyLong_FromSsize_t(written);
}

/* indices_in(tokens, words) -> the positions i, ascending, where tokens[i] is in the set (or
 * frozenset) words: [i for i, token in enumerate(tokens) if token in words]. */
static PyObject *indices_in(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 2 || !PyList_Check(args[0]) || !PyAnySet_Check(args[1])) {
        PyErr_SetString(PyExc_TypeError, "indices_in() takes a list and a set");
        return NULL;
    }
    PyObject *tokens = args[0], *words = args[1];
    PyObject *result = PyList_New(0);
    if (result == NULL) return NULL;
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(tokens); i++) {
        int found = PySet_Contains(words, PyList_GET_ITEM(tokens, i));
        if (found < 0) goto error;
        if (!found) continue;
        PyObject *position = PyLong_FromSsize_t(i);
        if (position == NULL) goto error;
        int failed = PyList_Append(result, position) < 0;
        Py_DECREF(position);
        if (failed) goto error;
    }
    return result;
error:
    Py_DECREF(result);
    return NULL;
}

/* contact_matches(lowered, word_gates) -> the matches of extract.py's contact patterns
 *
 * What extract._contact_matches_py (the definition) gives with its substring gates and regular
 * expressions: for each pattern whose gate holds, in this order, every match finditer finds,
 * left to right, as a tuple:
 *   1  _HANDLE_SITE_RE   (0, site, name)          gate: "t.me/" or ".com/" in the text
 *   2  _HANDLE_LABEL_RE  (1, site, name)          gate: "@" or ":" in it, and word_gates & 2
 *   4  _WHATSAPP_RE      (2, number)              gate: "wa.me/" in it
 *   8  _URL_RE           (3, url)                 gate: "http" or "www." in it
 *   16 _EMAIL_RE         (4, user, domain, tld)   gate: _EMAIL_HINT_RE, "[at]" or "(at)"
 *   32 _PHONE_RE         (5, phone as written)    gate: word_gates & 32
 * The WhatsApp, URL and phone gates hold whenever their pattern matches, so they are not
 * tested here. Each matcher below is its pattern written out by hand, with re's classes for str
 * patterns: \w is Py_UNICODE_ISALNUM or "_", \d Py_UNICODE_ISDECIMAL, \s Py_UNICODE_ISSPACE.
 * None of the patterns can gain a match by backtracking into a repeat (each repeat is followed
 * by something its class cannot hold, or by a test of its last character only), so a matcher
 * takes the greedy run and checks what follows; alternations are tried in the pattern's order.
 * One pass over the text tries every pattern at each position, a pattern only from the end of
 * its last match on, as finditer does. The e-mail and labelled-handle patterns are tried from
 * the text's start, where the definition starts near the first separator: no match can start
 * before that (ADR 0065; the tests compare both). */
static inline int is_space(Py_UCS4 ch) { return Py_UNICODE_ISSPACE(ch); }

static inline int is_ascii_alnum(Py_UCS4 ch) {
    return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9');
}

/* Whether the ASCII literal lit occurs at s[at]. */
static inline int ascii_at(const Py_UCS4 *s, Py_ssize_t n, Py_ssize_t at, const char *lit) {
    for (Py_ssize_t i = 0; lit[i]; i++)
        if (at + i >= n || s[at + i] != (Py_UCS4)(unsigned char)lit[i]) return 0;
    return 1;
}

/* The length of the run of characters in [\w.] at s[at], at most cap. */
static inline Py_ssize_t name_run(const Py_UCS4 *s, Py_ssize_t n, Py_ssize_t at,
                                  Py_ssize_t cap) {
    Py_ssize_t r = 0;
    while (r < cap && at + r < n && (s[at + r] == '.' || is_word(s[at + r]))) r++;
    return r;
}

static inline Py_ssize_t skip_spaces(const Py_UCS4 *s, Py_ssize_t n, Py_ssize_t at) {
    while (at < n && is_space(s[at])) at++;
    return at;
}

static const char *const handle_sites[] = {"t.me", "telegram.me", "instagram.com",
                                           "onlyfans.com", "snapchat.com/add", NULL};
static const char *const label_sites[] = {"telegram", "tg",    "snapchat", "snap", "sc",
                                          "instagram", "insta", "ig",       "onlyfans", "of",
                                          NULL};
static const char *const email_tlds[] = {"com", "nl", "org", "net", "pl", "ro", "bg",
                                         "es",  "eu", "be",  "de",  "info", NULL};

/* A match: its pattern's number (0..5), and up to three groups as spans of the text. */
typedef struct {
    int code, parts;
    Py_ssize_t end, spans[6];
} ContactMatch;

/* Each matcher: whether its pattern matches at s[at] (m filled in) or not. */

/* (?<![\w.])(?P<site>t\.me|...|snapchat\.com/add)/(?P<name>[\w.]{3,32}) */
static int site_at(const Py_UCS4 *s, Py_ssize_t n, Py_ssize_t at, ContactMatch *m) {
    if (at > 0 && (s[at - 1] == '.' || is_word(s[at - 1]))) return 0;
    for (int k = 0; handle_sites[k] != NULL; k++) {
        if (!ascii_at(s, n, at, handle_sites[k])) continue;
        Py_ssize_t slash = at + (Py_ssize_t)strlen(handle_sites[k]);
        if (slash >= n || s[slash] != '/') continue;
        Py_ssize_t r = name_run(s, n, slash + 1, 32);
        if (r < 3) continue;
        *m = (ContactMatch){0, 2, slash + 1 + r, {at, slash, slash + 1, slash + 1 + r}};
        return 1;
    }
    return 0;
}

/* The longest label site ("instagram") and the longest user part of an address. */
#define SITE_LONGEST 9
#define USER_LONGEST 41

/* (?<!\w)(?P<site>telegram|tg|...|of)\s*(?::\s*@?|@)\s*(?P<name>[\w.]{3,32}) */
static int label_at(const Py_UCS4 *s, Py_ssize_t n, Py_ssize_t at, ContactMatch *m) {
    if (at > 0 && is_word(s[at - 1])) return 0;
    for (int k = 0; label_sites[k] != NULL; k++) {
        if (!ascii_at(s, n, at, label_sites[k])) continue;
        Py_ssize_t site_end = at + (Py_ssize_t)strlen(label_sites[k]);
        Py_ssize_t q = skip_spaces(s, n, site_end);
        if (q >= n) continue;
        if (s[q] == ':') {
            q = skip_spaces(s, n, q + 1);
            /* An "@" here must be taken: the name cannot start with it. */
            if (q < n && s[q] == '@') q++;
        } else if (s[q] == '@') {
            q++;
        } else {
            continue;
        }
        q = skip_spaces(s, n, q);
        Py_ssize_t r = name_run(s, n, q, 32);
        if (r < 3) continue;
        *m = (ContactMatch){1, 2, q + r, {at, site_end, q, q + r}};
        return 1;
    }
    return 0;
}

/* (?<![\w.])wa\.me/\+?(?P<number>\d{8,15}) */
static int whatsapp_at(const Py_UCS4 *s, Py_ssize_t n, Py_ssize_t at, ContactMatch *m) {
    if (at > 0 && (s[at - 1] == '.' || is_word(s[at - 1]))) return 0;
    if (!ascii_at(s, n, at, "wa.me/")) return 0;
    Py_ssize_t q = at + 6;
    if (q < n && s[q] == '+') q++; /* if the digits fail after it, they fail at the + too */
    Py_ssize_t r = 0;
    while (r < 15 && q + r < n && is_digit(s[q + r])) r++;
    if (r < 8) return 0;
    *m = (ContactMatch){2, 1, q + r, {q, q + r}};
    return 1;
}

/* (?:https?://|www\.)[^\s<>\"']+ */
static int url_at(const Py_UCS4 *s, Py_ssize_t n, Py_ssize_t at, ContactMatch *m) {
    Py_ssize_t q;
    if (ascii_at(s, n, at, "https://"))
        q = at + 8;
    else if (ascii_at(s, n, at, "http://"))
        q = at + 7;
    else if (ascii_at(s, n, at, "www."))
        q = at + 4;
    else
        return 0;
    Py_ssize_t end = q;
    while (end < n && !(is_space(s[end]) || s[end] == '<' || s[end] == '>' || s[end] == '"' ||
                        s[end] == '\''))
        end++;
    if (end == q) return 0;
    *m = (ContactMatch){3, 1, end, {at, end}};
    return 1;
}

static inline int is_user_char(Py_UCS4 c) {
    return c == '.' || c == '+' || c == '-' || is_word(c);
}

static inline int is_domain_char(Py_UCS4 c) { return c == '-' || is_ascii_alnum(c); }

/* (?<![\w.+-])(?P<user>[a-z0-9][\w.+-]{0,40})\s*(?:@|\[at\]|\(at\))\s*
 * (?P<domain>[a-z0-9-]{2,40})\s*(?:\.|\[dot\]|\(dot\))\s*(?P<tld>com|nl|...|info)\b */
static int email_at(const Py_UCS4 *s, Py_ssize_t n, Py_ssize_t at, ContactMatch *m) {
    if (!is_ascii_alnum(s[at]) || (at > 0 && is_user_char(s[at - 1]))) return 0;
    Py_ssize_t q = at + 1;
    while (q < n && q - at <= 41 && is_user_char(s[q])) q++;
    /* More than 41 user characters: no shorter user part is followed by a separator. */
    if (q - at > 41) return 0;
    const Py_ssize_t user_end = q;
    q = skip_spaces(s, n, q);
    if (q < n && s[q] == '@')
        q += 1;
    else if (ascii_at(s, n, q, "[at]") || ascii_at(s, n, q, "(at)"))
        q += 4;
    else
        return 0;
    const Py_ssize_t domain = skip_spaces(s, n, q);
    q = domain;
    while (q < n && q - domain <= 40 && is_domain_char(s[q])) q++;
    const Py_ssize_t domain_end = q;
    if (q - domain < 2 || q - domain > 40) return 0;
    q = skip_spaces(s, n, q);
    if (q < n && s[q] == '.')
        q += 1;
    else if (ascii_at(s, n, q, "[dot]") || ascii_at(s, n, q, "(dot)"))
        q += 5;
    else
        return 0;
    q = skip_spaces(s, n, q);
    for (int k = 0; email_tlds[k] != NULL; k++) {
        if (!ascii_at(s, n, q, email_tlds[k])) continue;
        Py_ssize_t stop = q + (Py_ssize_t)strlen(email_tlds[k]);
        if (stop < n && is_word(s[stop])) continue; /* \b */
        *m = (ContactMatch){4, 3, stop, {at, user_end, domain, domain_end, q, stop}};
        return 1;
    }
    return 0;
}

/* The class of _PHONE_RE's body: [0-9ol\s().\-_/*·•~|] and the emoji ranges of _EMOJI. */
static inline int is_phone_char(Py_UCS4 c) {
    if (c < 128)
        return (c >= '0' && c <= '9') || c == 'o' || c == 'l' || c == '(' || c == ')' ||
               c == '.' || c == '-' || c == '_' || c == '/' || c == '*' || c == '~' ||
               c == '|' || is_space(c);
    return c == 0xB7 || c == 0x2022 || (c >= 0x2600 && c <= 0x27BF) ||
           (c >= 0x1F300 && c <= 0x1FAFF) || c == 0xFE0F || c == 0x20E3 || c == 0x200D ||
           is_space(c);
}

/* (?:\+|0|o(?=[\s.\-]*6))(?<![\w+].)[class]{8,45}(?<=\d) */
static int phone_at(const Py_UCS4 *s, Py_ssize_t n, Py_ssize_t at, ContactMatch *m) {
    if (s[at] == 'o') {
        Py_ssize_t q = at + 1;
        while (q < n && (s[q] == '.' || s[q] == '-' || is_space(s[q]))) q++;
        if (q >= n || s[q] != '6') return 0;
    } else if (s[at] != '+' && s[at] != '0') {
        return 0;
    }
    if (at > 0 && (s[at - 1] == '+' || is_word(s[at - 1]))) return 0;
    Py_ssize_t run = 0;
    while (run < 45 && at + 1 + run < n && is_phone_char(s[at + 1 + run])) run++;
    /* The greedy run given back to its last digit, at least 8 long. */
    Py_ssize_t length = run;
    while (length >= 8 && !is_digit(s[at + length])) length--;
    if (length < 8) return 0;
    *m = (ContactMatch){5, 1, at + 1 + length, {at, at + 1 + length}};
    return 1;
}

/* _EMAIL_HINT_RE at s[at]: @\s*[a-z0-9-]{2,40}\. */
static int email_hint_at(const Py_UCS4 *s, Py_ssize_t n, Py_ssize_t at) {
    Py_ssize_t q = skip_spaces(s, n, at + 1), r = 0;
    while (r <= 40 && q + r < n && is_domain_char(s[q + r])) r++;
    return r >= 2 && r <= 40 && q + r < n && s[q + r] == '.';
}

/* Where a labelled handle or an address can start. Its first part (a site of 2 to 9 letters,
 * a user part of 1 to 41 user characters) holds no separator and no whitespace, and only
 * whitespace follows it up to its separator (":" or "@" for a handle; "@", "[" or "(" for an
 * address, whatever follows those). So that separator is the first one at or after the start,
 * the part ends where the whitespace before it begins, and the start lies in a window of
 * [shortest, longest] characters before that end: anywhere else the pattern cannot match. */
typedef struct {
    Py_UCS4 separators[3]; /* 0: unused */
    Py_ssize_t shortest, longest;
    Py_ssize_t separator; /* the first separator at or after from (n: none); -1: not looked for */
    Py_ssize_t from, last; /* the window's positions: [from, last] (empty when last < from) */
} SeparatorWindow;

static inline void window_at(const Py_UCS4 *s, Py_ssize_t n, Py_ssize_t from, SeparatorWindow *w) {
    Py_ssize_t q = from;
    while (q < n && s[q] != w->separators[0] && s[q] != w->separators[1] &&
           (w->separators[2] == 0 || s[q] != w->separators[2]))
        q++;
    Py_ssize_t end = q;
    while (end > from && is_space(s[end - 1])) end--;
    w->separator = q;
    w->from = end - w->longest > from ? end - w->longest : from;
    w->last = q < n ? end - w->shortest : -1;
}

/* The first position at or after at where the pattern can start (n: none). */
static inline Py_ssize_t window_next(const Py_UCS4 *s, Py_ssize_t n, Py_ssize_t at,
                                     SeparatorWindow *w) {
    if (w->separator < at) window_at(s, n, at, w);
    while (w->separator < n) {
        if (at <= w->last) return at > w->from ? at : w->from;
        /* Past this separator's window: the next start's first separator is a later one. */
        window_at(s, n, w->separator + 1, w);
    }
    return n;
}

#define CONTACT_STACK 2048

/* The gates' literals (made at import) and, per ASCII character, the patterns that can start
 * with it: site and labelled handles (bits 1, 2) with t, i, s, o; WhatsApp (4) with w; URLs (8)
 * with h, w; addresses (16) with a-z, 0-9; phones (32) with +, 0, o. */
#define CONTACT_LITERALS 8
static const char *const contact_literal_texts[CONTACT_LITERALS] = {
    "t.me/", ".com/", "wa.me/", "://", "www.", ":", "[at]", "(at)"};
static PyObject *contact_literals[CONTACT_LITERALS];
static unsigned char contact_starts[128];

static int contact_init(void) {
    for (int k = 0; k < CONTACT_LITERALS; k++) {
        contact_literals[k] = PyUnicode_InternFromString(contact_literal_texts[k]);
        if (contact_literals[k] == NULL) return -1;
    }
    for (int c = 'a'; c <= 'z'; c++) contact_starts[c] |= 16;
    for (int c = '0'; c <= '9'; c++) contact_starts[c] |= 16;
    for (const char *c = "tiso"; *c; c++) contact_starts[(int)*c] |= 1 | 2;
    contact_starts['w'] |= 4 | 8;
    contact_starts['h'] |= 8;
    contact_starts['+'] |= 32;
    contact_starts['0'] |= 32;
    contact_starts['o'] |= 32;
    return 0;
}

/* The gate pass of contact_matches (read_text, below): the first position of each gate literal
 * in the text (-1 when absent), as PyUnicode_Find gives it, and of the first "@": one pass over
 * the text for all of them, instead of one search of the whole text per literal.
 *
 * In the same pass, whether _PHONE_RE can match at all (phone_possible): its match ends on a
 * digit (the look-behind (?<=\d) on the last character of its class run, whose only decimal
 * characters are ASCII 0-9) with at least seven characters of its class before it (the run is
 * 8 to 45 long, all after the start character). So a text with no ASCII digit that follows
 * seven class characters has no phone match, and the match loop need not try the pattern at
 * every "+", "0" and "o". Only the digits are looked at, and from each only back until a
 * character outside the class: most ads have a handful of digits and no phone in the text. */

/* The text pass (ADR 0112): the gates above and, in the same reading of the text, every
 * occurrence of the starts of mask_words' searches. contact_matches and mask_words are called
 * on the same lower-cased text one after the other (extraction, then the mask); the first of
 * them reads it, the second finds its answers kept with the text (the same str object, held,
 * under the same automaton). */

/* The literal starts of all the searches, as one Aho-Corasick automaton: a state is the
 * longest literal prefix that ends at the character read, so that one table look-up per
 * character follows every literal at once, and a state says which literals end there. The
 * characters are read through classes: one per character that occurs in some literal, class
 * 0 for all others (most of an ad's characters then stay in the first rows of the table). */
#define CLASS_TABLE 65536

/* The starts of a searches tuple, made once for it and its search_of (both held and compared
 * by identity: IndicatorSet makes them once and never changes them; a changed search_of is
 * seen by its version tag where the runtime has one). */
typedef struct {
    PyObject *searches, *search_of;
    uint64_t search_of_version;
    uint64_t generation; /* a number of its own (never 0): which automaton a pass's hits are of */
    PyObject *words_of;  /* per search, the tuple of the words search_of maps to it */
    Py_ssize_t classes;  /* the table's row length */
    uint16_t *class_of;  /* per character below CLASS_TABLE */
    Py_UCS4 *astral;     /* the literals' characters from CLASS_TABLE on (class astral_class+i) */
    Py_ssize_t astral_count, astral_class;
    /* Per state and class, the next state's row (its number times classes) shifted left by one,
     * its low bit set when literals end in that state. 32 bits: half the table of 64 (ADR 0112),
     * and room for sets far beyond any indicator set. */
    uint32_t *next;
    /* Per state, the literals that end in it (own and of its suffixes), as a run of ends. */
    Py_ssize_t *end_first, *end_count;
    Py_ssize_t *ends; /* literal numbers */
    Py_ssize_t *literal_search, *literal_length;
} IndicatorAutomaton;

static IndicatorAutomaton *automaton;
static uint64_t automaton_generations;

static void automaton_free(IndicatorAutomaton *a) {
    if (a == NULL) return;
    Py_XDECREF(a->searches);
    Py_XDECREF(a->search_of);
    Py_XDECREF(a->words_of);
    PyMem_Free(a->class_of);
    PyMem_Free(a->astral);
    PyMem_Free(a->next);
    PyMem_Free(a->end_first);
    PyMem_Free(a->end_count);
    PyMem_Free(a->ends);
    PyMem_Free(a->literal_search);
    PyMem_Free(a->literal_length);
    PyMem_Free(a);
}

static inline uint64_t dict_version(PyObject *dict) {
#if PY_VERSION_HEX < 0x030C0000
    return ((PyDictObject *)dict)->ma_version_tag;
#else
    (void)dict;
    return 0;
#endif
}

static inline Py_ssize_t class_in(const IndicatorAutomaton *a, Py_UCS4 c) {
    if (c < CLASS_TABLE) return a->class_of[c];
    for (Py_ssize_t i = 0; i < a->astral_count; i++)
        if (a->astral[i] == c) return a->astral_class + i;
    return 0;
}

/* The gates' own literals go into every automaton, each under a search number below 0: the gate
 * literal k as -1 - k, each ASCII digit as DIGIT_EVENT, "@" as AT_EVENT. So the text pass
 * reads the gates in the automaton's steps too, one table look-up a character for everything. */
#define DIGIT_EVENT (-100)
#define AT_EVENT (-101)
#define GATE_EVENTS (CONTACT_LITERALS + 11)

static const char *gate_event_text(int g, Py_ssize_t *search) {
    static const char *const digits[10] = {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"};
    if (g < CONTACT_LITERALS) {
        *search = -1 - g;
        return contact_literal_texts[g];
    }
    if (g < CONTACT_LITERALS + 10) {
        *search = DIGIT_EVENT;
        return digits[g - CONTACT_LITERALS];
    }
    *search = AT_EVENT;
    return "@";
}

/* A new automaton of searches and search_of, or of the gates alone (both NULL); NULL with an
 * exception set when they are not what mask_words takes. */
static IndicatorAutomaton *automaton_build(PyObject *searches, PyObject *search_of) {
    const Py_ssize_t count = searches != NULL ? PyTuple_GET_SIZE(searches) : 0;
    IndicatorAutomaton *a = PyMem_Calloc(1, sizeof(IndicatorAutomaton));
    PyObject *lists = NULL;
    Py_UCS4 *chars = NULL;
    Py_ssize_t *goto_ = NULL, *fail = NULL, *queue = NULL, *own = NULL, *own_next = NULL;
    if (a == NULL) {
        PyErr_NoMemory();
        return NULL;
    }
    a->searches = Py_XNewRef(searches);
    a->search_of = Py_XNewRef(search_of);
    a->search_of_version = search_of != NULL ? dict_version(search_of) : 0;
    /* 1. The literals, checked, as UCS4; the classes of their characters. */
    Py_ssize_t literal_count = GATE_EVENTS, char_count = 0;
    for (int g = 0; g < GATE_EVENTS; g++) {
        Py_ssize_t search;
        char_count += (Py_ssize_t)strlen(gate_event_text(g, &search));
    }
    for (Py_ssize_t k = 0; k < count; k++) {
        PyObject *search = PyTuple_GET_ITEM(searches, k);
        if (!PyTuple_Check(search) || PyTuple_GET_SIZE(search) != 2 ||
            !PyTuple_Check(PyTuple_GET_ITEM(search, 1))) {
            PyErr_SetString(PyExc_TypeError, "mask_words(): a search is (match, starts)");
            goto error;
        }
        PyObject *starts = PyTuple_GET_ITEM(search, 1);
        for (Py_ssize_t l = 0; l < PyTuple_GET_SIZE(starts); l++) {
            PyObject *literal = PyTuple_GET_ITEM(starts, l);
            if (!PyUnicode_Check(literal) || PyUnicode_READY(literal) < 0 ||
                PyUnicode_GET_LENGTH(literal) == 0) {
                if (!PyErr_Occurred())
                    PyErr_SetString(PyExc_ValueError,
                                    "mask_words(): literals must be non-empty str");
                goto error;
            }
            literal_count++;
            char_count += PyUnicode_GET_LENGTH(literal);
        }
    }
    const Py_ssize_t states_max = char_count + 1;
    chars = PyMem_Malloc((char_count + 1) * sizeof(Py_UCS4));
    a->class_of = PyMem_Calloc(CLASS_TABLE, sizeof(uint16_t));
    a->astral = PyMem_Malloc((char_count + 1) * sizeof(Py_UCS4));
    a->literal_search = PyMem_Malloc((literal_count + 1) * sizeof(Py_ssize_t));
    a->literal_length = PyMem_Malloc((literal_count + 1) * sizeof(Py_ssize_t));
    if (chars == NULL || a->class_of == NULL || a->astral == NULL || a->literal_search == NULL ||
        a->literal_length == NULL) {
        PyErr_NoMemory();
        goto error;
    }
    Py_ssize_t bmp_classes = 1, used = 0, made = 0;
    for (Py_ssize_t k = -1; k < count; k++) {
        PyObject *starts = k >= 0 ? PyTuple_GET_ITEM(PyTuple_GET_ITEM(searches, k), 1) : NULL;
        const Py_ssize_t literals = k >= 0 ? PyTuple_GET_SIZE(starts) : GATE_EVENTS;
        for (Py_ssize_t l = 0; l < literals; l++) {
            Py_ssize_t length, search = k;
            if (k >= 0) {
                PyObject *literal = PyTuple_GET_ITEM(starts, l);
                length = PyUnicode_GET_LENGTH(literal);
                if (PyUnicode_AsUCS4(literal, chars + used, length, 0) == NULL) goto error;
            } else {
                const char *text = gate_event_text((int)l, &search);
                length = (Py_ssize_t)strlen(text);
                for (Py_ssize_t t = 0; t < length; t++) chars[used + t] = (unsigned char)text[t];
            }
            for (Py_ssize_t t = 0; t < length; t++) {
                const Py_UCS4 c = chars[used + t];
                if (c < CLASS_TABLE) {
                    if (a->class_of[c] == 0) {
                        if (bmp_classes == UINT16_MAX) {
                            PyErr_SetString(PyExc_ValueError, "mask_words(): too many characters");
                            goto error;
                        }
                        a->class_of[c] = (uint16_t)bmp_classes++;
                    }
                } else {
                    Py_ssize_t i = 0;
                    while (i < a->astral_count && a->astral[i] != c) i++;
                    if (i == a->astral_count) a->astral[a->astral_count++] = c;
                }
            }
            a->literal_search[made] = search;
            a->literal_length[made++] = length;
            used += length;
        }
    }
    a->astral_class = bmp_classes;
    const Py_ssize_t classes = bmp_classes + a->astral_count;
    a->classes = classes;
    /* 2. The trie: goto_[state * classes + class], -1 where no literal goes on. */
    goto_ = PyMem_Malloc(states_max * classes * sizeof(Py_ssize_t));
    own = PyMem_Malloc(states_max * sizeof(Py_ssize_t));     /* a literal ending here, or -1 */
    own_next = PyMem_Malloc((literal_count + 1) * sizeof(Py_ssize_t)); /* the next such one */
    fail = PyMem_Malloc(states_max * sizeof(Py_ssize_t));
    queue = PyMem_Malloc(states_max * sizeof(Py_ssize_t));
    if (goto_ == NULL || own == NULL || own_next == NULL || fail == NULL || queue == NULL) {
        PyErr_NoMemory();
        goto error;
    }
    for (Py_ssize_t i = 0; i < classes; i++) goto_[i] = -1;
    own[0] = -1;
    Py_ssize_t states = 1;
    used = 0;
    for (Py_ssize_t l = 0; l < literal_count; l++) {
        Py_ssize_t state = 0;
        for (Py_ssize_t t = 0; t < a->literal_length[l]; t++) {
            Py_ssize_t *slot = &goto_[state * classes + class_in(a, chars[used + t])];
            if (*slot < 0) {
                for (Py_ssize_t i = 0; i < classes; i++) goto_[states * classes + i] = -1;
                own[states] = -1;
                *slot = states++;
            }
            state = *slot;
        }
        own_next[l] = own[state];
        own[state] = l;
        used += a->literal_length[l];
    }
    /* 3. Suffix links breadth first; every missing step made the step of the suffix; each
     * state's ends its own and its suffix's. */
    if ((uint64_t)states * (uint64_t)classes > UINT32_MAX / 2) {
        PyErr_SetString(PyExc_ValueError, "mask_words(): too many literals");
        goto error;
    }
    a->next = PyMem_Malloc(states * classes * sizeof(uint32_t));
    a->end_first = PyMem_Malloc(states * sizeof(Py_ssize_t));
    a->end_count = PyMem_Calloc(states, sizeof(Py_ssize_t));
    if (a->next == NULL || a->end_first == NULL || a->end_count == NULL) {
        PyErr_NoMemory();
        goto error;
    }
    Py_ssize_t head = 0, tail = 0, ends_size = 0, ends_capacity = literal_count + 16;
    a->ends = PyMem_Malloc(ends_capacity * sizeof(Py_ssize_t));
    if (a->ends == NULL) {
        PyErr_NoMemory();
        goto error;
    }
    fail[0] = 0;
    queue[tail++] = 0;
    while (head < tail) {
        const Py_ssize_t r = queue[head++];
        /* Its ends: its own literals, then its suffix's (made before it, being shorter). */
        a->end_first[r] = ends_size;
        for (Py_ssize_t l = own[r]; l >= 0; l = own_next[l]) {
            if (ends_size == ends_capacity) {
                ends_capacity *= 2;
                Py_ssize_t *grown = PyMem_Realloc(a->ends, ends_capacity * sizeof(Py_ssize_t));
                if (grown == NULL) {
                    PyErr_NoMemory();
                    goto error;
                }
                a->ends = grown;
            }
            a->ends[ends_size++] = l;
        }
        if (r != 0) {
            for (Py_ssize_t e = 0; e < a->end_count[fail[r]]; e++) {
                if (ends_size == ends_capacity) {
                    ends_capacity *= 2;
                    Py_ssize_t *grown =
                        PyMem_Realloc(a->ends, ends_capacity * sizeof(Py_ssize_t));
                    if (grown == NULL) {
                        PyErr_NoMemory();
                        goto error;
                    }
                    a->ends = grown;
                }
                a->ends[ends_size++] = a->ends[a->end_first[fail[r]] + e];
            }
        }
        a->end_count[r] = ends_size - a->end_first[r];
        for (Py_ssize_t c = 0; c < classes; c++) {
            Py_ssize_t *slot = &goto_[r * classes + c];
            if (*slot >= 0) {
                fail[*slot] = r == 0 ? 0 : goto_[fail[r] * classes + c];
                queue[tail++] = *slot;
            } else {
                *slot = r == 0 ? 0 : goto_[fail[r] * classes + c];
            }
        }
    }
    for (Py_ssize_t i = 0; i < states * classes; i++) {
        const Py_ssize_t to = goto_[i];
        a->next[i] = (uint32_t)(to * classes) << 1 | (a->end_count[to] > 0);
    }
    /* 4. Per search, the words that name it. */
    lists = PyTuple_New(count);
    if (lists == NULL) goto error;
    if (search_of == NULL) {
        a->words_of = lists;
        lists = NULL;
        goto made;
    }
    for (Py_ssize_t k = 0; k < count; k++) {
        PyObject *list = PyList_New(0);
        if (list == NULL) goto error;
        PyTuple_SET_ITEM(lists, k, list);
    }
    Py_ssize_t position = 0;
    PyObject *word, *index_object;
    while (PyDict_Next(search_of, &position, &word, &index_object)) {
        Py_ssize_t which = PyLong_AsSsize_t(index_object);
        if (which == -1 && PyErr_Occurred()) goto error;
        if (which < 0 || which >= count) {
            PyErr_SetString(PyExc_IndexError, "mask_words(): no such search");
            goto error;
        }
        if (PyList_Append(PyTuple_GET_ITEM(lists, which), word) < 0) goto error;
    }
    a->words_of = PyTuple_New(count);
    if (a->words_of == NULL) goto error;
    for (Py_ssize_t k = 0; k < count; k++) {
        PyObject *naming = PyList_AsTuple(PyTuple_GET_ITEM(lists, k));
        if (naming == NULL) goto error;
        PyTuple_SET_ITEM(a->words_of, k, naming);
    }
    Py_CLEAR(lists);
made:
    PyMem_Free(chars);
    PyMem_Free(goto_);
    PyMem_Free(own);
    PyMem_Free(own_next);
    PyMem_Free(fail);
    PyMem_Free(queue);
    a->generation = ++automaton_generations;
    return a;
error:
    Py_XDECREF(lists);
    PyMem_Free(chars);
    PyMem_Free(goto_);
    PyMem_Free(own);
    PyMem_Free(own_next);
    PyMem_Free(fail);
    PyMem_Free(queue);
    automaton_free(a);
    return NULL;
}

/* The automaton of the gates alone: the text pass's when no searches came yet. */
static IndicatorAutomaton *gates_automaton;

/* The automaton of searches and search_of (the one kept, or a new one kept instead), borrowed;
 * NULL with an exception set when they are not what mask_words takes. */
static IndicatorAutomaton *automaton_for(PyObject *searches, PyObject *search_of) {
    if (automaton != NULL && automaton->searches == searches &&
        automaton->search_of == search_of &&
        automaton->search_of_version == dict_version(search_of))
        return automaton;
    IndicatorAutomaton *a = automaton_build(searches, search_of);
    if (a == NULL) return NULL;
    IndicatorAutomaton *old = automaton;
    automaton = a;
    automaton_free(old);
    return a;
}

/* What the text pass found in one text. */
typedef struct {
    PyObject *text;      /* the exact str read (held), or NULL: not kept */
    uint64_t generation; /* the automaton its hits are of */
    Py_ssize_t gates[CONTACT_LITERALS], first_at;
    int phone_possible;
    Hit *hits; /* by position (a literal's start); at one position in no particular order */
    Py_ssize_t hit_count, hit_capacity;
} TextPass;

static TextPass text_pass;

/* One literal's occurrence, put in its place by start (a literal ending later can start
 * earlier than one found before it). */
static int add_hit(TextPass *pass, Py_ssize_t search, Py_ssize_t at) {
    if (pass->hit_count == pass->hit_capacity) {
        Py_ssize_t capacity = pass->hit_capacity ? 2 * pass->hit_capacity : 64;
        Hit *grown = PyMem_Realloc(pass->hits, capacity * sizeof(Hit));
        if (grown == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        pass->hits = grown, pass->hit_capacity = capacity;
    }
    Py_ssize_t h = pass->hit_count++;
    while (h > 0 && pass->hits[h - 1].at > at) {
        pass->hits[h] = pass->hits[h - 1];
        h--;
    }
    pass->hits[h] = (Hit){search, at};
    return 0;
}

/* The gates and the automaton's literals' occurrences, in one pass: one step of the automaton a
 * character, and only where a literal ends (a gate's, a digit, "@", a search's) anything more. */
PER_KIND int read_text(const int kind, const void *data, Py_ssize_t n,
                       const IndicatorAutomaton *a, TextPass *pass) {
    Py_ssize_t gates[CONTACT_LITERALS], first_at = -1;
    for (int k = 0; k < CONTACT_LITERALS; k++) gates[k] = -1;
    pass->hit_count = 0;
    int phone = 0;
    const uint32_t *const next = a->next;
    const uint16_t *const class_of = a->class_of;
    uint32_t row = 0; /* the automaton's state, as its row */
    for (Py_ssize_t at = 0; at < n; at++) {
        const Py_UCS4 c = PyUnicode_READ(kind, data, at);
        const uint32_t step =
            next[row + (kind == PyUnicode_4BYTE_KIND ? class_in(a, c) : class_of[c])];
        row = step >> 1;
        if (!(step & 1)) continue;
        const Py_ssize_t state = (Py_ssize_t)row / a->classes;
        const Py_ssize_t *ends = a->ends + a->end_first[state];
        for (Py_ssize_t e = 0; e < a->end_count[state]; e++) {
            const Py_ssize_t literal = ends[e], search = a->literal_search[literal];
            const Py_ssize_t start = at + 1 - a->literal_length[literal];
            if (search >= 0) {
                if (add_hit(pass, search, start) < 0) return -1;
            } else if (search == DIGIT_EVENT) {
                if (!phone && at >= 7) {
                    Py_ssize_t back = 1;
                    while (back <= 7 && is_phone_char(PyUnicode_READ(kind, data, at - back)))
                        back++;
                    phone = back > 7;
                }
            } else if (search == AT_EVENT) {
                if (first_at < 0) first_at = at;
            } else if (gates[-1 - search] < 0) {
                gates[-1 - search] = start;
            }
        }
    }
    memcpy(pass->gates, gates, sizeof(gates));
    pass->first_at = first_at;
    pass->phone_possible = phone;
    return 0;
}

/* The text pass of text under automaton a (NULL: the gates only), borrowed: the one kept when
 * it is of this str and this automaton, else a new reading, kept. NULL with an exception set
 * on failure. */
static TextPass *text_pass_of(PyObject *text, const IndicatorAutomaton *a) {
    if (a == NULL) {
        if (gates_automaton == NULL) gates_automaton = automaton_build(NULL, NULL);
        if (gates_automaton == NULL) return NULL;
        a = gates_automaton;
    }
    const uint64_t generation = a->generation;
    if (text_pass.text == text && text_pass.generation == generation) return &text_pass;
    /* The str read before is let go first: a failed reading keeps nothing. */
    Py_CLEAR(text_pass.text);
    text_pass.generation = generation;
    const void *data = PyUnicode_DATA(text);
    const Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    int failed;
    switch (PyUnicode_KIND(text)) {
    case PyUnicode_1BYTE_KIND:
        failed = read_text(PyUnicode_1BYTE_KIND, data, n, a, &text_pass);
        break;
    case PyUnicode_2BYTE_KIND:
        failed = read_text(PyUnicode_2BYTE_KIND, data, n, a, &text_pass);
        break;
    default:
        failed = read_text(PyUnicode_4BYTE_KIND, data, n, a, &text_pass);
    }
    if (failed) return NULL;
    /* Only an exact str is kept: letting it go later runs no Python code. */
    if (PyUnicode_CheckExact(text)) text_pass.text = Py_NewRef(text);
    return &text_pass;
}

static Py_ssize_t indicator_hits(PyObject *text, PyObject *search_of, PyObject *searches,
                                 Hit *room, Hit **hits, PyObject **words_of) {
    IndicatorAutomaton *a = automaton_for(searches, search_of);
    if (a == NULL) return -1;
    TextPass *pass = text_pass_of(text, a);
    if (pass == NULL) return -1;
    /* A copy: the matchers mask_words calls are Python objects, which may read other texts. */
    const Py_ssize_t count = pass->hit_count;
    *hits = count <= HITS_ON_STACK ? room : PyMem_Malloc(count * sizeof(Hit));
    if (*hits == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    memcpy(*hits, pass->hits, count * sizeof(Hit));
    *words_of = Py_NewRef(a->words_of);
    return count;
}

static PyObject *contact_matches(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 2 || !PyUnicode_Check(args[0]) || !PyLong_Check(args[1])) {
        PyErr_SetString(PyExc_TypeError, "contact_matches() takes a str and an int");
        return NULL;
    }
    PyObject *text = args[0];
    long word_gates = PyLong_AsLong(args[1]);
    if (word_gates == -1 && PyErr_Occurred()) return NULL;
    if (PyUnicode_READY(text) < 0) return NULL;
    const Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    /* 1. The gates (searches of the str itself, at memchr speed), and where the first e-mail
     * separator is. */
    int site_gate = 0, has_at = 0, has_colon = 0, email_gate = 0, url_seen = 0, whatsapp_seen = 0;
    Py_ssize_t first_separator = n, found_at;
    Py_ssize_t hits[CONTACT_LITERALS];
    /* Read by mask_words' text pass when it came first (the same str), else read here and kept
     * for it, with the literals of the automaton it used last. */
    const TextPass *pass = text_pass_of(text, automaton);
    if (pass == NULL) return NULL;
    memcpy(hits, pass->gates, sizeof(hits));
    found_at = pass->first_at;
    const int phone_possible = pass->phone_possible;
    /* A phone gate that holds for a text without a possible phone match tries nothing. */
    if (!phone_possible) word_gates &= ~32L;
    site_gate = hits[0] >= 0 || hits[1] >= 0;   /* "t.me/", ".com/" */
    whatsapp_seen = hits[2] >= 0;               /* "wa.me/" */
    url_seen = hits[3] >= 0 || hits[4] >= 0;    /* "://", "www." */
    has_colon = hits[5] >= 0;                   /* ":" */
    email_gate = hits[6] >= 0 || hits[7] >= 0;  /* "[at]", "(at)" */
    for (int k = 6; k <= 7; k++)
        if (hits[k] >= 0 && hits[k] < first_separator) first_separator = hits[k];
    has_at = found_at >= 0;
    if (has_at && found_at < first_separator) first_separator = found_at;
    /* No gate can hold: nothing to try (the e-mail hint needs an "@"). */
    if (!site_gate && !((has_at || has_colon) && (word_gates & 2)) && !whatsapp_seen &&
        !url_seen && !(word_gates & 32) && !has_at && !email_gate)
        return PyList_New(0);
    /* The text as UCS4, so that every matcher reads it by plain indexing. */
    Py_UCS4 stack[CONTACT_STACK], *s = stack;
    ContactMatch found_stack[16], *found = found_stack;
    Py_ssize_t found_count = 0, found_capacity = 16;
    PyObject *out = NULL;
    if (n >= CONTACT_STACK) {
        s = PyMem_Malloc((n + 1) * sizeof(Py_UCS4));
        if (s == NULL) return PyErr_NoMemory();
    }
    if (PyUnicode_AsUCS4(text, s, n + 1, 1) == NULL) goto done;
    /* The e-mail hint at each "@" until one holds. */
    for (Py_ssize_t at = found_at; has_at && !email_gate && at >= 0 && at < n; at++)
        if (s[at] == '@' && email_hint_at(s, n, at)) email_gate = 1;
    /* The patterns worth trying: those whose gate holds and that can match at all (the URL and
     * WhatsApp patterns need what their gates test, and more). */
    const unsigned gates = (site_gate ? 1 : 0) | ((has_at || has_colon) ? word_gates & 2 : 0) |
                           (whatsapp_seen ? 4 : 0) | (url_seen ? 8 : 0) | (email_gate ? 16 : 0) |
                           (word_gates & 32);
    /* No address starts before the first separator, less the whitespace before it and the
     * longest user part (extract._scan_start). */
    Py_ssize_t email_start = first_separator;
    while (email_start > 0 && is_space(s[email_start - 1])) email_start--;
    email_start = email_start > 41 ? email_start - 41 : 0;
    /* 2. Every pattern tried at each position, from the end of its last match on. */
    int (*const matchers[6])(const Py_UCS4 *, Py_ssize_t, Py_ssize_t, ContactMatch *) = {
        site_at, label_at, whatsapp_at, url_at, email_at, phone_at};
    Py_ssize_t next[6] = {0, 0, 0, 0, email_start, 0}; /* where each pattern may match next */
    /* Where labelled handles and addresses can start (window_next). */
    SeparatorWindow label = {{':', '@', 0}, 2, SITE_LONGEST, -1, 0, -1},
                    email = {{'@', '[', '('}, 1, USER_LONGEST, -1, 0, -1};
    /* Only labelled handles and addresses to look for: from one of their windows to the next. */
    const int windows_only = (gates & ~(2u | 16u)) == 0;
    for (Py_ssize_t at = 0; gates && at < n; at++) {
        if (windows_only) {
            const Py_ssize_t to_label = gates & 2 ? window_next(s, n, at, &label) : n;
            const Py_ssize_t to_email = gates & 16 ? window_next(s, n, at, &email) : n;
            at = to_label < to_email ? to_label : to_email;
            if (at >= n) break;
        }
        const Py_UCS4 c = s[at];
        /* Which patterns can start with c (all start with an ASCII character). */
        unsigned wanted = c < 128 ? contact_starts[c] & gates : 0;
        if (!wanted) continue;
        /* An address starts where no user character precedes it. */
        if ((wanted & 16) && at > 0 && is_user_char(s[at - 1])) wanted &= ~16u;
        if ((wanted & 2) && window_next(s, n, at, &label) != at) wanted &= ~2u;
        if ((wanted & 16) && window_next(s, n, at, &email) != at) wanted &= ~16u;
        for (int k = 0; wanted; k++, wanted >>= 1) {
            if (!(wanted & 1) || next[k] > at) continue;
            ContactMatch m;
            if (!matchers[k](s, n, at, &m)) continue;
            next[k] = m.end;
            if (found_count == found_capacity) {
                found_capacity *= 2;
                ContactMatch *grown = found == found_stack
                                          ? PyMem_Malloc(found_capacity * sizeof(ContactMatch))
                                          : PyMem_Realloc(found,
                                                          found_capacity * sizeof(ContactMatch));
                if (grown == NULL) {
                    PyErr_NoMemory();
                    goto done;
                }
                if (found == found_stack) memcpy(grown, found_stack, sizeof(found_stack));
                found = grown;
            }
            found[found_count++] = m;
        }
    }
    out = PyList_New(0);
    if (out == NULL) goto done;
    /* Pattern by pattern, each one's matches in text order. */
    for (int k = 0; k < 6; k++) {
        if (!(gates & (1 << k))) continue;
        for (Py_ssize_t f = 0; f < found_count; f++) {
            const ContactMatch *m = &found[f];
            if (m->code != k) continue;
            PyObject *item = PyTuple_New(m->parts + 1);
            if (item == NULL) goto fail;
            PyTuple_SET_ITEM(item, 0, PyLong_FromLong(k));
            for (int p = 0; p < m->parts; p++)
                PyTuple_SET_ITEM(item, p + 1,
                                 PyUnicode_Substring(text, m->spans[2 * p], m->spans[2 * p + 1]));
            for (int p = 0; p <= m->parts; p++)
                if (PyTuple_GET_ITEM(item, p) == NULL) {
                    Py_DECREF(item);
                    goto fail;
                }
            int failed = PyList_Append(out, item) < 0;
            Py_DECREF(item);
            if (failed) goto fail;
        }
    }
    goto done;
fail:
    Py_CLEAR(out);
done:
    if (s != stack) PyMem_Free(s);
    if (found != found_stack) PyMem_Free(found);
    return out;
}

/* The text of a str as UCS4 in buffer (room for CONTACT_STACK characters) or, when longer, in
 * a PyMem block (*heap set; free it). NULL with an exception set on failure. */
static Py_UCS4 *ucs4_of(PyObject *text, Py_UCS4 *buffer, Py_UCS4 **heap) {
    const Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    Py_UCS4 *s = buffer;
    *heap = NULL;
    if (n >= CONTACT_STACK) {
        s = *heap = PyMem_Malloc((n + 1) * sizeof(Py_UCS4));
        if (s == NULL) return (Py_UCS4 *)PyErr_NoMemory();
    }
    if (PyUnicode_AsUCS4(text, s, n + 1, 1) == NULL) {
        PyMem_Free(*heap);
        *heap = NULL;
        return NULL;
    }
    return s;
}

/* Whether the str literal occurs at s[at] (s of length n). */
static int str_at(const Py_UCS4 *s, Py_ssize_t n, Py_ssize_t at, PyObject *literal) {
    const Py_ssize_t length = PyUnicode_GET_LENGTH(literal);
    if (at + length > n) return 0;
    const int kind = PyUnicode_KIND(literal);
    const void *data = PyUnicode_DATA(literal);
    for (Py_ssize_t i = 0; i < length; i++)
        if (s[at + i] != PyUnicode_READ(kind, data, i)) return 0;
    return 1;
}

static int check_literals(PyObject *literals, const char *name) {
    if (!PyTuple_Check(literals)) goto bad;
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(literals); i++) {
        PyObject *literal = PyTuple_GET_ITEM(literals, i);
        if (!PyUnicode_Check(literal) || PyUnicode_READY(literal) < 0 ||
            PyUnicode_GET_LENGTH(literal) == 0)
            goto bad;
    }
    return 0;
bad:
    if (!PyErr_Occurred()) PyErr_Format(PyExc_TypeError, "%s must be a tuple of non-empty str", name);
    return -1;
}

/* age_search(lowered, units, labels) -> the age, or -1
 *
 * What extract._age_py (the definition) gives: _AGE_RE.search(lowered), that is
 *     (?<!\w)(?P<a1>[1-6]\d)\s*-?\s*(?:units)(?!\w)|(?<!\w)(?:labels)\s*[:=]?\s*(?P<a2>[1-6]\d)\b
 * with units and labels (tuples of non-empty str, none starting with a space, "-", ":" or "=")
 * tried in their order, read as int(a1 or a2). The repeats cannot gain a match by
 * backtracking: what follows each cannot be in its class. */
static PyObject *age_search(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 3 || !PyUnicode_Check(args[0])) {
        PyErr_SetString(PyExc_TypeError, "age_search() takes a str and two tuples of str");
        return NULL;
    }
    PyObject *text = args[0], *units = args[1], *labels = args[2];
    if (PyUnicode_READY(text) < 0 || check_literals(units, "units") < 0 ||
        check_literals(labels, "labels") < 0)
        return NULL;
    const Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    Py_UCS4 buffer[CONTACT_STACK], *heap;
    const Py_UCS4 *s = ucs4_of(text, buffer, &heap);
    if (s == NULL) return NULL;
    long age = -1;
    for (Py_ssize_t at = 0; at < n && age < 0; at++) {
        if (at > 0 && is_word(s[at - 1])) continue;
        /* a1: two digits, the first 1-6, then a unit. */
        if (s[at] >= '1' && s[at] <= '6' && at + 1 < n && is_digit(s[at + 1])) {
            Py_ssize_t q = skip_spaces(s, n, at + 2);
            if (q < n && s[q] == '-') q = skip_spaces(s, n, q + 1);
            for (Py_ssize_t u = 0; u < PyTuple_GET_SIZE(units); u++) {
                PyObject *unit = PyTuple_GET_ITEM(units, u);
                if (!str_at(s, n, q, unit)) continue;
                Py_ssize_t stop = q + PyUnicode_GET_LENGTH(unit);
                if (stop < n && is_word(s[stop])) continue;
                age = (s[at] - '0') * 10 + Py_UNICODE_TODECIMAL(s[at + 1]);
                break;
            }
            if (age >= 0) break;
        }
        /* a2: a label, then two digits, the first 1-6, at a word's end. */
        for (Py_ssize_t l = 0; l < PyTuple_GET_SIZE(labels); l++) {
            PyObject *label = PyTuple_GET_ITEM(labels, l);
            if (!str_at(s, n, at, label)) continue;
            Py_ssize_t q = skip_spaces(s, n, at + PyUnicode_GET_LENGTH(label));
            if (q < n && (s[q] == ':' || s[q] == '=')) q = skip_spaces(s, n, q + 1);
            if (q + 1 < n && s[q] >= '1' && s[q] <= '6' && is_digit(s[q + 1]) &&
                (q + 2 >= n || !is_word(s[q + 2]))) {
                age = (s[q] - '0') * 10 + Py_UNICODE_TODECIMAL(s[q + 1]);
                break;
            }
        }
    }
    PyMem_Free(heap);
    return PyLong_FromLong(age);
}

/* The value of the decimal digits s[at:at + length]. */
static double digits_value(const Py_UCS4 *s, Py_ssize_t at, Py_ssize_t length) {
    double value = 0;
    for (Py_ssize_t i = 0; i < length; i++) value = value * 10 + Py_UNICODE_TODECIMAL(s[at + i]);
    return value;
}

/* The end of "eur", "euro", "euros" or "евро" at s[at] followed by a word boundary (the end of
 * the window is one), trying the words in the order given; -1 if none. */
static Py_ssize_t word_end(const Py_UCS4 *s, Py_ssize_t n, Py_ssize_t at, const char *const *words) {
    for (int k = 0; words[k] != NULL; k++) {
        Py_ssize_t length = (Py_ssize_t)strlen(words[k]);
        if (!ascii_at(s, n, at, words[k])) continue;
        if (at + length < n && is_word(s[at + length])) continue;
        return at + length;
    }
    return -1;
}

static const Py_UCS4 cyrillic_euro[] = {0x435, 0x432, 0x440, 0x43E}; /* "евро" */

/* price_in(lowered, start, end) -> the price, or -1.0
 *
 * What extract._price_in_py (the definition) gives: _PRICE_RE.search(lowered, start, end), that
 * is
 *     (?:€|\beur\b|\beuro\b)\s*(?P<p1>\d{2,4})(?:[.,]\d\d)?\b
 *     |\b(?P<p2>\d{2,4})(?:[.,]\d\d)?\s*(?:€|eur\b|euro\b|euros\b|евро\b)
 * read as float(p1 or p2). As re does with pos and endpos, the text ends at end (a boundary
 * there), and a boundary at start looks at the character before it. The first branch can
 * backtrack: fewer digits, or the decimals left out, until a word boundary follows. */
static double price_window(PyObject *text, Py_ssize_t start, Py_ssize_t end);

static PyObject *price_in(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 3 || !PyUnicode_Check(args[0])) {
        PyErr_SetString(PyExc_TypeError, "price_in() takes a str and two ints");
        return NULL;
    }
    PyObject *text = args[0];
    Py_ssize_t start = PyLong_AsSsize_t(args[1]), end = PyLong_AsSsize_t(args[2]);
    if ((start == -1 || end == -1) && PyErr_Occurred()) return NULL;
    if (PyUnicode_READY(text) < 0) return NULL;
    const double price = price_window(text, start, end);
    return price < -1.5 ? NULL : PyFloat_FromDouble(price);
}

/* price_in's search of a ready str: the price, -1.0, or -2.0 with an exception set. */
static double price_window(PyObject *text, Py_ssize_t start, Py_ssize_t end) {
    const Py_ssize_t length = PyUnicode_GET_LENGTH(text);
    if (start < 0) start = 0;
    if (end > length) end = length;
    /* Only the window and the character before it (a boundary at start looks at it) are read:
     * they are copied as UCS4, not the whole text (a window is 28 characters, an ad hundreds).
     * Positions below are the window's: lo of the text is 0 of s, so a position 0 is the text's
     * start only when lo is. The window's end is the text's end for the pattern. */
    if (start >= end) return -1.0; /* a price has two digits at least */
    const Py_ssize_t lo = start > 0 ? start - 1 : 0;
    const Py_ssize_t n = end - lo;
    start -= lo;
    Py_UCS4 buffer[CONTACT_STACK], *heap = NULL, *s = buffer;
    if (n > CONTACT_STACK) {
        s = heap = PyMem_Malloc(n * sizeof(Py_UCS4));
        if (s == NULL) {
            PyErr_NoMemory();
            return -2.0;
        }
    }
    {
        const int kind = PyUnicode_KIND(text);
        const void *data = PyUnicode_DATA(text);
        for (Py_ssize_t i = 0; i < n; i++) s[i] = PyUnicode_READ(kind, data, lo + i);
    }
    static const char *const marker_words[] = {"eur", "euro", NULL};
    static const char *const unit_words[] = {"eur", "euro", "euros", NULL};
    double price = -1.0;
    for (Py_ssize_t at = start; at < n && price < 0; at++) {
        const int boundary = at == 0 || !is_word(s[at - 1]); /* before a word character */
        /* Branch 1: a currency, then the amount. */
        Py_ssize_t q = -1;
        if (s[at] == 0x20AC)
            q = at + 1;
        else if (boundary && s[at] == 'e')
            q = word_end(s, n, at, marker_words);
        if (q >= 0) {
            q = skip_spaces(s, n, q);
            Py_ssize_t run = 0;
            while (run < 4 && q + run < n && is_digit(s[q + run])) run++;
            for (Py_ssize_t digits = run; digits >= 2 && price < 0; digits--) {
                const Py_ssize_t e = q + digits;
                /* The decimals first (the group is greedy), then without them. */
                if (e + 2 < n && (s[e] == '.' || s[e] == ',') && is_digit(s[e + 1]) &&
                    is_digit(s[e + 2]) && (e + 3 >= n || !is_word(s[e + 3])))
                    price = digits_value(s, q, digits);
                else if (e >= n || !is_word(s[e]))
                    price = digits_value(s, q, digits);
            }
            if (price >= 0) break;
        }
        /* Branch 2: the amount, then a currency. */
        if (!boundary || !is_digit(s[at])) continue;
        Py_ssize_t run = 0;
        while (at + run < n && is_digit(s[at + run])) run++;
        if (run < 2 || run > 4) continue; /* fewer digits leave a digit before the currency */
        Py_ssize_t e = at + run;
        const Py_ssize_t after[2] = {
            e + 2 < n && (s[e] == '.' || s[e] == ',') && is_digit(s[e + 1]) && is_digit(s[e + 2])
                ? e + 3
                : -1,
            e};
        for (int option = 0; option < 2 && price < 0; option++) {
            if (after[option] < 0) continue;
            q = skip_spaces(s, n, after[option]);
            int currency = q < n && s[q] == 0x20AC;
            if (!currency && q < n && s[q] == 'e') currency = word_end(s, n, q, unit_words) >= 0;
            if (!currency && q + 4 <= n && memcmp(s + q, cyrillic_euro, sizeof(cyrillic_euro)) == 0)
                currency = q + 4 >= n || !is_word(s[q + 4]);
            if (currency) price = digits_value(s, at, run);
        }
    }
    PyMem_Free(heap);
    return price;
}

/* price_search's pass over a two- or four-byte str (kind a constant in each copy): the first
 * "€", "eur" and "евро", until all three are found. */
PER_KIND void price_markers(const int kind, const void *data, Py_ssize_t n, Py_ssize_t *first) {
    int missing = 3;
    for (Py_ssize_t at = 0; at < n && missing > 0; at++) {
        const Py_UCS4 ch = PyUnicode_READ(kind, data, at);
        if (ch == 'e') {
            if (first[1] < 0 && at + 3 <= n && PyUnicode_READ(kind, data, at + 1) == 'u' &&
                PyUnicode_READ(kind, data, at + 2) == 'r') {
                first[1] = at;
                missing--;
            }
        } else if (ch == 0x20AC) {
            if (first[0] < 0) {
                first[0] = at;
                missing--;
            }
        } else if (ch == cyrillic_euro[0]) {
            if (first[2] < 0 && at + 4 <= n &&
                PyUnicode_READ(kind, data, at + 1) == cyrillic_euro[1] &&
                PyUnicode_READ(kind, data, at + 2) == cyrillic_euro[2] &&
                PyUnicode_READ(kind, data, at + 3) == cyrillic_euro[3]) {
                first[2] = at;
                missing--;
            }
        }
    }
}

/* price_search(lowered) -> the price, or -1.0
 *
 * What extract._price_py (the definition) gives: for each price marker of extract._PRICE_MARKERS
 * in order ("€", "eur", "евро"), its first occurrence (str.find), and price_in's search of the
 * window from 12 characters before it (not before the text's start) to 16 after; the first
 * window with a price gives it. The three first occurrences are found in one pass over the text
 * (three str.find calls walk a two- or four-byte text three times), which stops when all three
 * are found. */
static PyObject *price_search(PyObject *module, PyObject *text) {
    if (!PyUnicode_Check(text)) {
        PyErr_SetString(PyExc_TypeError, "price_search() takes a str");
        return NULL;
    }
    if (PyUnicode_READY(text) < 0) return NULL;
    const int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    const Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    Py_ssize_t first[3] = {-1, -1, -1}; /* "€", "eur", "евро" */
    if (kind == PyUnicode_1BYTE_KIND) {
        /* A Latin-1 str holds no "€" and no "евро": only "eur", found with memchr. */
        const Py_UCS1 *p = data;
        for (Py_ssize_t at = 0; at + 3 <= n;) {
            const Py_UCS1 *e = memchr(p + at, 'e', (size_t)(n - 2 - at));
            if (e == NULL) break;
            at = e - p;
            if (p[at + 1] == 'u' && p[at + 2] == 'r') {
                first[1] = at;
                break;
            }
            at++;
        }
    }
    else if (kind == PyUnicode_2BYTE_KIND)
        price_markers(PyUnicode_2BYTE_KIND, data, n, first);
    else
        price_markers(PyUnicode_4BYTE_KIND, data, n, first);
    double price = -1.0;
    for (int k = 0; k < 3 && price < 0; k++) {
        if (first[k] < 0) continue;
        price = price_window(text, first[k] > 12 ? first[k] - 12 : 0, first[k] + 16);
        if (price < -1.5) return NULL;
    }
    return PyFloat_FromDouble(price);
}

/* slot_rules(original, lower, names, tables[, marks]) -> cities
 *
 * extract._slot_rules_py (the definition) without its Python bookkeeping: lower (the ad's word
 * tokens, a list) is changed in place and names (a list) extended as it does, and the cities
 * are returned. tables is the tuple (city_first, by_first, trigger_last, triggers,
 * not_name_words, capitalised_after, slot_city, slot_name) of extract's constants:
 *  1. cities, from the last token back: a token in city_first whose options (by_first[token], a
 *     list of (words, canonical), longest first) has one whose words follow from it is replaced
 *     by slot_city (all its words); the canonical names, in text order, without repeats;
 *  2. names, token by token: a token in trigger_last, not the last, whose next token is not in
 *     not_name_words, that ends a trigger (the 1-, 2- or 3-tuple ending with it is in triggers)
 *     gives capitalised_after(original, token, next token), the Python function itself, added
 *     to names when true and not there yet;
 *  3. every token equal to the lower-cased form of a name becomes slot_name.
 * A token in city_first or trigger_last is a rule word of the ad: the definition's
 * intersections with the ad's rule words select the same tokens. With marks (scan_rules' bytes
 * for these very tokens, or None), bit 0 of a token's byte says whether it is in city_first
 * and bit 1 whether it is in trigger_last, instead of a look-up in each set per token. */
static int slot_cities(PyObject *lower, PyObject *city_first, PyObject *by_first,
                       PyObject *slot_city, PyObject *cities, unsigned char *marks) {
    PyObject *seen = NULL, *slot_list = PyList_New(1);
    if (slot_list == NULL) return -1;
    Py_INCREF(slot_city);
    PyList_SET_ITEM(slot_list, 0, slot_city);
    for (Py_ssize_t i = PyList_GET_SIZE(lower) - 1; i >= 0; i--) {
        PyObject *token = PyList_GET_ITEM(lower, i);
        int found = marks != NULL ? marks[i] & 1 : PySet_Contains(city_first, token);
        if (found < 0) goto error;
        if (!found) continue;
        PyObject *options = PyDict_GetItemWithError(by_first, token);
        if (options == NULL) {
            if (!PyErr_Occurred()) PyErr_SetObject(PyExc_KeyError, token);
            goto error;
        }
        if (!PyList_Check(options)) {
            PyErr_SetString(PyExc_TypeError, "slot_rules(): city options must be a list");
            goto error;
        }
        for (Py_ssize_t o = 0; o < PyList_GET_SIZE(options); o++) {
            PyObject *option = PyList_GET_ITEM(options, o);
            if (!PyTuple_Check(option) || PyTuple_GET_SIZE(option) != 2 ||
                !PyTuple_Check(PyTuple_GET_ITEM(option, 0))) {
                PyErr_SetString(PyExc_TypeError, "slot_rules(): a city option is (words, name)");
                goto error;
            }
            PyObject *words = PyTuple_GET_ITEM(option, 0);
            const Py_ssize_t width = PyTuple_GET_SIZE(words);
            if (i + width > PyList_GET_SIZE(lower)) continue;
            int equal = 1;
            for (Py_ssize_t w = 0; w < width && equal; w++) {
                equal = PyObject_RichCompareBool(PyList_GET_ITEM(lower, i + w),
                                                 PyTuple_GET_ITEM(words, w), Py_EQ);
                if (equal < 0) goto error;
            }
            if (!equal) continue;
            /* Seen from the end: prepending keeps them in text order. */
            if (seen == NULL && (seen = PyList_New(0)) == NULL) goto error;
            if (PyList_Insert(seen, 0, PyTuple_GET_ITEM(option, 1)) < 0) goto error;
            const Py_ssize_t before = PyList_GET_SIZE(lower);
            if (PyList_SetSlice(lower, i, i + width, slot_list) < 0) goto error;
            if (marks != NULL && width > 0) {
                /* The marks follow the tokens: the city's become one, slot_city's (none). */
                memmove(marks + i + 1, marks + i + width, before - i - width);
                marks[i] = 0;
            }
            break;
        }
    }
    for (Py_ssize_t k = 0; seen != NULL && k < PyList_GET_SIZE(seen); k++) {
        PyObject *canonical = PyList_GET_ITEM(seen, k);
        int there = PySequence_Contains(cities, canonical);
        if (there < 0 || (!there && PyList_Append(cities, canonical) < 0)) goto error;
    }
    Py_XDECREF(seen);
    Py_DECREF(slot_list);
    return 0;
error:
    Py_XDECREF(seen);
    Py_DECREF(slot_list);
    return -1;
}

/* PyObject_RichCompareBool(token, key, Py_EQ), read from the lengths and characters when both are
 * exact str (as str's own comparison does: equal strs have the same length and kind): a name is
 * compared with every token of its ad, and a call per token was a quarter of slot_rules. */
static inline int same_str(PyObject *token, PyObject *key) {
    if (token == key) return 1;
    if (!PyUnicode_CheckExact(token) || !PyUnicode_CheckExact(key))
        return PyObject_RichCompareBool(token, key, Py_EQ);
    const Py_ssize_t length = PyUnicode_GET_LENGTH(token);
    if (length != PyUnicode_GET_LENGTH(key)) return 0;
    const int kind = PyUnicode_KIND(token);
    if (kind != PyUnicode_KIND(key)) return 0;
    return memcmp(PyUnicode_DATA(token), PyUnicode_DATA(key), (size_t)length * kind) == 0;
}

/* The first words of the triggers of each width (1-3), for the frozenset trigger_set (a strong
 * reference: while it is kept, no other set has its address), when every trigger is a tuple of
 * 1-3 exact str; else trigger_filter is 0. A tuple of tokens whose first is an exact str not
 * among its width's first words equals no trigger (equal exact strs have equal hashes), so it
 * is not built (ADR 0118: building and hashing the tuples was most of the name step). */
static PyObject *trigger_set, *trigger_firsts[4];
static int trigger_filter;

static int trigger_firsts_for(PyObject *triggers) {
    if (triggers == trigger_set) return 0;
    Py_CLEAR(trigger_set);
    for (int w = 1; w <= 3; w++) Py_CLEAR(trigger_firsts[w]);
    trigger_filter = 0;
    if (!PyFrozenSet_CheckExact(triggers)) return 0;
    for (int w = 1; w <= 3; w++)
        if ((trigger_firsts[w] = PySet_New(NULL)) == NULL) return -1;
    Py_ssize_t pos = 0;
    PyObject *item;
    Py_hash_t hash;
    int usable = 1;
    while (usable && _PySet_NextEntry(triggers, &pos, &item, &hash)) {
        const Py_ssize_t width = PyTuple_CheckExact(item) ? PyTuple_GET_SIZE(item) : 0;
        if (width < 1 || width > 3 || !PyUnicode_CheckExact(PyTuple_GET_ITEM(item, 0))) {
            usable = 0;
            break;
        }
        if (PySet_Add(trigger_firsts[width], PyTuple_GET_ITEM(item, 0)) < 0) return -1;
    }
    trigger_set = Py_NewRef(triggers);
    trigger_filter = usable;
    return 0;
}

/* Whether the 1-, 2- or 3-tuple of the tokens ending at lower[i] is in triggers. */
static int ends_trigger(PyObject *lower, Py_ssize_t i, PyObject *triggers) {
    if (trigger_firsts_for(triggers) < 0) return -1;
    for (Py_ssize_t width = 1; width <= 3 && width <= i + 1; width++) {
        PyObject *first = PyList_GET_ITEM(lower, i + 1 - width);
        if (trigger_filter && PyUnicode_CheckExact(first)) {
            const int known = PySet_Contains(trigger_firsts[width], first);
            if (known < 0) return -1;
            if (!known) continue;
        }
        /* The tuple of lower[i + 1 - width : i + 1], made directly (not through a list slice). */
        PyObject *tuple = PyTuple_New(width);
        if (tuple == NULL) return -1;
        for (Py_ssize_t w = 0; w < width; w++)
            PyTuple_SET_ITEM(tuple, w, Py_NewRef(PyList_GET_ITEM(lower, i + 1 - width + w)));
        int found = PySet_Contains(triggers, tuple);
        Py_DECREF(tuple);
        if (found != 0) return found;
    }
    return 0;
}

static PyObject *slot_rules(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    if ((nargs != 4 && nargs != 5) || !PyUnicode_Check(args[0]) || !PyList_Check(args[1]) ||
        !PyList_Check(args[2]) || !PyTuple_Check(args[3]) || PyTuple_GET_SIZE(args[3]) != 8 ||
        (nargs == 5 && args[4] != Py_None &&
         (!PyBytes_Check(args[4]) || PyBytes_GET_SIZE(args[4]) != PyList_GET_SIZE(args[1])))) {
        PyErr_SetString(PyExc_TypeError,
                        "slot_rules() takes a str, two lists, a tuple of 8 tables and marks (bytes,"
                        " one per token) or None");
        return NULL;
    }
    PyObject *original = args[0], *lower = args[1], *names = args[2], *tables = args[3];
    PyObject *city_first = PyTuple_GET_ITEM(tables, 0), *by_first = PyTuple_GET_ITEM(tables, 1),
             *trigger_last = PyTuple_GET_ITEM(tables, 2), *triggers = PyTuple_GET_ITEM(tables, 3),
             *not_names = PyTuple_GET_ITEM(tables, 4), *after = PyTuple_GET_ITEM(tables, 5),
             *slot_city = PyTuple_GET_ITEM(tables, 6), *slot_name = PyTuple_GET_ITEM(tables, 7);
    if (!PyAnySet_Check(city_first) || !PyDict_Check(by_first) || !PyAnySet_Check(trigger_last) ||
        !PyAnySet_Check(triggers) || !PyAnySet_Check(not_names) || !PyCallable_Check(after)) {
        PyErr_SetString(PyExc_TypeError, "slot_rules(): tables of the wrong types");
        return NULL;
    }
    /* The marks, when given, answer "in city_first" (bit 0) and "in trigger_last" (bit 1) for
     * each token: a copy, changed as the cities change the tokens. */
    unsigned char *marks = NULL;
    if (nargs == 5 && args[4] != Py_None) {
        const Py_ssize_t size = PyBytes_GET_SIZE(args[4]);
        marks = PyMem_Malloc(size ? size : 1);
        if (marks == NULL) return PyErr_NoMemory();
        memcpy(marks, PyBytes_AS_STRING(args[4]), size);
    }
    PyObject *cities = PyList_New(0);
    if (cities == NULL) {
        PyMem_Free(marks);
        return NULL;
    }
    if (slot_cities(lower, city_first, by_first, slot_city, cities, marks) < 0) goto error;
    /* 2. Names after their triggers. */
    for (Py_ssize_t i = 0; i + 1 < PyList_GET_SIZE(lower); i++) {
        PyObject *token = PyList_GET_ITEM(lower, i);
        int found = marks != NULL ? (marks[i] >> 1) & 1 : PySet_Contains(trigger_last, token);
        if (found < 0) goto error;
        if (!found) continue;
        PyObject *next = PyList_GET_ITEM(lower, i + 1);
        found = PySet_Contains(not_names, next);
        if (found < 0) goto error;
        if (found) continue;
        found = ends_trigger(lower, i, triggers);
        if (found < 0) goto error;
        if (!found) continue;
        PyObject *call_args[3] = {original, token, next};
        PyObject *name = PyObject_Vectorcall(after, call_args, 3, NULL);
        if (name == NULL) goto error;
        int keep = PyObject_IsTrue(name);
        if (keep > 0) {
            int there = PySequence_Contains(names, name);
            keep = there < 0 ? -1 : !there;
        }
        if (keep > 0 && PyList_Append(names, name) < 0) keep = -1;
        Py_DECREF(name);
        if (keep < 0) goto error;
    }
    /* 3. The names' tokens as the name slot. */
    for (Py_ssize_t k = 0; k < PyList_GET_SIZE(names); k++) {
        PyObject *key = PyObject_CallMethodNoArgs(PyList_GET_ITEM(names, k), lower_name);
        if (key == NULL) goto error;
        for (Py_ssize_t i = 0; i < PyList_GET_SIZE(lower); i++) {
            int equal = same_str(PyList_GET_ITEM(lower, i), key);
            if (equal < 0) {
                Py_DECREF(key);
                goto error;
            }
            if (equal) {
                Py_INCREF(slot_name);
                if (PyList_SetItem(lower, i, slot_name) < 0) {
                    Py_DECREF(key);
                    goto error;
                }
            }
        }
        Py_DECREF(key);
    }
    PyMem_Free(marks);
    return cities;
error:
    PyMem_Free(marks);
    Py_DECREF(cities);
    return NULL;
}

/* capitalised_after(original, trigger, token) -> the name, or None
 *
 * extract._capitalised_after (the definition), without a Python frame and without a new str
 * per occurrence: name = token.capitalize() (str's own method, the one piece of Unicode
 * casing it needs), then each occurrence of name in original, left to right, resuming after
 * it: the name when original[max(0, start - len(trigger) - 3):start].lower().rstrip(" ,:-")
 * ends with trigger and the characters around the occurrence are not alphanumeric (str.isalnum
 * of one character is Py_UNICODE_ISALNUM). The lower-casing is done here for ASCII characters
 * (one character each, the same code point); a window holding any other character is
 * lower-cased by str.lower itself (its full mappings can change the length). */
static int ends_with_trigger(PyObject *original, Py_ssize_t from, Py_ssize_t start,
                             PyObject *trigger) {
    const int kind = PyUnicode_KIND(original);
    const void *data = PyUnicode_DATA(original);
    const Py_ssize_t tn = PyUnicode_GET_LENGTH(trigger);
    const int tkind = PyUnicode_KIND(trigger);
    const void *tdata = PyUnicode_DATA(trigger);
    int ascii = 1;
    for (Py_ssize_t i = from; i < start && ascii; i++)
        ascii = PyUnicode_READ(kind, data, i) < 128;
    if (ascii) {
        Py_ssize_t end = start;
        while (end > from) {
            Py_UCS4 c = PyUnicode_READ(kind, data, end - 1);
            if (c != ' ' && c != ',' && c != ':' && c != '-') break;
            end--;
        }
        if (end - from < tn) return 0;
        for (Py_ssize_t k = 0; k < tn; k++) {
            Py_UCS4 c = PyUnicode_READ(kind, data, end - tn + k);
            if (c >= 'A' && c <= 'Z') c += 'a' - 'A';
            if (c != PyUnicode_READ(tkind, tdata, k)) return 0;
        }
        return 1;
    }
    PyObject *window = PyUnicode_Substring(original, from, start);
    if (window == NULL) return -1;
    PyObject *lowered = PyObject_CallMethod(window, "lower", NULL);
    Py_DECREF(window);
    if (lowered == NULL) return -1;
    const int lkind = PyUnicode_KIND(lowered);
    const void *ldata = PyUnicode_DATA(lowered);
    Py_ssize_t end = PyUnicode_GET_LENGTH(lowered);
    while (end > 0) {
        Py_UCS4 c = PyUnicode_READ(lkind, ldata, end - 1);
        if (c != ' ' && c != ',' && c != ':' && c != '-') break;
        end--;
    }
    int result = end >= tn;
    for (Py_ssize_t k = 0; k < tn && result; k++)
        result = PyUnicode_READ(lkind, ldata, end - tn + k) == PyUnicode_READ(tkind, tdata, k);
    Py_DECREF(lowered);
    return result;
}

static PyObject *capitalised_after(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 3 || !PyUnicode_Check(args[0]) || !PyUnicode_Check(args[1]) ||
        !PyUnicode_Check(args[2])) {
        PyErr_SetString(PyExc_TypeError, "capitalised_after() takes three str");
        return NULL;
    }
    PyObject *original = args[0], *trigger = args[1], *token = args[2];
    if (PyUnicode_READY(original) < 0 || PyUnicode_READY(trigger) < 0) return NULL;
    if (PyUnicode_GET_LENGTH(token) == 0) {
        /* The definition never ends for an empty token (tokens are runs of \w+). */
        PyErr_SetString(PyExc_ValueError, "capitalised_after() takes a non-empty token");
        return NULL;
    }
    PyObject *name = PyObject_CallMethodNoArgs(token, capitalize_name);
    if (name == NULL) return NULL;
    const Py_ssize_t n = PyUnicode_GET_LENGTH(original);
    const Py_ssize_t length = PyUnicode_GET_LENGTH(name);
    const Py_ssize_t back = PyUnicode_GET_LENGTH(trigger) + 3;
    const int kind = PyUnicode_KIND(original);
    const void *data = PyUnicode_DATA(original);
    Py_ssize_t start = PyUnicode_Find(original, name, 0, n, 1);
    while (start >= 0) {
        const Py_ssize_t end = start + length;
        int found = ends_with_trigger(original, start > back ? start - back : 0, start, trigger);
        if (found < 0) break;
        if (found && (end == n || !Py_UNICODE_ISALNUM(PyUnicode_READ(kind, data, end))) &&
            (start == 0 || !Py_UNICODE_ISALNUM(PyUnicode_READ(kind, data, start - 1))))
            return name;
        /* str.find with a start beyond the text's end finds nothing (an empty name aside). */
        if (end > n) break;
        start = PyUnicode_Find(original, name, end, n, 1);
    }
    Py_DECREF(name);
    if (start == -2 || PyErr_Occurred()) return NULL;
    Py_RETURN_NONE;
}

/* title_names(title, tables) -> extract._title_names(title): (name, age), or None
 *
 * The definition (``_title_names``: ``_TITLE_PERSONA_RE`` at the title's start, else
 * ``title_persona``; a test compares them on generated, boundary and the corpora's titles)
 * without a regular expression or bytecode: most titles are new to a worker (ADR 0118), and
 * the definition cost 1.3-1.9 µs each. tables: (_NOT_NAMES, _TITLE_SKIP_WORDS,
 * _TITLE_END_WORDS, _TITLE_WORDS, _CITY_PREPOSITIONS, _CITY_FIRST_WORDS), sets of str. The
 * character classes are sre's for a str pattern: \w is Py_UNICODE_ISALNUM or "_" (is_word),
 * \d Py_UNICODE_ISDECIMAL (is_digit), \s Py_UNICODE_ISSPACE. */
enum { T_NOT_NAMES, T_SKIP, T_END, T_TITLE_WORDS, T_PREPOSITIONS, T_CITY_FIRST, T_COUNT };

/* _CAP's classes: [A-ZÀ-ÖØ-ÞЀ-Я] then [a-zß-öø-ÿа-џ]. */
static inline int cap_upper(Py_UCS4 c) {
    return (c >= 'A' && c <= 'Z') || (c >= 0xC0 && c <= 0xD6) || (c >= 0xD8 && c <= 0xDE) ||
           (c >= 0x400 && c <= 0x42F);
}

static inline int cap_lower(Py_UCS4 c) {
    return (c >= 'a' && c <= 'z') || (c >= 0xDF && c <= 0xF6) || (c >= 0xF8 && c <= 0xFF) ||
           (c >= 0x430 && c <= 0x45F);
}

/* _TITLE_PERSONA_RE.match(title): ^\W*(?P<name>_CAP)\s*[,(\-]\s*(?P<age>[1-6]\d)\b. No step
 * of it can backtrack to another outcome (each greedy run is followed by a character its own
 * class excludes), so one forward pass decides. 1 with *name (new) and *age, 0 without a match,
 * -1 on error. */
static int title_persona_match(PyObject *title, const int kind, const void *data, Py_ssize_t n,
                               PyObject **name, long *age) {
    Py_ssize_t i = 0;
    while (i < n && !is_word(PyUnicode_READ(kind, data, i))) i++;
    if (i >= n || !cap_upper(PyUnicode_READ(kind, data, i))) return 0;
    const Py_ssize_t start = i++;
    while (i < n && cap_lower(PyUnicode_READ(kind, data, i))) i++;
    if (i - start < 2 || i - start > 16) return 0;
    const Py_ssize_t end = i;
    while (i < n && Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, i))) i++;
    if (i >= n) return 0;
    Py_UCS4 c = PyUnicode_READ(kind, data, i);
    if (c != ',' && c != '(' && c != '-') return 0;
    i++;
    while (i < n && Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, i))) i++;
    if (i + 1 >= n) return 0;
    const Py_UCS4 tens = PyUnicode_READ(kind, data, i), ones = PyUnicode_READ(kind, data, i + 1);
    if (tens < '1' || tens > '6' || !is_digit(ones)) return 0;
    if (i + 2 < n && is_word(PyUnicode_READ(kind, data, i + 2))) return 0;
    *age = (long)(tens - '0') * 10 + Py_UNICODE_TODECIMAL(ones);
    *name = PyUnicode_Substring(title, start, end);
    return *name == NULL ? -1 : 1;
}

/* The names found, each text one object: a worker's result carries a name an ad, and the
 * pickler's memo sends an object it has sent before as a reference (ADR 0113), which a new str
 * for each ad would not get. Forgotten when it grows past TITLE_NAMES_MAX. */
#define TITLE_NAMES_MAX 65536
static PyObject *title_name_objects;

/* The name as the object of that text seen first (a new reference; the argument is stolen). */
static PyObject *title_name_object(PyObject *name) {
    if (title_name_objects == NULL && (title_name_objects = PyDict_New()) == NULL) goto error;
    PyObject *known = PyDict_GetItemWithError(title_name_objects, name);
    if (known != NULL) {
        Py_DECREF(name);
        return Py_NewRef(known);
    }
    if (PyErr_Occurred()) goto error;
    if (PyDict_GET_SIZE(title_name_objects) >= TITLE_NAMES_MAX) PyDict_Clear(title_name_objects);
    if (PyDict_SetItem(title_name_objects, name, name) < 0) goto error;
    return name;
error:
    Py_DECREF(name);
    return NULL;
}

/* One token of _TITLE_TOKEN_RE ([^\W\d_]+|\d+): its span. */
typedef struct {
    Py_ssize_t start, end;
} TitleToken;

/* str.lower of the token's text in the set: 1, 0, or -1 on error. */
static int title_lower_in(PyObject *title, const TitleToken *t, PyObject *set) {
    PyObject *token = PyUnicode_Substring(title, t->start, t->end);
    if (token == NULL) return -1;
    PyObject *low = PyObject_CallMethodNoArgs(token, lower_name);
    Py_DECREF(token);
    if (low == NULL) return -1;
    int found = PySet_Contains(set, low);
    Py_DECREF(low);
    return found;
}

/* str.isupper of the span: a cased character and no lower-case or title-case one. */
static int title_isupper(const int kind, const void *data, const TitleToken *t) {
    int cased = 0;
    for (Py_ssize_t i = t->start; i < t->end; i++) {
        const Py_UCS4 ch = PyUnicode_READ(kind, data, i);
        if (Py_UNICODE_ISLOWER(ch) || Py_UNICODE_ISTITLE(ch)) return 0;
        if (Py_UNICODE_ISUPPER(ch)) cased = 1;
    }
    return cased;
}

/* The age that the token after the candidate gives: int(token) when it is decimal and in
 * 18..69, else -1; -2 on error (int() refuses a run longer than the interpreter's limit on
 * digits, as the definition does). */
static long title_age(PyObject *title, const int kind, const void *data, const TitleToken *t) {
    for (Py_ssize_t i = t->start; i < t->end; i++)
        if (!Py_UNICODE_ISDECIMAL(PyUnicode_READ(kind, data, i))) return -1;
    long value = 0;
    if (t->end - t->start <= 9) {
        for (Py_ssize_t i = t->start; i < t->end; i++)
            value = value * 10 + Py_UNICODE_TODECIMAL(PyUnicode_READ(kind, data, i));
    } else {
        PyObject *token = PyUnicode_Substring(title, t->start, t->end);
        if (token == NULL) return -2;
        PyObject *number = PyLong_FromUnicodeObject(token, 10);
        Py_DECREF(token);
        if (number == NULL) return -2;
        int overflow = 0;
        value = PyLong_AsLongAndOverflow(number, &overflow);
        Py_DECREF(number);
        if (overflow) return -1;
        if (value == -1 && PyErr_Occurred()) return -2;
    }
    return value >= 18 && value <= 69 ? value : -1;
}

static PyObject *title_persona_of(PyObject *title, const int kind, const void *data,
                                  Py_ssize_t n, PyObject *const *sets) {
    TitleToken small[32], *tokens = small;
    Py_ssize_t count = 0, capacity = 32;
    PyObject *result = NULL;
    for (Py_ssize_t i = 0; i < n;) {
        const Py_UCS4 c = PyUnicode_READ(kind, data, i);
        const int digit = is_digit(c);
        if (!digit && !is_word(c)) {
            i++;
            continue;
        }
        /* [^\W\d_]: a word character that is neither a decimal nor "_". */
        if (!digit && c == '_') {
            i++;
            continue;
        }
        const Py_ssize_t start = i++;
        while (i < n) {
            const Py_UCS4 d = PyUnicode_READ(kind, data, i);
            if (digit ? !is_digit(d) : (!is_word(d) || is_digit(d) || d == '_')) break;
            i++;
        }
        if (count == capacity) {
            TitleToken *grown = PyMem_Malloc(2 * capacity * sizeof(TitleToken));
            if (grown == NULL) {
                PyErr_NoMemory();
                goto done;
            }
            memcpy(grown, tokens, count * sizeof(TitleToken));
            if (tokens != small) PyMem_Free(tokens);
            tokens = grown;
            capacity *= 2;
        }
        tokens[count].start = start;
        tokens[count++].end = i;
    }
    for (Py_ssize_t i = 0; i < count; i++) {
        const TitleToken *t = &tokens[i];
        const Py_ssize_t length = t->end - t->start;
        if (length < 2) continue;
        int all_digits = 1;
        for (Py_ssize_t k = t->start; k < t->end && all_digits; k++)
            all_digits = Py_UNICODE_ISDIGIT(PyUnicode_READ(kind, data, k));
        if (all_digits) continue;
        PyObject *token = PyUnicode_Substring(title, t->start, t->end);
        if (token == NULL) goto done;
        PyObject *low = PyObject_CallMethodNoArgs(token, lower_name);
        if (low == NULL) {
            Py_DECREF(token);
            goto done;
        }
        int skip = PySet_Contains(sets[T_SKIP], low);
        int end = skip == 0 ? PySet_Contains(sets[T_END], low) : 0;
        Py_DECREF(low);
        if (skip < 0 || end < 0) {
            Py_DECREF(token);
            goto done;
        }
        if (skip) {
            Py_DECREF(token);
            continue;
        }
        if (end || length > 15) {
            Py_DECREF(token);
            result = Py_NewRef(Py_None);
            goto done;
        }
        long age = i + 1 < count ? title_age(title, kind, data, &tokens[i + 1]) : -1;
        if (age == -2) {
            Py_DECREF(token);
            goto done;
        }
        const int capital = Py_UNICODE_ISUPPER(PyUnicode_READ(kind, data, t->start)) != 0;
        if (age < 0) {
            int evidence = 0;
            if (capital) {
                evidence = i + 1 == count;
                if (!evidence && i > 0)
                    evidence = title_lower_in(title, &tokens[i - 1], sets[T_TITLE_WORDS]);
                if (evidence == 0 && i + 2 < count) {
                    evidence = title_lower_in(title, &tokens[i + 1], sets[T_PREPOSITIONS]);
                    if (evidence == 1)
                        evidence = title_lower_in(title, &tokens[i + 2], sets[T_CITY_FIRST]);
                }
            }
            if (evidence <= 0) {
                Py_DECREF(token);
                if (evidence == 0) result = Py_NewRef(Py_None);
                goto done;
            }
        }
        PyObject *name = token;
        if (!capital || title_isupper(kind, data, t)) {
            name = PyObject_CallMethodNoArgs(token, capitalize_name);
            Py_DECREF(token);
            if (name == NULL) goto done;
        }
        int not_name = PySet_Contains(sets[T_NOT_NAMES], name);
        if (not_name != 0) {
            Py_DECREF(name);
            if (not_name > 0) result = Py_NewRef(Py_None);
            goto done;
        }
        name = title_name_object(name);
        if (name != NULL) result = Py_BuildValue("(Nl)", name, age);
        goto done;
    }
    result = Py_NewRef(Py_None);
done:
    if (tokens != small) PyMem_Free(tokens);
    return result;
}

static PyObject *title_names(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 2 || !PyUnicode_Check(args[0]) || !PyTuple_Check(args[1]) ||
        PyTuple_GET_SIZE(args[1]) != T_COUNT) {
        PyErr_SetString(PyExc_TypeError, "title_names() takes a str and a tuple of 6 sets");
        return NULL;
    }
    PyObject *const *sets = &PyTuple_GET_ITEM(args[1], 0);
    for (int k = 0; k < T_COUNT; k++)
        if (!PyAnySet_Check(sets[k])) {
            PyErr_SetString(PyExc_TypeError, "title_names(): the tables must be sets");
            return NULL;
        }
    PyObject *title = args[0];
    if (PyUnicode_READY(title) < 0) return NULL;
    const int kind = PyUnicode_KIND(title);
    const void *data = PyUnicode_DATA(title);
    const Py_ssize_t n = PyUnicode_GET_LENGTH(title);
    PyObject *name = NULL;
    long age = -1;
    int matched = title_persona_match(title, kind, data, n, &name, &age);
    if (matched < 0) return NULL;
    if (matched) {
        int not_name = PySet_Contains(sets[T_NOT_NAMES], name);
        if (not_name < 0) {
            Py_DECREF(name);
            return NULL;
        }
        if (!not_name) {
            name = title_name_object(name);
            return name == NULL ? NULL : Py_BuildValue("(Nl)", name, age);
        }
        Py_DECREF(name);
    }
    return title_persona_of(title, kind, data, n, sets);
}

/* mobile_key(raw) -> "tel:+316xxxxxxxx", or None
 *
 * The key extract.normalise_phone gives a phone as written (f"tel:{normalise_phone(raw)}"), when
 * its first rule answers: the digits (raw with "o" as 0 and "l" as 1, all but \d and "+" left
 * out, a leading "00" as "+", any later "+" left out) are a Dutch mobile number that
 * _DUTCH_MOBILE_RE, (?:\+31|0)(6[1-58]\d{7})(?!\d), matches at their start. None for every other
 * number: the caller asks the definition (most numbers of the ads are such mobiles; the
 * definition's cache misses cost a few thousand instructions each, ADR 0118). */
static PyObject *mobile_key(PyObject *module, PyObject *raw) {
    if (!PyUnicode_Check(raw)) {
        PyErr_SetString(PyExc_TypeError, "mobile_key() takes a str");
        return NULL;
    }
    if (PyUnicode_READY(raw) < 0) return NULL;
    const int kind = PyUnicode_KIND(raw);
    const void *data = PyUnicode_DATA(raw);
    const Py_ssize_t n = PyUnicode_GET_LENGTH(raw);
    /* A match is 14 characters at most ("00" + "31" + nine), and "+" signs: a phone of more
     * than MOBILE_CHARS digits and signs is left to the definition. */
    enum { MOBILE_CHARS = 64 };
    Py_UCS4 digits[MOBILE_CHARS];
    Py_ssize_t count = 0;
    for (Py_ssize_t i = 0; i < n && count < MOBILE_CHARS; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        if (c == 'o') c = '0';
        else if (c == 'l') c = '1';
        if (c == '+' || is_digit(c)) digits[count++] = c;
    }
    Py_ssize_t at = 0, plus = 0;
    if (count >= 2 && digits[0] == '0' && digits[1] == '0') at = 2, plus = 1;
    else if (count >= 1 && digits[0] == '+') at = 1, plus = 1;
    /* The digits after the first character, without the "+" signs the definition drops. */
    Py_UCS4 rest[MOBILE_CHARS];
    Py_ssize_t length = 0;
    for (Py_ssize_t i = at; i < count; i++)
        if (digits[i] != '+') rest[length++] = digits[i];
    Py_ssize_t start;
    if (plus) {
        if (length < 2 || rest[0] != '3' || rest[1] != '1') Py_RETURN_NONE;
        start = 2;
    } else {
        if (length < 1 || rest[0] != '0') Py_RETURN_NONE;
        start = 1;
    }
    if (length != start + 9 || rest[start] != '6') Py_RETURN_NONE;
    const Py_UCS4 second = rest[start + 1];
    if (!((second >= '1' && second <= '5') || second == '8')) Py_RETURN_NONE;
    /* (?!\d): nothing follows, which the length says only when no digit was cut off. */
    if (count == MOBILE_CHARS) Py_RETURN_NONE;
    Py_UCS4 key[17] = {'t', 'e', 'l', ':', '+', '3', '1'};
    memcpy(key + 7, rest + start, 9 * sizeof(Py_UCS4));
    return PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, key, 16);
}


/* typed_fields(record) -> reader.typed_fields(record), or None
 *
 * reader.typed_fields (the definition; a test compares them) for the record of the typed
 * decoder in the common case, without its bytecode: every text field text or None, the price
 * and the age integers below 2**53 (or None, or ""), the posting time empty or of the shape
 * "YYYY-MM-DDThh:mm:ssZ" with a real date. Anything else, a record the definition refuses
 * included, gives None, and the caller asks the definition (for the value or the reason). */
enum { F_ID, F_URL, F_POSTED, F_CITY, F_TITLE, F_TEXT, F_PHONE, F_EMAIL, F_HASHES, F_PRICE, F_AGE,
       F_COUNT };
static const char *const field_names[F_COUNT] = {
    "id",   "url",   "posted_at", "city",         "title", "text",
    "phone", "email", "image_hashes", "price",   "age"};
static PyObject *field_name_objects[F_COUNT];
static PyObject *strip_name;

/* The record type whose fields typed_fields reads from their slots, with each field's offset
 * there: the typed decoder's struct type keeps its fields as member descriptors (slots, which
 * are data descriptors and so what attribute access reads), and reading the slot skips
 * PyObject_GetAttr's look-up of the name in the type per field (eleven an ad). Kept for one
 * type at a time, and only while the type's version tag is the one seen (a change to the type,
 * such as a field made a property, changes it); anything else reads the attributes. */
static PyTypeObject *slots_type;
static unsigned int slots_version;
static Py_ssize_t slot_offsets[F_COUNT];

static int fields_in_slots(PyTypeObject *type) {
    if (type == slots_type && (type->tp_flags & Py_TPFLAGS_VALID_VERSION_TAG) &&
        type->tp_version_tag == slots_version)
        return 1;
    if (type->tp_getattro != PyObject_GenericGetAttr) return 0;
    Py_ssize_t offsets[F_COUNT];
    for (int k = 0; k < F_COUNT; k++) {
        PyObject *descr = _PyType_Lookup(type, field_name_objects[k]); /* borrowed */
        if (descr == NULL || !Py_IS_TYPE(descr, &PyMemberDescr_Type)) return 0;
        const PyMemberDef *member = ((PyMemberDescrObject *)descr)->d_member;
        if (member->type != T_OBJECT_EX || !PyType_IsSubtype(type, PyDescr_TYPE(descr)))
            return 0;
        offsets[k] = member->offset;
    }
    if (!(type->tp_flags & Py_TPFLAGS_VALID_VERSION_TAG)) return 0;
    Py_INCREF(type);
    Py_XSETREF(slots_type, type);
    slots_version = type->tp_version_tag;
    memcpy(slot_offsets, offsets, sizeof(offsets));
    return 1;
}

/* The field's text, "" for None; NULL (no exception) when it is not text. */
static PyObject *text_or_empty(PyObject *value) {
    if (value == Py_None) return Py_NewRef(empty_name);
    if (!PyUnicode_CheckExact(value)) return NULL;
    return Py_NewRef(value);
}

/* str.strip() of a str (a new reference), or NULL with an exception set. */
static PyObject *stripped(PyObject *text) {
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    if (n == 0 || (!Py_UNICODE_ISSPACE(PyUnicode_READ_CHAR(text, 0)) &&
                   !Py_UNICODE_ISSPACE(PyUnicode_READ_CHAR(text, n - 1))))
        return Py_NewRef(text);
    return PyObject_CallMethodNoArgs(text, strip_name);
}

/* reader._number_value of an int below 2**53 in size, None or "": 0 with *out set; 1 when the
 * definition must decide (another value, or a negative one). */
static int small_number(PyObject *value, double *out) {
    if (value == Py_None || (PyUnicode_CheckExact(value) && PyUnicode_GET_LENGTH(value) == 0)) {
        *out = -1.0;
        return 0;
    }
    if (!PyLong_CheckExact(value)) return 1;
    int overflow = 0;
    long long v = PyLong_AsLongLongAndOverflow(value, &overflow);
    if (overflow || (v == -1 && PyErr_Occurred())) {
        PyErr_Clear();
        return 1;
    }
    if (v < 0 || v >= (1LL << 53)) return 1;
    *out = (double)v;
    return 0;
}

static int ascii_digits(PyObject *text, Py_ssize_t at, Py_ssize_t count, int *value) {
    int v = 0;
    for (Py_ssize_t i = at; i < at + count; i++) {
        Py_UCS4 c = PyUnicode_READ_CHAR(text, i);
        if (c < '0' || c > '9') return 0;
        v = v * 10 + (int)(c - '0');
    }
    *value = v;
    return 1;
}

/* reader._day of a posting time: -1 for "", the proleptic Gregorian ordinal of the date of a
 * date "YYYY-MM-DD" or of a time of the shape _UTC_TIME_SHAPE reads, with a real date (ASCII
 * digits); -2 when the definition must decide. */
static long posting_day(PyObject *posted_at) {
    Py_ssize_t n = PyUnicode_GET_LENGTH(posted_at);
    if (n == 0) return -1;
    if ((n != 20 && n != 10) || PyUnicode_KIND(posted_at) != PyUnicode_1BYTE_KIND) return -2;
    const Py_UCS1 *s = PyUnicode_1BYTE_DATA(posted_at);
    int year, month, day, hour, minute, second;
    if (s[4] != '-' || s[7] != '-') return -2;
    if (!ascii_digits(posted_at, 0, 4, &year) || !ascii_digits(posted_at, 5, 2, &month) ||
        !ascii_digits(posted_at, 8, 2, &day))
        return -2;
    if (n == 20) {
        if (s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[19] != 'Z') return -2;
        if (!ascii_digits(posted_at, 11, 2, &hour) || !ascii_digits(posted_at, 14, 2, &minute) ||
            !ascii_digits(posted_at, 17, 2, &second))
            return -2;
        if (hour > 23 || minute > 59 || second > 59) return -2;
    }
    static const int month_days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    if (year < 1 || month < 1 || month > 12 || day < 1 ||
        day > month_days[month - 1] + (month == 2 && leap))
        return -2;
    long y = year - 1;
    long ordinal = y * 365 + y / 4 - y / 100 + y / 400;
    for (int m = 1; m < month; m++) ordinal += month_days[m - 1] + (m == 2 && leap);
    return ordinal + day;
}

static PyObject *typed_fields(PyObject *module, PyObject *record) {
    PyObject *f[F_COUNT] = {NULL};
    PyObject *t[11] = {NULL}; /* the result's items */
    PyObject *result = NULL;
    const int in_slots = fields_in_slots(Py_TYPE(record));
    for (int k = 0; k < F_COUNT; k++) {
        /* An empty slot: its attribute raises what attribute access raises. */
        PyObject *value = in_slots ? *(PyObject **)((char *)record + slot_offsets[k]) : NULL;
        f[k] = value != NULL ? Py_NewRef(value) : PyObject_GetAttr(record, field_name_objects[k]);
        if (f[k] == NULL) goto done;
    }
    /* Text fields: text or None, else the definition decides. */
    PyObject *id_text = text_or_empty(f[F_ID]);
    if (id_text == NULL) goto fallback;
    t[0] = stripped(id_text);
    Py_DECREF(id_text);
    if (t[0] == NULL) goto done;
    if (PyUnicode_GET_LENGTH(t[0]) == 0) goto fallback; /* missing 'id' */
    t[4] = text_or_empty(f[F_TITLE]);
    t[5] = text_or_empty(f[F_TEXT]);
    if (t[4] == NULL || t[5] == NULL) goto fallback;
    if (PyUnicode_GET_LENGTH(t[4]) == 0 && PyUnicode_GET_LENGTH(t[5]) == 0) goto fallback;
    double age, price;
    if (small_number(f[F_AGE], &age) || small_number(f[F_PRICE], &price)) goto fallback;
    PyObject *posted = text_or_empty(f[F_POSTED]);
    if (posted == NULL) goto fallback;
    PyObject *posted_stripped = stripped(posted);
    Py_DECREF(posted);
    if (posted_stripped == NULL) goto done;
    long day = posting_day(posted_stripped);
    Py_DECREF(posted_stripped);
    if (day == -2) goto fallback;
    PyObject *url = text_or_empty(f[F_URL]), *city = text_or_empty(f[F_CITY]);
    if (url == NULL || city == NULL) {
        Py_XDECREF(url);
        Py_XDECREF(city);
        goto fallback;
    }
    t[1] = stripped(url);
    t[3] = stripped(city);
    Py_DECREF(url);
    Py_DECREF(city);
    if (t[1] == NULL || t[3] == NULL) goto done;
    t[2] = PyLong_FromLong(day);
    t[6] = text_or_empty(f[F_PHONE]);
    t[7] = text_or_empty(f[F_EMAIL]);
    if (t[2] == NULL || t[6] == NULL || t[7] == NULL) {
        if (PyErr_Occurred()) goto done;
        goto fallback;
    }
    PyObject *hashes = f[F_HASHES];
    if (hashes == Py_None || (PyUnicode_CheckExact(hashes) && PyUnicode_GET_LENGTH(hashes) == 0) ||
        (PyList_CheckExact(hashes) && PyList_GET_SIZE(hashes) == 0))
        t[8] = PyTuple_New(0);
    else if (PyUnicode_CheckExact(hashes))
        t[8] = PyTuple_Pack(1, hashes);
    else if (PyList_CheckExact(hashes))
        t[8] = PyList_AsTuple(hashes);
    else
        goto fallback;
    t[9] = PyFloat_FromDouble(price);
    t[10] = PyLong_FromLongLong(age >= 0 ? (long long)age : -1);
    if (t[8] == NULL || t[9] == NULL || t[10] == NULL) goto done;
    result = PyTuple_New(11);
    if (result == NULL) goto done;
    for (int k = 0; k < 11; k++) {
        PyTuple_SET_ITEM(result, k, t[k]);
        t[k] = NULL;
    }
    goto done;
fallback:
    if (!PyErr_Occurred()) result = Py_NewRef(Py_None);
done:
    for (int k = 0; k < F_COUNT; k++) Py_XDECREF(f[k]);
    for (int k = 0; k < 11; k++) Py_XDECREF(t[k]);
    return result;
}

/* lower(text) -> text.lower()
 *
 * str.lower, the same str (a test compares them on every code point, alone and in context).
 * CPython lower-cases a text that is not all ASCII through _PyUnicode_ToLowerFull for every
 * character, the ASCII ones too, and six ads in ten are such texts (an emoji or another script
 * makes them a wider str) whose characters are mostly ASCII: here an ASCII character is
 * lower-cased inline and any other goes through the same _PyUnicode_ToLowerFull, the capital
 * sigma through str.lower's final-sigma rule (unicodeobject.c's handle_capital_sigma). An
 * all-ASCII text is mapped byte by byte, as str.lower does. */
static Py_UCS4 capital_sigma(const int kind, const void *data, Py_ssize_t n, Py_ssize_t i) {
    /* Final when a cased character comes before it and none after it, case-ignorable ones
     * skipped on both sides. */
    Py_ssize_t j;
    Py_UCS4 c = 0;
    for (j = i - 1; j >= 0; j--) {
        c = PyUnicode_READ(kind, data, j);
        if (!_PyUnicode_IsCaseIgnorable(c)) break;
    }
    int final_sigma = j >= 0 && _PyUnicode_IsCased(c);
    if (final_sigma && i + 1 < n) {
        for (j = i + 1; j < n; j++) {
            c = PyUnicode_READ(kind, data, j);
            if (!_PyUnicode_IsCaseIgnorable(c)) break;
        }
        final_sigma = j == n || !_PyUnicode_IsCased(c);
    }
    return final_sigma ? 0x3C2 : 0x3C3;
}

PER_KIND Py_ssize_t lower_kind(const int kind, const void *data, Py_ssize_t n, Py_UCS4 *out) {
    Py_ssize_t k = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        const Py_UCS4 c = PyUnicode_READ(kind, data, i);
        if (c < 128) {
            out[k++] = c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
        } else if (c == 0x3A3) {
            out[k++] = capital_sigma(kind, data, n, i);
        } else {
            Py_UCS4 mapped[3];
            const int count = _PyUnicode_ToLowerFull(c, mapped);
            for (int m = 0; m < count; m++) out[k++] = mapped[m];
        }
    }
    return k;
}

/* The characters lowered, up to three for one (str.lower's bound): kept between calls, the
 * GIL held throughout (nothing here calls back into Python). */
static Py_UCS4 *lower_buffer;
static Py_ssize_t lower_capacity;

static PyObject *lower(PyObject *module, PyObject *text) {
    if (!PyUnicode_Check(text)) {
        PyErr_SetString(PyExc_TypeError, "lower() takes a str");
        return NULL;
    }
    if (PyUnicode_READY(text) < 0) return NULL;
    const Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    const void *data = PyUnicode_DATA(text);
    if (PyUnicode_IS_ASCII(text)) {
        PyObject *out = PyUnicode_New(n, 127);
        if (out == NULL) return NULL;
        const unsigned char *from = data;
        unsigned char *to = PyUnicode_1BYTE_DATA(out);
        for (Py_ssize_t i = 0; i < n; i++)
            to[i] = from[i] >= 'A' && from[i] <= 'Z' ? from[i] + ('a' - 'A') : from[i];
        return out;
    }
    if (n > PY_SSIZE_T_MAX / 3 / (Py_ssize_t)sizeof(Py_UCS4)) return PyErr_NoMemory();
    if (3 * n > lower_capacity) {
        Py_UCS4 *grown = PyMem_Realloc(lower_buffer, 3 * n * sizeof(Py_UCS4));
        if (grown == NULL) return PyErr_NoMemory();
        lower_buffer = grown, lower_capacity = 3 * n;
    }
    Py_ssize_t length;
    switch (PyUnicode_KIND(text)) {
    case PyUnicode_1BYTE_KIND:
        length = lower_kind(PyUnicode_1BYTE_KIND, data, n, lower_buffer);
        break;
    case PyUnicode_2BYTE_KIND:
        length = lower_kind(PyUnicode_2BYTE_KIND, data, n, lower_buffer);
        break;
    default:
        length = lower_kind(PyUnicode_4BYTE_KIND, data, n, lower_buffer);
    }
    /* The narrowest kind that holds the result, as str.lower's. */
    return PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, lower_buffer, length);
}

/* age_after_name(text, name) -> int
 *
 * What extract's definition reads after an ad's first name (_age_after_name_py): at =
 * text.find(name), then _AGE_AFTER_NAME_RE, \s*(?:[,(\-]|\s)\s*(?P<age>[1-6]\d)(?!\d), matched at
 * at + len(name), its age as int; -1 when the name is not in the text or nothing matches. The
 * pattern decides in one forward pass: after the run of whitespace that starts there (ending at
 * j), a "," "(" or "-" at j must be followed by more whitespace and the age; any other character
 * at j needs the run to be non-empty (its last space is the \s) and the age at j; no shorter
 * run can do better, for a space is neither a digit nor one of the three. Classes are sre's for
 * a str pattern: \s Py_UNICODE_ISSPACE, \d Py_UNICODE_ISDECIMAL; int() of the two digits is
 * their decimal values (the second may be another script's digit). */
static PyObject *age_after_name(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 2 || !PyUnicode_Check(args[0]) || !PyUnicode_Check(args[1])) {
        PyErr_SetString(PyExc_TypeError, "age_after_name() takes two str");
        return NULL;
    }
    PyObject *text = args[0], *name = args[1];
    if (PyUnicode_READY(text) < 0 || PyUnicode_READY(name) < 0) return NULL;
    const Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    const Py_ssize_t at = PyUnicode_Find(text, name, 0, n, 1);
    if (at == -2) return NULL;
    if (at < 0) return PyLong_FromLong(-1);
    const int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    const Py_ssize_t from = at + PyUnicode_GET_LENGTH(name);
    Py_ssize_t j = from, m;
    while (j < n && Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, j))) j++;
    const Py_UCS4 c = j < n ? PyUnicode_READ(kind, data, j) : 0;
    if (j < n && (c == ',' || c == '(' || c == '-')) {
        m = j + 1;
        while (m < n && Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, m))) m++;
    } else if (j > from) {
        m = j;
    } else {
        return PyLong_FromLong(-1);
    }
    if (m + 1 >= n) return PyLong_FromLong(-1);
    const Py_UCS4 tens = PyUnicode_READ(kind, data, m), ones = PyUnicode_READ(kind, data, m + 1);
    if (tens < '1' || tens > '6' || !Py_UNICODE_ISDECIMAL(ones)) return PyLong_FromLong(-1);
    if (m + 2 < n && Py_UNICODE_ISDECIMAL(PyUnicode_READ(kind, data, m + 2)))
        return PyLong_FromLong(-1);
    return PyLong_FromLong((long)(tens - '0') * 10 + Py_UNICODE_TODECIMAL(ones));
}

static PyMethodDef methods[] = {
    {"word_tokens", word_tokens, METH_O,
     "(tokens, set of tokens) of a lower-cased text, digit runs as the number slot."},
    {"scan_words", (PyCFunction)(void (*)(void))scan_words, METH_FASTCALL,
     "word_tokens, the words that are rules' words, and the language by stopwords."},
    {"scan_rules", (PyCFunction)(void (*)(void))scan_rules, METH_FASTCALL,
     "scan_words without the set of all the words: (tokens, rule_words, language)."},
    {"weighted_common", (PyCFunction)(void (*)(void))weighted_common, METH_FASTCALL,
     "Per pair of sorted shingle runs, the weight of the shingles both hold."},
    {"find_all", (PyCFunction)(void (*)(void))find_all, METH_FASTCALL,
     "Sorted distinct positions where one of the literals starts in the text."},
    {"mask_words", (PyCFunction)(void (*)(void))mask_words, METH_FASTCALL,
     "The indicator bits of the searches an ad's words name, tried where their starts occur."},
    {"sketch", (PyCFunction)(void (*)(void))sketch, METH_FASTCALL,
     "MinHash signatures and distinct sorted shingles of token lists."},
    {"contact_matches", (PyCFunction)(void (*)(void))contact_matches, METH_FASTCALL,
     "The matches of the extractor's contact patterns that the gates name."},
    {"age_search", (PyCFunction)(void (*)(void))age_search, METH_FASTCALL,
     "The age the extractor's age pattern finds first, or -1."},
    {"price_search", (PyCFunction)price_search, METH_O,
     "price_search(lowered) -> the first price by its markers' windows, or -1.0"},
    {"price_in", (PyCFunction)(void (*)(void))price_in, METH_FASTCALL,
     "The price the extractor's price pattern finds first in a window, or -1.0."},
    {"slot_rules", (PyCFunction)(void (*)(void))slot_rules, METH_FASTCALL,
     "The extractor's city and name slots on an ad's tokens; the cities."},
    {"capitalised_after", (PyCFunction)(void (*)(void))capitalised_after, METH_FASTCALL,
     "The original spelling of a token capitalised right after a trigger, or None."},
    {"typed_fields", typed_fields, METH_O,
     "reader.typed_fields of a typed decoder's record in the common case, else None."},
    {"lower", lower, METH_O, "str.lower of a text, its ASCII characters lower-cased inline."},
    {"indices_in", (PyCFunction)(void (*)(void))indices_in, METH_FASTCALL,
     "Positions, ascending, of the tokens that are in a set."},
    {"title_names", (PyCFunction)(void (*)(void))title_names, METH_FASTCALL,
     "The persona (name, age) a title advertises, or None: extract._title_names."},
    {"mobile_key", mobile_key, METH_O,
     "The phone key of a Dutch mobile number as written, or None: ask normalise_phone."},
    {"age_after_name", (PyCFunction)(void (*)(void))age_after_name, METH_FASTCALL,
     "The age right after the name's first place in the text, or -1: extract's definition."},
    {"scan_groups", (PyCFunction)(void (*)(void))scan_groups, METH_FASTCALL,
     "scan_rules, with the rule words' table values OR-ed and the count of bit 10's words."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_tokens", "The extractor's word tokeniser, compiled.", -1, methods,
};

PyMODINIT_FUNC PyInit__tokens(void) {
    crc_init();
    latin1_bits_init();
    slot_num = PyUnicode_InternFromString("xnumx");
    end_name = PyUnicode_InternFromString("end");
    lastgroup_name = PyUnicode_InternFromString("lastgroup");
    empty_name = PyUnicode_FromString("");
    strip_name = PyUnicode_InternFromString("strip");
    lower_name = PyUnicode_InternFromString("lower");
    capitalize_name = PyUnicode_InternFromString("capitalize");
    if (strip_name == NULL || lower_name == NULL || capitalize_name == NULL) return NULL;
    for (int k = 0; k < F_COUNT; k++) {
        field_name_objects[k] = PyUnicode_InternFromString(field_names[k]);
        if (field_name_objects[k] == NULL) return NULL;
    }
    if (slot_num == NULL || end_name == NULL || lastgroup_name == NULL || empty_name == NULL ||
        contact_init() < 0)
        return NULL;
    return PyModule_Create(&module);
}
