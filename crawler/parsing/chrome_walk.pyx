# cython: language_level=3
"""``chrome_walk.py`` in C: the same walk over libxml2's nodes, which lxml keeps behind
its elements. A node becomes an lxml element only when a question needs one: it has a
class or an id for ``marked`` to search, it is a heading for ``heading_boxes`` to read,
or it is a box. Built by ``scripts/build_native.py`` (Cython) beside the mypyc modules;
the Python module is the reference both are tested against."""

cimport lxml.includes.etreepublic as cetree
from lxml.includes.tree cimport XML_ELEMENT_NODE, xmlNode

from crawler.parsing.rules import CHROME_BOX_TAGS, HEADING_TAGS

cetree.import_lxml__etree()


include "nodes.pxi"


cdef _Names _BOX_TAGS = _Names(CHROME_BOX_TAGS)
cdef _Names _HEADINGS = _Names(HEADING_TAGS)


cdef void _walk(xmlNode* parent, cetree._Document document, marked, heading_boxes, list found) except *:
    cdef xmlNode* node = parent.children
    while node is not NULL:
        if node.type == XML_ELEMENT_NODE:
            if _BOX_TAGS.holds(node):
                found.append(cetree.elementFactory(document, node))
            elif _has_marks(node) and marked(element := cetree.elementFactory(document, node)):
                found.append(element)
            elif _HEADINGS.holds(node):
                found.extend(heading_boxes(cetree.elementFactory(document, node)))
            else:
                _walk(node, document, marked, heading_boxes, found)
        node = node.next


def chrome_boxes(cetree._Element article not None, marked, heading_boxes):
    """See ``chrome_walk.py``. The walk keeps libxml2's node pointers while it runs:
    ``marked`` and ``heading_boxes`` may read the tree, never change it."""
    found = []
    _walk(article._c_node, article._doc, marked, heading_boxes, found)
    return found
