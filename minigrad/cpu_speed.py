"""Speed tricks for the CPU, and nothing else: skip this file on a first read.

Each trick here changes how fast minigrad runs, never what it computes (or, for
flushing denormals, only numbers below 1e-38). Each says what the plain code would be:

- ``_keep_freed_memory``: glibc's malloc keeps freed buffers for reuse (runs on import;
  plain: nothing, the C library's defaults);
- ``set_flush_denormal`` / ``denormals_flushed``: the CPU treats denormal floats as zero
  (plain: nothing; see ``denormals_flushed`` for why the optimizers want it);
- ``cache_sized_pieces``: a many-pass update done piece by piece while each piece is in
  the cache (plain: the whole arrays at once);
- ``relu``: max(x, 0) by NumPy's vectorised loop (plain: ``xp.maximum`` with a 0-d zero);
- ``positive_mask``: ReLU's backward mask in one pass (plain: ``xp.astype(out != 0,
  out.dtype)``);
- ``channel_sums``: a per-channel sum as matrix products (plain: ``xp.sum(a, axis=(0, 2,
  3))``).

``backend.py`` is the device seam (which array library, moving data); this file is where
the engine is tuned for NumPy, OpenBLAS, glibc and x86-64.
"""
import ctypes
import os
import platform
import sys

import numpy as np

from .backend import device_of, has_strides, ones_vector


# ------------------------------------------------------------------ memory


def _keep_freed_memory():
    """Let freed array buffers be reused instead of handed back to the OS (glibc only).

    glibc returns large freed blocks to the kernel (munmap) and the next array of the
    same size page-faults on every page again: a LeNet step made ~3,000 page faults and
    spent about half its time on them. Raising the mmap and trim thresholds keeps the
    memory for reuse; peak memory is unchanged. Opt out: MINIGRAD_MALLOC_TUNING=0.
    """
    if os.environ.get("MINIGRAD_MALLOC_TUNING", "1") == "0" or not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL("libc.so.6")
        m_trim_threshold, m_mmap_threshold = -1, -3  # from glibc's malloc.h
        libc.mallopt(m_mmap_threshold, 32 << 20)    # glibc's maximum on 64-bit
        libc.mallopt(m_trim_threshold, 256 << 20)
    except (OSError, AttributeError):  # not glibc (musl, macOS): nothing to tune
        pass


_keep_freed_memory()


# ------------------------------------- floating point: denormals flushed to zero

_FTZ_DAZ = 0x8040  # the MXCSR bits "flush denormal results to zero", "denormal inputs are zero"
_libm = None  # loaded on first use; False where it cannot be
_X86_64_LINUX = platform.machine() in ("x86_64", "AMD64") and sys.platform.startswith("linux")


def _floating_point_env():
    """(glibc's libm, this thread's fenv_t) on x86-64 Linux, else None.

    On x86-64 glibc's fenv_t is 32 bytes with the SSE control register MXCSR at offset 28.
    """
    global _libm
    if not _X86_64_LINUX:
        return None
    if _libm is None:
        try:
            _libm = ctypes.CDLL("libm.so.6")
        except OSError:
            _libm = False
    if not _libm:
        return None
    env = (ctypes.c_uint8 * 32)()
    return (_libm, env) if _libm.fegetenv(env) == 0 else None


def set_flush_denormal(mode):
    """Treat denormal floats as zero on this thread's CPU (x86-64 with glibc), like torch's.

    Denormals are the tiny floats below 1.2e-38 (float32); x86 CPUs compute with them a
    hundred times slower. Sets the FTZ and DAZ bits of MXCSR through glibc's fenv;
    returns False (and changes nothing) where that is not available, True otherwise.
    """
    fenv = _floating_point_env()
    if fenv is None:
        return False
    libm, env = fenv
    mxcsr = ctypes.c_uint32.from_buffer(env, 28)
    mxcsr.value = (mxcsr.value | _FTZ_DAZ) if mode else (mxcsr.value & ~_FTZ_DAZ)
    return libm.fesetenv(env) == 0


class denormals_flushed:
    """``with denormals_flushed():`` computes with denormals flushed to zero on this
    thread, then restores the floating-point environment as it was.

    The optimizers step inside it. Adam's and momentum SGD's running averages of a weight
    whose gradient stays 0 (a dead ReLU unit) decay by a constant factor each step into
    the denormal range, where they get stuck (the smallest denormal times 0.9 rounds back
    to itself): from then on every step is several times slower, in PyTorch too. Flushed,
    they stop at 0 or just above the denormal range (1.2e-38 in float32, 2.2e-308 in
    float64). Only such tiny averages differ from PyTorch's; a weight's update differs by
    at most ~lr * 1e-27 (Adam with its default eps), far below any weight's resolution.
    """

    __slots__ = ("saved",)

    def __enter__(self):
        fenv = _floating_point_env()
        self.saved = fenv
        if fenv is not None:
            libm, env = fenv
            flushed = (ctypes.c_uint8 * 32).from_buffer_copy(env)
            ctypes.c_uint32.from_buffer(flushed, 28).value |= _FTZ_DAZ
            libm.fesetenv(flushed)
        return self

    def __exit__(self, *exc):
        if self.saved is not None:
            libm, env = self.saved
            libm.fesetenv(env)
        return False


# ------------------------------------------------------ cache-sized passes


def cache_sized_pieces(*arrays, size=1 << 15):
    """Yield matching pieces of same-shaped arrays (``None`` entries stay ``None``).

    NumPy, row-major arrays larger than ``size``: flat slices of ``size`` elements
    (views, so in-place updates reach the arrays), so that an update made of many passes
    finishes each piece while it is still in the cache. Otherwise: the whole arrays once.
    """
    present = [a for a in arrays if a is not None]
    if not all(type(a) is np.ndarray and a.flags.c_contiguous for a in present) or \
            present[0].size <= size:
        yield arrays
        return
    flat = [None if a is None else a.reshape(-1) for a in arrays]
    for start in range(0, present[0].size, size):
        yield tuple(None if f is None else f[start:start + size] for f in flat)


# ------------------------------------------------------------ ReLU

_CHUNK = 1 << 18  # elements per call of relu's loop (1 MB of float32 zeros at most)
_zeros = {}       # dtype -> a read-only vector of _CHUNK zeros, made on first use


def relu(x):
    """max(x, 0) element-wise (NaN stays NaN), laid out in memory as x is.

    NumPy 2's maximum runs against a scalar 0 one element at a time, and against an
    array of zeros with its vectorised loop: 0.09 ms instead of 0.25 to 0.39 ms for
    512,000 float32 (a wide ReLU's forward), the same numbers bit for bit. So a NumPy
    array that lies densely in memory (its axes in any order: a conv output, a Linear
    output laid out feature-major) is seen flat, in memory order, and its maximum taken
    with a vector of zeros, a chunk at a time (the zeros are kept for the next call).
    Plain: ``xp.maximum(x, 0)``, the 0 of x's dtype (so a bool x stays bool).
    """
    mem = _memory_order(x) if type(x) is np.ndarray and x.size >= 8192 else None
    if mem is None:
        xp = device_of(x).xp
        return xp.maximum(x, xp.zeros((), dtype=x.dtype))
    mem, order = mem
    flat = mem.reshape(-1)
    out = np.empty_like(flat)
    zeros = _zeros.get(x.dtype)
    if zeros is None:
        zeros = _zeros[x.dtype] = np.zeros(_CHUNK, dtype=x.dtype)
    for start in range(0, flat.size, _CHUNK):
        piece = flat[start:start + _CHUNK]
        np.maximum(piece, zeros[:piece.size], out=out[start:start + _CHUNK])
    # back to x's axes: the inverse of the permutation that put them in memory order
    return out.reshape(mem.shape).transpose(sorted(range(x.ndim), key=order.__getitem__))


def _memory_order(a):
    """(a's axes permuted into memory order, outermost first; the permutation) when that
    view is C-contiguous (``a`` lies densely in memory, in some order of its axes), else
    None."""
    order = sorted(range(a.ndim), key=lambda i: -a.strides[i])
    mem = a.transpose(order)
    return (mem, order) if mem.flags.c_contiguous else None


# ------------------------------------------------------------ masks


def positive_mask(out):
    """1 where a ReLU output ``out`` is positive or NaN, else 0 (PyTorch's relu backward
    passes g at NaN), in out's own float dtype (a multiply-ready mask).

    A ReLU output is never negative, so "positive or NaN" is "not zero": NumPy writes that
    comparison straight into a float array, one pass and no bool temporary; elsewhere the
    standard way: compare, then cast.
    """
    if type(out) is np.ndarray:
        return np.not_equal(out, 0, out=np.empty_like(out))
    return device_of(out).xp.astype(out != 0, out.dtype)


# ------------------------------------------------------ sums as products


def channel_sums(a):
    """The sum over every dim but dim 1 (the channels): shape (C,).

    NumPy's sum over several axes of the permuted layouts that convolutions return runs
    several times slower than a matrix product with a vector of ones. So, on strided
    arrays, view ``a`` in its memory order as (before, C, after) and sum ``after`` by a
    matrix-vector product, then the few ``before`` rows (0.06 ms against 0.39 ms for a
    (64, 16, 28, 28) float32 conv output).
    """
    xp = device_of(a).xp
    axes = (0,) + tuple(range(2, a.ndim))
    if not has_strides(a) or a.ndim < 2:
        return xp.sum(a, axis=axes)
    order = sorted(range(a.ndim), key=lambda i: -a.strides[i])  # outermost first
    mem = xp.permute_dims(a, tuple(order))
    if not mem.flags.c_contiguous:
        return xp.sum(a, axis=axes)
    pos = order.index(1)
    before = 1
    for n in mem.shape[:pos]:
        before *= n
    after = mem.size // (before * a.shape[1]) if a.size else 0
    if after == 0 or before == 0:
        return xp.sum(a, axis=axes)
    if after == 1:  # channels innermost: sum the rows
        return xp.matmul(ones_vector(a, before), xp.reshape(mem, (before, a.shape[1])))
    per_row = xp.matmul(xp.reshape(mem, (before * a.shape[1], after)),
                        ones_vector(a, after))
    return xp.sum(xp.reshape(per_row, (before, a.shape[1])), axis=0)
