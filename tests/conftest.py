"""Shared fixtures: the devices every op test runs on, and float64 by default in tests."""
import pathlib

import pytest

import minigrad

DEVICES = ["cpu", "strict"]


def _device_params():
    return [pytest.param(d, id=d) for d in DEVICES + ["cuda"]]


@pytest.fixture(params=_device_params())
def device(request):
    """Run the test on the CPU (NumPy), the strict Array API device, and CUDA where present."""
    if request.param == "cuda" and not minigrad.cuda.is_available():
        # skipped here, not by a mark on each test, so the summary gives one line for all
        pytest.skip("no CUDA GPU on this machine (CuPy path runs where one exists)")
    return request.param


@pytest.fixture(autouse=True)
def _seed():
    minigrad.manual_seed(0)


@pytest.fixture
def mnist_dir():
    """The folder holding the four MNIST IDX files, found by the library's rule
    ($MINIGRAD_MNIST, else $MINIGRAD_DATA or ./data), or skip saying where it looked."""
    from minigrad.datasets import MNIST, DataNotFound
    try:
        return pathlib.Path(MNIST.locate(train=True))
    except DataNotFound as e:
        pytest.skip(f"no MNIST: looked in {'; '.join(e.looked)} (set MINIGRAD_MNIST to the "
                    "folder of the four IDX files; scripts/setup links ../shared/data/mnist "
                    "into ./data when it is there)")
