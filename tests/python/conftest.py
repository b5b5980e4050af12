import pytest

from fixtures import sim  # noqa: F401  (a fixture)


@pytest.fixture(params=["stdio", "http"])
def transport(request):
    return request.param

# Every process a test starts is stopped by its process group, and none may be left over.
from procs import pytest_sessionfinish  # noqa: E402,F401  (a hook)
