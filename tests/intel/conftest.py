"""Fixtures of the text-intelligence tests: one trained model per session (cached in a temp dir)."""

from __future__ import annotations

import os

import pytest


@pytest.fixture(scope="session")
def text_model(tmp_path_factory):
    """The text model trained once per test session from the bundled corpus."""
    from reslog.intel.text.model import load_or_train

    old = os.environ.get("RESLOG_CACHE_DIR")
    os.environ["RESLOG_CACHE_DIR"] = str(tmp_path_factory.mktemp("text-model-cache"))
    try:
        yield load_or_train()
    finally:
        if old is None:
            os.environ.pop("RESLOG_CACHE_DIR", None)
        else:
            os.environ["RESLOG_CACHE_DIR"] = old
