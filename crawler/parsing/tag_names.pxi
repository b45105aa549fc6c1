# Included by the Cython modules of crawler/parsing (scripts/build_native.py).
from cpython.bytes cimport PyBytes_AS_STRING
from cpython.mem cimport PyMem_Malloc
from libc.string cimport strcmp


cdef class _Names:
    """Tag names as C strings, for a node's name to be looked up without a Python string."""

    cdef list kept  # the bytes the C strings point into
    cdef const char** names
    cdef int count

    def __cinit__(self, names):
        self.kept = [name.encode() for name in sorted(names)]
        self.count = len(self.kept)
        self.names = <const char**>PyMem_Malloc(max(self.count, 1) * sizeof(char*))
        if self.names is NULL:
            raise MemoryError()
        for index in range(self.count):
            self.names[index] = PyBytes_AS_STRING(self.kept[index])

    cdef bint holds(self, const unsigned char* name) noexcept:
        cdef int index
        for index in range(self.count):
            if strcmp(<const char*>name, self.names[index]) == 0:
                return True
        return False
