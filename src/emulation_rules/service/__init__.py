"""Stage 7, the HTTP service: ``emulation-rules serve CAMPAIGNS_DIR`` (needs the ``service`` extra).

For union systems not written in Python: every valid campaign of a directory served over HTTP
(FastAPI on uvicorn), with explanations and citations in the JSON, bearer tokens, limits, and a
decision log (SQLite in WAL mode, or PostgreSQL). Nothing imports this package except the CLI.

* :mod:`.app`: the app factory :func:`create_app` and the endpoints; :mod:`.limits`: body
  limit, bearer tokens, media types;
* :mod:`.work`: what a request computes (parse, evaluate, log), shared with ``replay``;
* :mod:`.registry`: the served campaigns, reloaded atomically; engines reused by content hash;
* :mod:`.decisions`: the decision log; :mod:`.problems`: problem+json errors;
* :mod:`.schemas`: facts JSON Schema per campaign and the documented response shapes;
* :mod:`.settings`: limits, tokens, log target.
"""

from emulation_rules.service.app import create_app
from emulation_rules.service.settings import ServiceSettings

__all__ = ["ServiceSettings", "create_app"]
