import pathlib
import sys

import pytest

# The harness (the binary, the simulator, MCP sessions) is shared with the MCP SDK suites.
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "python"))

from fake_portal import FakePortal  # noqa: E402
from harness import Sim  # noqa: E402


@pytest.fixture
def sim():
    s = Sim()
    yield s
    s.close()


@pytest.fixture
def portal():
    p = FakePortal()
    yield p
    p.close()
