# Characters as ``core.text`` classes them, read from the UTF-8 libxml2 keeps (included by
# the Cython modules of crawler/parsing: scripts/build_native.py).

cdef inline bint _invisible(unsigned int code) noexcept:
    """``core.text``'s invisible characters: zero-width ones, the soft hyphen, the BOM and
    the control characters other than tab, line feed and carriage return."""
    if code < 0x20:
        return code != 0x09 and code != 0x0A and code != 0x0D
    return code == 0x7F or code == 0xAD or code == 0x200B or code == 0x200C or code == 0x200D \
        or code == 0x2060 or code == 0xFEFF


cdef inline bint _whitespace(unsigned int code) noexcept:
    """What ``str.split`` splits on, of the characters ``_invisible`` leaves."""
    if code <= 0x20:
        return code == 0x20 or code == 0x09 or code == 0x0A or code == 0x0D
    if code < 0x85:
        return False
    return code == 0x85 or code == 0xA0 or code == 0x1680 or (0x2000 <= code <= 0x200A) \
        or code == 0x2028 or code == 0x2029 or code == 0x202F or code == 0x205F or code == 0x3000


cdef enum CharacterKind:
    VISIBLE = 0
    SPACE = 1
    INVISIBLE = 2


cdef unsigned char _ASCII_KINDS[128]
for _code in range(128):
    _ASCII_KINDS[_code] = INVISIBLE if _invisible(_code) else SPACE if _whitespace(_code) else VISIBLE
del _code


cdef inline unsigned int _read(const unsigned char** text) noexcept:
    """The character at ``text[0]`` (UTF-8, as libxml2 keeps it), the pointer moved past it.
    libxml2 keeps valid UTF-8 only; a sequence cut by the string's end is read as far as
    it goes, never past it."""
    cdef const unsigned char* at = text[0]
    cdef unsigned char byte = at[0]
    if byte < 0x80:
        text[0] = at + 1
        return byte
    if byte < 0xE0 or not at[1]:
        text[0] = at + (2 if at[1] else 1)
        return ((byte & 0x1F) << 6) | (at[1] & 0x3F)
    if byte < 0xF0 or not at[2]:
        text[0] = at + (3 if at[2] else 2)
        return ((byte & 0x0F) << 12) | ((at[1] & 0x3F) << 6) | (at[2] & 0x3F)
    text[0] = at + (4 if at[3] else 3)
    return ((byte & 0x07) << 18) | ((at[1] & 0x3F) << 12) | ((at[2] & 0x3F) << 6) | (at[3] & 0x3F)


cdef inline unsigned char _kind(unsigned int code) noexcept:
    if code < 0x80:
        return _ASCII_KINDS[code]
    return INVISIBLE if _invisible(code) else SPACE if _whitespace(code) else VISIBLE


cdef inline bint _isspace(unsigned int code) noexcept:
    """``str.isspace``: ``_whitespace`` and the control characters ``str.split`` splits on
    besides, which ``normalize`` drops as invisible."""
    return _whitespace(code) or code == 0x0B or code == 0x0C or 0x1C <= code <= 0x1F


# Eight bytes of ASCII text read at once (SWAR): a text of words and single spaces, most of
# a page's, is measured a word of the machine at a time instead of a byte.
from libc.stdint cimport uint64_t

cdef extern from *:
    """
    #define HC_BYTES(b) (0x0101010101010101ULL * (unsigned char)(b))
    #if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    #define HC_LITTLE_ENDIAN 1
    #else
    #define HC_LITTLE_ENDIAN 0
    #endif
    """
    uint64_t HC_BYTES(unsigned char byte) nogil
    bint HC_LITTLE_ENDIAN


cdef inline bint _plain_ascii(uint64_t chunk) noexcept:
    """Whether the eight bytes of ``chunk`` are all printable ASCII (0x20 to 0x7E): no byte
    below 0x20 and none above 0x7E (the SWAR tests of whether any byte is so)."""
    return ((chunk - HC_BYTES(0x20)) & ~chunk & HC_BYTES(0x80)) == 0 \
        and (((chunk + HC_BYTES(0x01)) | chunk) & HC_BYTES(0x80)) == 0


cdef inline uint64_t _visible_flags(uint64_t chunk) noexcept:
    """0x80 in each byte of ``chunk`` (printable ASCII) that is not a space, 0 in the
    spaces: the exact test of which bytes are zero, applied to the chunk XOR spaces."""
    cdef uint64_t spaced = chunk ^ HC_BYTES(0x20)
    return (((spaced & HC_BYTES(0x7F)) + HC_BYTES(0x7F)) | spaced) & HC_BYTES(0x80)


cdef inline int _flagged(uint64_t flags) noexcept:
    """How many bytes of ``flags`` (0x80 or 0 each) are flagged: each flag moved to its
    byte's low bit and the bytes summed into the top one by a multiplication (no popcount
    instruction is assumed of the machine)."""
    return <int>(((flags >> 7) * HC_BYTES(0x01)) >> 56)
