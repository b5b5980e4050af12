import pathlib
import sys

import pytest

# The harness and fixtures (the binary, the simulator) are shared with the MCP SDK suites.
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "python"))

from fake_portal import FakePortal  # noqa: E402
from fixtures import sim  # noqa: E402,F401  (a fixture)


@pytest.fixture
def portal():
    """A fake ConnectWise Home (identity provider, portal, a foreign origin) for one test."""
    p = FakePortal()
    yield p
    p.close()

# Every process a test starts is stopped by its process group, and none may be left over.
from procs import pytest_sessionfinish  # noqa: E402,F401  (a hook)
