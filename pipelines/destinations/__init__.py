"""Where a run's tables go: one interface (``base.Destination``), a registry by name
(``registry``), and the built-in destinations: ``files`` and ``postgresql``."""
