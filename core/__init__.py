"""What the crawler and the pipelines share, depending on neither.

The record types, URL canonicalization, site profiles and section kinds, the errors
users see, text normalization, MinHash signatures, and the child processes CPU work runs
in. Imports point one way: ``crawler`` may import ``pipelines`` and ``core``,
``pipelines`` only ``core``, and ``core`` neither (``tests/test_import_graph.py``).
"""

from core.native import package_path

__path__ = package_path(__path__, "core")  # the compiled modules, when built from these sources
