import pathlib
import sys

# The harness is shared with the MCP SDK suites.
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "python"))

# Every process a test starts is stopped by its process group, and none may be left over.
from procs import pytest_sessionfinish  # noqa: E402,F401  (a hook)
