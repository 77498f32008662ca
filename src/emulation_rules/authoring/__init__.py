"""Stage 5, authoring: author test cases (``emulation-rules test``), hypothesis strategies
(public facade: :mod:`emulation_rules.testing`) and synthetic rows for benchmarks."""
