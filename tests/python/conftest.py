import pytest

from fixtures import sim  # noqa: F401  (a fixture)


@pytest.fixture(params=["stdio", "http"])
def transport(request):
    return request.param
