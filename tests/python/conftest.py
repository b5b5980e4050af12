import pytest

from harness import Sim


@pytest.fixture
def sim():
    s = Sim()
    yield s
    s.close()


@pytest.fixture(params=["stdio", "http"])
def transport(request):
    return request.param
