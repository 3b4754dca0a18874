"""Shared fixtures: the devices every op test runs on, and float64 by default in tests."""
import os
import pathlib

import pytest

import minigrad

DEVICES = ["cpu", "strict"]
NO_STRICT = ("array_api_strict is not installed (scripts/setup installs it; the GPU machine's "
             "Python lacks it)")


def has_strict():
    try:
        import array_api_strict  # noqa: F401
    except ImportError:
        return False
    return True


def _device_params():
    params = [pytest.param("cpu", id="cpu"),
              pytest.param("strict", id="strict",
                           marks=pytest.mark.skipif(not has_strict(), reason=NO_STRICT))]
    params.append(pytest.param("cuda", id="cuda", marks=pytest.mark.skipif(
        not minigrad.cuda.is_available(), reason="no CUDA GPU on this machine (CuPy path runs "
        "where one exists)")))
    return params


@pytest.fixture(params=_device_params())
def device(request):
    """Run the test on the CPU (NumPy), the strict Array API device, and CUDA where present."""
    return request.param


@pytest.fixture
def strict_device():
    """The strict Array API test device, for tests that mix it with the cpu (or skip)."""
    pytest.importorskip("array_api_strict", reason=NO_STRICT)
    return "strict"


@pytest.fixture(autouse=True)
def _seed():
    minigrad.manual_seed(0)


@pytest.fixture
def mnist_dir():
    """The folder holding the four MNIST IDX .gz files (MINIGRAD_MNIST), or skip."""
    path = os.environ.get("MINIGRAD_MNIST")
    if not path or not pathlib.Path(path).is_dir():
        pytest.skip("set MINIGRAD_MNIST to a folder with the MNIST IDX files "
                    "(scripts/test points it at ../shared/data/mnist)")
    return pathlib.Path(path)
