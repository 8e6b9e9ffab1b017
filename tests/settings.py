"""Settings for the test suite: the real settings module, read with test environment values."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile

os.environ.setdefault("SCHWARMDESK_MODE", "development")
os.environ.setdefault("SCHWARMDESK_SECRET_KEY", "test-only-secret-key-0123456789-abcdefghijklmnop")
# Each test process (every xdist worker too) gets a data directory of its own: the queue file
# and the SQLite test database must not be shared between processes that run tests in parallel.
_data_dir = tempfile.mkdtemp(prefix="schwarmdesk-test-")
atexit.register(shutil.rmtree, _data_dir, ignore_errors=True)
os.environ["SCHWARMDESK_DATA_DIR"] = _data_dir

from schwarmdesk.settings import *  # noqa: E402, F403  -- environment first, then settings
from schwarmdesk.settings import DATA_DIR, DATABASES, HUEY  # noqa: E402

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = DATA_DIR / "media"

# Lexical search only, unless a test asks for the model (tests/search/test_semantic*.py).
EMBEDDING_MODEL = "none"

# Tasks run inline unless a test switches to the real queue (tests/core/test_worker.py).
HUEY.immediate = True

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not memory: the worker process in test_worker.py must open the same database.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test.sqlite3")}
elif suffix := os.environ.get("SCHWARMDESK_TEST_DB_SUFFIX", ""):
    # Separate test databases for test runs that share one PostgreSQL server at the same time.
    DATABASES["default"]["TEST"] = {"NAME": f"test_{DATABASES['default']['NAME']}_{suffix}"}
