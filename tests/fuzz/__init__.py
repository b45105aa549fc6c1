"""Fuzzing: properties of the parser, sitemap and robots handling and URL canonicalization,
run by hypothesis at scale (``make fuzz``, ``python -m tests.fuzz``) and, a few examples
each, in the suite (``test_targets.py``), so the targets keep working."""
