"""The community cast (Carol's and Dave's accounts, a category, Carol's question) for notification
tests."""

from tests.community.conftest import (  # noqa: F401
    billing,
    carol_user,
    dave_user,
    question,
)
