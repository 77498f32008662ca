"""Stage 5, authoring: author test cases (``emulation-rules test``), their coverage of the
campaign (:mod:`.coverage`, ``test --coverage``) and mutation testing of the campaign against
them (:mod:`.mutate`, ``test --mutate``), hypothesis strategies (public facade:
:mod:`emulation_rules.testing`) and synthetic rows for benchmarks."""
