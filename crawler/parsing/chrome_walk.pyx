# cython: language_level=3
"""``chrome_walk.py`` in C: the same walk over libxml2's nodes, which lxml keeps behind
its elements. The chrome rule is asked of the nodes themselves (``nodes.pxi``); a node
becomes an lxml element only when it is a heading for ``heading_boxes`` to read, or a box.
Built by ``scripts/build_native.py`` (Cython) beside the mypyc modules; the Python module
is the reference both are tested against."""

cimport lxml.includes.etreepublic as cetree
from lxml.includes.tree cimport XML_ELEMENT_NODE, xmlNode

from crawler.parsing.rules import HEADING_TAGS

cetree.import_lxml__etree()


include "nodes.pxi"


cdef _Names _HEADINGS = _Names(HEADING_TAGS)


cdef void _walk(xmlNode* parent, cetree._Document document, _Chrome chrome, heading_boxes,
                list found) except *:
    cdef xmlNode* node = parent.children
    while node is not NULL:
        if node.type == XML_ELEMENT_NODE:
            if chrome.holds(node):
                found.append(cetree.elementFactory(document, node))
            elif _HEADINGS.holds(node):
                found.extend(heading_boxes(cetree.elementFactory(document, node)))
            else:
                _walk(node, document, chrome, heading_boxes, found)
        node = node.next


def chrome_boxes(cetree._Element article not None, chrome, heading_boxes):
    """See ``chrome_walk.py``. The walk keeps libxml2's node pointers while it runs:
    ``chrome``'s search and ``heading_boxes`` may read the tree, never change it."""
    found = []
    _walk(article._c_node, article._doc, _compiled(chrome), heading_boxes, found)
    return found
