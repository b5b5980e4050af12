"""Fixtures every pytest suite shares (tests/python, tests/openwebui, tests/home import them)."""
import pytest

from harness import Sim


@pytest.fixture
def sim():
    """A fresh simulated ConnectWise tenant for one test."""
    s = Sim()
    yield s
    s.close()
