"""How many arrays a minigrad training step makes: ``python -m bench.arrays [names]``.

Counts the NumPy data buffers allocated during one step of each training case (the
temporaries: every array result that is not a view; in-place updates and views make
none), and the bytes they take. A rough proxy for the kernel launches the same step makes
on a GPU, where each array operation is one. Scalars (buffers of 8 bytes or less: a
Python number turned into a 0-d array) are counted apart: on a GPU they are kernel
arguments, not launches. ``-v`` lists where the arrays of one step are made.

How: NumPy (>= 1.22) lets a program install its own allocator for array data (NEP 49);
this one counts, then calls the C library's. A diagnostic for developers, Linux and
CPython only; nothing in minigrad uses it.
"""
import collections
import ctypes
import sys

import numpy as np

_MALLOC = ctypes.CFUNCTYPE(ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t)
_CALLOC = ctypes.CFUNCTYPE(ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t, ctypes.c_size_t)
_REALLOC = ctypes.CFUNCTYPE(ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t)
_FREE = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t)


class _Allocator(ctypes.Structure):  # NumPy's PyDataMemAllocator
    _fields_ = [("ctx", ctypes.c_void_p), ("malloc", _MALLOC), ("calloc", _CALLOC),
                ("realloc", _REALLOC), ("free", _FREE)]


class _Handler(ctypes.Structure):  # NumPy's PyDataMem_Handler
    _fields_ = [("name", ctypes.c_char * 127), ("version", ctypes.c_uint8),
                ("allocator", _Allocator)]


class Counter:
    """Install with ``start()``; ``arrays``, ``scalars`` and ``nbytes`` count from then on;
    ``where`` (when ``trace``) counts (file, line, function) of each array's maker."""

    def __init__(self):
        self.arrays = self.scalars = self.nbytes = 0
        self.trace = False
        self.where = collections.Counter()
        libc = ctypes.CDLL(None)
        for name, res, args in (("malloc", ctypes.c_void_p, [ctypes.c_size_t]),
                                ("calloc", ctypes.c_void_p, [ctypes.c_size_t] * 2),
                                ("realloc", ctypes.c_void_p, [ctypes.c_void_p, ctypes.c_size_t]),
                                ("free", None, [ctypes.c_void_p])):
            getattr(libc, name).restype, getattr(libc, name).argtypes = res, args
        self._callbacks = (_MALLOC(lambda ctx, n: self._note(n) or libc.malloc(n or 1)),
                           _CALLOC(lambda ctx, n, s: self._note(n * s) or libc.calloc(n or 1, s or 1)),
                           _REALLOC(lambda ctx, p, n: libc.realloc(p, n or 1)),
                           _FREE(lambda ctx, p, n: libc.free(p)))
        self._handler = _Handler(b"bench.arrays", 1, _Allocator(None, *self._callbacks))
        self._name = ctypes.create_string_buffer(b"mem_handler")
        new = ctypes.pythonapi.PyCapsule_New
        new.restype, new.argtypes = ctypes.py_object, [ctypes.c_void_p] * 3
        self._capsule = new(ctypes.addressof(self._handler), ctypes.addressof(self._name), None)

    def _note(self, n):
        if n <= 8:
            self.scalars += 1
            return
        self.arrays += 1
        self.nbytes += n
        if self.trace:
            f = sys._getframe(2)
            self.where[(f.f_code.co_filename.rsplit("/", 1)[-1], f.f_lineno,
                        f.f_code.co_name)] += 1

    def start(self):
        """Make this counter NumPy's allocator of array data (for the rest of the process:
        arrays made since must be freed by it)."""
        get = ctypes.pythonapi.PyCapsule_GetPointer
        get.restype, get.argtypes = ctypes.c_void_p, [ctypes.py_object, ctypes.c_char_p]
        table = get(np._core._multiarray_umath._ARRAY_API, None)
        set_handler = ctypes.PYFUNCTYPE(ctypes.py_object, ctypes.py_object)(
            ctypes.cast(table, ctypes.POINTER(ctypes.c_void_p))[304])  # PyDataMem_SetHandler
        set_handler(self._capsule)
        if np._core.multiarray.get_handler_name() != "bench.arrays":
            raise RuntimeError("could not install the counting allocator")

    def reset(self):
        self.arrays = self.scalars = self.nbytes = 0
        self.where.clear()


def main(argv=None):
    import os

    from . import run
    from .models import Framework
    args = sys.argv[1:] if argv is None else argv
    verbose = "-v" in args
    names = [a for a in args if a != "-v"] or ["mnist_mlp", "lenet", "blobs", "bn_cnn"]
    counter = Counter()
    for case in run.cases(run.Settings()):
        if case.name not in names:
            continue
        step, _ = case.setup([Framework("minigrad")])["minigrad"]
        for _ in range(3):
            step()
        if not counter.trace:
            counter.start()
        counter.reset()
        n = 5
        for _ in range(n):
            step()
        print(f"{case.name:10s} arrays/step {counter.arrays / n:6.1f}   MB/step "
              f"{counter.nbytes / n / 1e6:7.2f}   scalars/step {counter.scalars / n:6.1f}",
              flush=True)
        if verbose:
            counter.reset()
            counter.trace = True
            step()
            counter.trace = False
            for (file, line, func), k in sorted(counter.where.items()):
                print(f"    {k:3d}  {file}:{line} {func}")
    sys.stdout.flush()
    os._exit(0)  # arrays still alive belong to this allocator: skip the interpreter's teardown


if __name__ == "__main__":
    main()
