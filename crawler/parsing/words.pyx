# cython: language_level=3, boundscheck=False, wraparound=False
"""``words.py`` in C: the words of the texts counted in one pass over each string's own
characters (``str.split``'s whitespace separates them, and each CJK character is a word,
as ``core.text.count_words`` has them), with no joined copy and no split list. Built by
``scripts/build_native.py`` (Cython) beside the mypyc modules; the Python module is the
reference both are tested against."""

from cpython.unicode cimport (
    PyUnicode_1BYTE_KIND,
    PyUnicode_DATA,
    PyUnicode_GET_LENGTH,
    PyUnicode_KIND,
    PyUnicode_READ,
)

include "characters.pxi"


cdef inline bint _cjk(Py_UCS4 code) noexcept:
    """``core.text.CJK_CHARACTERS``: kana, CJK ideographs and Hangul."""
    return 0x3040 <= code <= 0x30FF or 0x3400 <= code <= 0x4DBF or 0x4E00 <= code <= 0x9FFF \
        or 0xAC00 <= code <= 0xD7AF or 0xF900 <= code <= 0xFAFF


cdef inline unsigned char _space(unsigned char code) noexcept:
    """``str.isspace`` of a character below 256, as arithmetic a compiler vectorizes."""
    return (code == 0x20) | (<unsigned char>(code - 0x09) <= 4) | (<unsigned char>(code - 0x1C) <= 3) \
        | (code == 0x85) | (code == 0xA0)


cdef Py_ssize_t _narrow_words(const unsigned char* text, Py_ssize_t length) noexcept:
    """Words of a text whose characters are all below 256 (no CJK), counted by where they
    start: a character other than a space after a space, or at the start of the text."""
    cdef Py_ssize_t index, starts = 1 - _space(text[0])
    for index in range(1, length):
        starts += _space(text[index - 1]) & (1 - _space(text[index]))
    return starts


cdef Py_ssize_t _wide_words(str text) noexcept:
    cdef int kind = PyUnicode_KIND(text)
    cdef void* data = PyUnicode_DATA(text)
    cdef Py_ssize_t index, words = 0
    cdef bint apart = True
    cdef Py_UCS4 code
    for index in range(PyUnicode_GET_LENGTH(text)):
        code = PyUnicode_READ(kind, data, index)
        if _cjk(code):
            words += 1
            apart = True
        elif _isspace(code):
            apart = True
        else:
            words += apart
            apart = False
    return words


def body_words(list texts not None) -> int:
    """See ``words.py``."""
    cdef Py_ssize_t words = 0
    cdef str text
    for text in texts:
        if text is None or not PyUnicode_GET_LENGTH(text):
            continue
        if PyUnicode_KIND(text) == PyUnicode_1BYTE_KIND:
            words += _narrow_words(<const unsigned char*>PyUnicode_DATA(text), PyUnicode_GET_LENGTH(text))
        else:
            words += _wide_words(text)
    return words
