"""The durable backend: the campaign compiled to durable-rules rule sets (plain data,
:mod:`.compiler`) and run on one quiet host per evaluator (:mod:`.engine`, the only module that
imports ``durable``)."""
