"""The GPU path: no host synchronisation inside a training step, and the fused kernels.

A GPU runs the kernels that Python queues; reading a value back into Python (float(),
bool(), int(), .item(), an ``if`` on an array) makes Python wait until the queue is empty.
Inside a training step that would happen every step, so minigrad never does it there.

- On every machine (CI included) a training step runs on the strict Array API device,
  whose arrays here count every conversion to a Python value or a host array: there must
  be none. (The strict device takes the same no-synchronisation branches as CuPy:
  ``backend.on_host`` is False for both.)
- Where CuPy sees a GPU, the same steps run on cuda under ``cupyx.allow_synchronize(False)``,
  which raises on any synchronisation CuPy makes.
- Each fused kernel of ``minigrad.fused`` is checked against the engine's own NumPy
  arithmetic: on cpu and strict through ``Kernel.evaluate`` (the kernel's lines run by
  that namespace), on cuda as the compiled CuPy kernel.
"""
import contextlib
import warnings

import numpy as np
import pytest
import torch

import minigrad
import minigrad.nn as nn
import minigrad.nn.functional as F
from minigrad import backend, fused, optim
from minigrad.optim.adam import _adam_update

from conftest import has_strict, NO_STRICT

# ------------------------------------------------------------ training steps


def mlp_adam(device):
    model = nn.Sequential(nn.Flatten(), nn.Linear(12, 16), nn.ReLU(), nn.Linear(16, 5)).to(device)
    opt = optim.Adam(model.parameters(), lr=1e-3)
    x = minigrad.randn(8, 3, 4, device=device)
    y = minigrad.tensor([0, 1, 2, 3, 4, 0, 1, 2], device=device)
    return model, opt, lambda out: F.cross_entropy(out, y), x


def lenet_sgd_momentum(device):
    model = nn.Sequential(nn.Conv2d(1, 3, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Conv2d(3, 4, 3), nn.ReLU(), nn.MaxPool2d(2, padding=1),
                          nn.Flatten(), nn.Linear(16, 3)).to(device)
    opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9, nesterov=True)
    x = minigrad.randn(4, 1, 8, 8, device=device)
    y = minigrad.tensor([0, 1, 2, 1], device=device)
    return model, opt, lambda out: nn.CrossEntropyLoss(ignore_index=1,
                                                       weight=minigrad.ones(3, device=device),
                                                       label_smoothing=0.1)(out, y), x


def blobs_bce_sgd(device):
    model = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 1)).to(device)
    opt = optim.SGD(model.parameters(), lr=0.1)
    x = minigrad.randn(16, 2, device=device)
    y = (minigrad.randn(16, device=device) > 0).float()
    return model, opt, lambda out: F.binary_cross_entropy_with_logits(out.squeeze(1), y), x


def regression_adamw(device):
    model = nn.Sequential(nn.Linear(3, 4), nn.Sigmoid(), nn.Linear(4, 2)).to(device)
    opt = optim.AdamW(model.parameters(), lr=1e-2, amsgrad=True)
    x = minigrad.randn(6, 3, device=device)
    y = minigrad.randn(6, 2, device=device)
    return model, opt, lambda out: nn.MSELoss()(out, y) + F.nll_loss(
        F.log_softmax(out, dim=1), minigrad.tensor([0, 1, 1, 0, 1, 0], device=device)), x


def bn_cnn_adamw(device):
    model = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1, bias=False), nn.BatchNorm2d(4),
                          nn.ReLU(), nn.MaxPool2d(2), nn.Dropout(0.2), nn.Flatten(),
                          nn.Linear(16, 8), nn.BatchNorm1d(8), nn.GELU(), nn.LayerNorm(8),
                          nn.Linear(8, 3)).to(device)
    opt = optim.AdamW(model.parameters(), lr=1e-3)
    x = minigrad.randn(6, 1, 4, 4, device=device)
    y = minigrad.tensor([0, 1, 2, 1, 0, 2], device=device)
    return model, opt, lambda out: F.cross_entropy(out, y, label_smoothing=0.1), x


STEPS = {"mlp-adam": mlp_adam, "bn-cnn-adamw": bn_cnn_adamw, "lenet-sgd-momentum": lenet_sgd_momentum,
         "blobs-bce-sgd": blobs_bce_sgd, "regression-adamw-nll": regression_adamw}


def train_steps(make, device, steps=3):
    """Build, take one untimed step (optimizer state appears), yield, take ``steps`` more."""
    model, opt, loss_fn, x = make(device)

    def step():
        opt.zero_grad()
        loss = loss_fn(model(x))
        loss.backward()
        opt.step()
        return loss

    step()
    return step


@contextlib.contextmanager
def strict_arrays_counting_reads():
    """Count every conversion of a strict-device array to a Python value or a host array."""
    xp = pytest.importorskip("array_api_strict", reason=NO_STRICT)
    array_type = type(xp.asarray(0))
    reads = []
    names = ("__bool__", "__float__", "__int__", "__index__", "__complex__", "__array__",
             "__dlpack__", "__buffer__", "__iter__")
    saved = {n: getattr(array_type, n) for n in names}

    def counting(name, original):
        def read(self, *args, **kwargs):
            reads.append(name)
            return original(self, *args, **kwargs)
        return read

    for n, original in saved.items():
        setattr(array_type, n, counting(n, original))
    try:
        yield reads
    finally:
        for n, original in saved.items():
            setattr(array_type, n, original)


@pytest.mark.parametrize("make", STEPS.values(), ids=STEPS.keys())
@pytest.mark.skipif(not has_strict(), reason=NO_STRICT)
def test_a_training_step_reads_no_value_back_from_the_device(make):
    step = train_steps(make, "strict")
    with strict_arrays_counting_reads() as reads:
        for _ in range(3):
            step()
    assert reads == [], f"a training step read device values into Python: {reads}"


def test_the_read_counter_sees_a_value_read_back():
    x = minigrad.ones(3, device="strict") if has_strict() else pytest.skip(NO_STRICT)
    with strict_arrays_counting_reads() as reads:
        float(x.sum()._data)
        bool(x[0]._data > 0)
    assert reads == ["__float__", "__bool__"]


def test_out_of_range_class_targets_make_the_loss_nan_off_the_host_instead_of_raising():
    if not has_strict():
        pytest.skip(NO_STRICT)
    x = minigrad.randn(3, 4, device="strict", requires_grad=True)
    loss = F.cross_entropy(x, minigrad.tensor([0, 7, -100], device="strict"))
    assert np.isnan(loss.item())
    with pytest.raises(IndexError, match="Target 7 is out of bounds"):  # on the CPU: raises
        F.cross_entropy(x.detach().cpu(), minigrad.tensor([0, 7, -100]))


needs_cuda = pytest.mark.skipif(not minigrad.cuda.is_available(),
                                reason="no CUDA GPU on this machine (scripts/gpu-check runs "
                                       "these where one exists)")


@contextlib.contextmanager
def cupy_forbids_synchronising():
    import cupyx
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # allow_synchronize is deprecated, still the tool
        with cupyx.allow_synchronize(False):
            yield


@needs_cuda
def test_cupys_detector_catches_a_value_read_back():
    import cupyx
    x = minigrad.ones(3, device="cuda")
    with pytest.raises(cupyx.DeviceSynchronized):
        with cupy_forbids_synchronising():
            float(x.sum()._data)


@needs_cuda
@pytest.mark.parametrize("make", STEPS.values(), ids=STEPS.keys())
def test_a_training_step_on_cuda_does_not_synchronise(make):
    step = train_steps(make, "cuda")
    with cupy_forbids_synchronising():
        for _ in range(3):
            step()


# ------------------------------------------------------------- fused kernels

KERNEL_DEVICES = [pytest.param("cpu", id="cpu"),
                  pytest.param("strict", id="strict",
                               marks=pytest.mark.skipif(not has_strict(), reason=NO_STRICT)),
                  pytest.param("cuda", id="cuda", marks=needs_cuda)]


def run_kernel(kernel, device, **values):
    """The kernel on ``device`` (compiled on cuda, evaluated elsewhere), results on the host.

    Arrays come in as NumPy arrays and are moved to the device; in-place outputs are
    copies, so the caller's arrays stay as they were."""
    dev = backend.device(device)
    moved = {k: backend.from_numpy(np.array(v), dev) if isinstance(v, np.ndarray) else v
             for k, v in values.items()}
    if device == "cuda":
        outs = kernel(**moved)
        outs = outs if isinstance(outs, tuple) else (outs,)
        allocated = [n for n in kernel.outputs if n not in values]
        got = {n: moved[n] for n in kernel.outputs if n in values}
        got.update(zip(allocated, outs[len(outs) - len(allocated):]))
    else:
        got = kernel.evaluate(dev.xp, **moved)
    return {n: backend.to_numpy(a) for n, a in got.items()}


def assert_close(a, b, dtype):
    tol = 1e-6 if dtype == np.float32 else 1e-13
    np.testing.assert_allclose(a, b, rtol=tol, atol=tol)


@pytest.mark.parametrize("device", KERNEL_DEVICES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("beta1", [0.9, 0.2])  # torch's lerp from m, and from g
def test_the_adam_kernel_computes_what_the_numpy_update_computes(device, dtype, beta1):
    rng = np.random.default_rng(1)
    theta, g, m = (rng.standard_normal(300).astype(dtype) for _ in range(3))
    v = rng.random(300).astype(dtype)
    beta2, eps, step = 0.999, 1e-8, 3
    step_size = 1e-3 / (1 - beta1 ** step)
    bc2 = (1 - beta2 ** step) ** 0.5
    want = [a.copy() for a in (theta, g, m, v)]
    _adam_update(*want, None, beta1, beta2, eps, step_size, bc2)
    w = 1 - beta1
    got = run_kernel(fused.ADAM, device, theta=theta, g=g, m=m, v=v, w=w, one_minus_w=1 - w,
                     w_small=float(abs(w) < 0.5), beta2=beta2, one_minus_beta2=1 - beta2,
                     neg_step_size=-step_size, bias_correction2_sqrt=bc2, eps=eps)
    for name, expected in zip(("theta", "m", "v"), (want[0], want[2], want[3])):
        assert_close(got[name], expected, dtype)


@pytest.mark.parametrize("device", KERNEL_DEVICES)
@pytest.mark.parametrize("nesterov", [False, True])
def test_the_sgd_kernels_compute_what_the_optimizer_computes_on_the_cpu(device, nesterov):
    rng = np.random.default_rng(2)
    theta, g1, g2 = (rng.standard_normal(50) for _ in range(3))
    p = nn.Parameter(minigrad.tensor(theta))
    opt = optim.SGD([p], lr=0.1, momentum=0.9, nesterov=nesterov)
    p.grad = minigrad.tensor(g1)
    opt.step()  # the first step starts the momentum buffer
    before, buf = p.detach().numpy().copy(), opt.state[p]["momentum_buffer"].numpy().copy()
    p.grad = minigrad.tensor(g2)
    opt.step()
    got = run_kernel(fused.SGD_MOMENTUM, device, theta=before, g=g2, b=buf, momentum=0.9,
                     one_minus_dampening=1.0, nesterov=float(nesterov), lr=0.1)
    assert_close(got["theta"], p.detach().numpy(), np.float64)
    assert_close(got["b"], opt.state[p]["momentum_buffer"].numpy(), np.float64)
    plain = run_kernel(fused.SGD, device, theta=before, g=g2, lr=0.1)
    assert_close(plain["theta"], before - 0.1 * g2, np.float64)


@pytest.mark.parametrize("device", KERNEL_DEVICES)
def test_the_relu_backward_kernel_passes_g_where_torch_does_nan_included(device):
    x = np.array([-2.0, -0.0, 0.0, 1e-300, 3.0, np.nan, -np.inf, np.inf])
    g = np.arange(1.0, 9.0)
    t = torch.tensor(x, requires_grad=True)
    torch.relu(t).backward(torch.tensor(g))
    got = run_kernel(fused.RELU_BACKWARD, device, x=x, g=g)
    np.testing.assert_array_equal(got["gx"], t.grad.numpy())


@pytest.mark.parametrize("device", KERNEL_DEVICES)
@pytest.mark.parametrize("weighted", [False, True])
def test_the_cross_entropy_backward_kernel_gives_torchs_gradient(device, weighted):
    rng = np.random.default_rng(3)
    n, c = 7, 4
    x = rng.standard_normal((n, c)) * 3
    target = rng.integers(0, c, n)
    w = rng.random(c) + 0.5 if weighted else np.ones(c)
    tx = torch.tensor(x, requires_grad=True)
    torch.nn.functional.cross_entropy(tx, torch.tensor(target),
                                      weight=torch.tensor(w) if weighted else None).backward()
    # the kernel's inputs, as CrossEntropy.forward/backward make them (classes first)
    xc = x.T
    e = np.exp(xc - xc.max(axis=0, keepdims=True))
    w_t = w[target]
    part = w_t / w_t.sum()  # 'mean' over the weights: g / denominator, times w_t
    got = run_kernel(fused.CROSS_ENTROPY_BACKWARD, device, e=e, s=e.sum(axis=0), total=part,
                     target_part=part, cls=np.arange(c).reshape(c, 1), t=target)
    np.testing.assert_allclose(got["gx"].T, tx.grad.numpy(), rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("device", KERNEL_DEVICES)
def test_the_class_target_kernel_masks_ignored_and_flags_out_of_range_targets(device):
    from minigrad.ops.nn import _class_targets_on_device
    t = np.array([0, 3, -100, 4, -1, 2])
    got = run_kernel(fused.CLASS_TARGETS, device, t=t, ignore_index=-100, n_classes=4,
                     one=np.ones(()), nan=float("nan"))
    keep, safe = _class_targets_on_device(np, t, -100, 4, np.float64)
    np.testing.assert_array_equal(got["keep"], [1.0, 1.0, 0.0, np.nan, np.nan, 1.0])
    np.testing.assert_array_equal(got["keep"], keep)
    np.testing.assert_array_equal(got["t_safe"], [0, 3, 0, 0, 0, 2])
    np.testing.assert_array_equal(got["t_safe"], safe)


def test_kernels_run_only_for_cupy_arrays():
    assert not fused.use_kernels(np.zeros(3))
    if has_strict():
        assert not fused.use_kernels(minigrad.zeros(3, device="strict")._data)
