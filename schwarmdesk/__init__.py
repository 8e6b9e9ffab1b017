"""Schwarmdesk: community-first, self-hostable customer service."""

import os

# numpy's BLAS threads keep spinning after a matrix product and starve the embedding model's
# own threads on small machines (measured by `schwarmdesk bench search`: a query embedding took
# 100-170 ms right after an exact vector search instead of 22 ms). Searches are many small
# products, so one BLAS thread is faster; set before numpy is first imported.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

__version__ = "0.1.0"
