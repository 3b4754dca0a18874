"""Shared fixtures: the devices every op test runs on, and float64 by default in tests."""
import collections
import pathlib

import pytest

import minigrad

DEVICES = ["cpu", "strict"]
NO_STRICT = ("array_api_strict is not installed (scripts/setup installs it; the GPU machine's "
             "Python lacks it)")


# The torch that CI pins. minigrad follows its words and signatures; with another torch (the
# GPU machine has 2.11) tests compare behaviour, values and error types, not the wording or
# the arguments that version lacks.
TORCH_PINNED = __import__("torch").__version__.split("+")[0] == "2.13.0"


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
    """The folder holding the four MNIST IDX files, found by the library's rule
    ($MINIGRAD_MNIST, else $MINIGRAD_DATA or ./data), or skip saying where it looked."""
    from minigrad.datasets import MNIST, DataNotFound
    try:
        return pathlib.Path(MNIST.locate(train=True)).absolute()  # (tests link to its files)
    except DataNotFound as e:
        pytest.skip(f"no MNIST: looked in {'; '.join(e.looked)} (set MINIGRAD_MNIST to the "
                    "folder of the four IDX files; scripts/setup links ../shared/data/mnist "
                    "into ./data when it is there)")


@pytest.fixture
def fashion_dir():
    """The folder holding the four Fashion-MNIST IDX files ($MINIGRAD_FASHIONMNIST, else
    $MINIGRAD_DATA/FashionMNIST/raw or ./data/FashionMNIST/raw), or skip saying why."""
    from minigrad.datasets import DataNotFound, FashionMNIST
    try:
        return pathlib.Path(FashionMNIST.locate(train=True)).absolute()
    except DataNotFound as e:
        pytest.skip(f"no Fashion-MNIST copy on this machine: looked in {'; '.join(e.looked)} "
                    "(set MINIGRAD_FASHIONMNIST to the folder of its four IDX files, or "
                    "download them with FashionMNIST(root, download=True))")


@pytest.fixture
def torchvision():
    """torchvision, or skip saying why it does not import (not installed; or a build for
    another torch, which fails with a RuntimeError rather than an ImportError)."""
    from parity.vision import import_torchvision
    module, why = import_torchvision()
    if module is None:
        pytest.skip(f"torchvision does not import here ({why})")
    return module


def pytest_terminal_summary(terminalreporter):
    """Why tests were skipped, one line per reason with its count (pytest's own -rs
    repeats a reason once per test function: a hundred lines for the CUDA cases alone)."""
    reasons = collections.Counter()
    for report in terminalreporter.stats.get("skipped", []):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        reasons[reason.removeprefix("Skipped: ")] += 1
    if reasons:
        terminalreporter.section("why tests were skipped", sep="-")
        for reason, count in reasons.most_common():
            terminalreporter.write_line(f"{count:5d} skipped: {reason}")
