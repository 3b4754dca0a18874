"""Datasets, samplers and the DataLoader that batches them (``torch.utils.data``'s API).

A *dataset* answers ``len(ds)`` and ``ds[i]`` (one sample, e.g. ``(image, label)``).
A *DataLoader* draws the indices of an epoch (in order, or shuffled by a seeded
generator), cuts them into batches, and turns each batch of samples into batched
tensors ("collation"): ``for x, y in DataLoader(ds, batch_size=64, shuffle=True)``.

Speed. The obvious way to build a batch -- fetch every sample, then stack them -- runs
Python code once per sample. A dataset that keeps its samples in arrays can hand over a
whole batch at once by defining (a minigrad extension)::

    def __getbatch__(self, indices):      # indices: a 1-d int64 NumPy array
        ...                               # -> exactly default_collate([self[i] for i in indices])

The DataLoader calls it once per batch whenever it uses the default ``collate_fn``.
``TensorDataset``, ``Subset`` and ``minigrad.datasets.MNIST`` define it: a batch is one
``take`` (fancy index) per tensor. PyTorch's own hook, ``__getitems__(indices)`` (a *list*
of samples that still gets collated), is honoured too, for datasets written for PyTorch.

Differences from PyTorch: ``num_workers > 0`` is accepted but batches are always made in
the main process (with whole-batch indexing there is little left for workers to do);
``pin_memory`` is accepted and ignored; random orders come from minigrad's generators, so
they differ from PyTorch's for the same seed (they are reproducible within minigrad).
"""
import collections.abc
import itertools
import math
import warnings

import numpy as np

from .. import backend
from ..functions import stack
from ..tensor import Tensor

__all__ = ["Dataset", "TensorDataset", "Subset", "DataLoader", "random_split",
           "Sampler", "SequentialSampler", "RandomSampler", "BatchSampler",
           "default_collate", "default_convert"]


def _rng(generator):
    """The NumPy random generator behind ``generator`` (the global one when None)."""
    if generator is None:
        return backend.get_rng()
    return getattr(generator, "rng", generator)  # minigrad.Generator, or a NumPy Generator


# ------------------------------------------------------------------------ datasets


class Dataset:
    """A map-style dataset: subclasses define ``__getitem__(index)`` and ``__len__()``."""

    def __getitem__(self, index):
        raise NotImplementedError("Subclasses of Dataset should implement __getitem__.")

    def __len__(self):
        raise NotImplementedError("Subclasses of Dataset should implement __len__.")


def _take_rows(t, indices):
    """Rows ``indices`` (a NumPy int64 array) of tensor ``t``: one ``take``, a new array."""
    data = t._data
    dev = backend.device_of(data)
    if dev is not backend.CPU:
        indices = backend.from_numpy(indices, dev)
    return Tensor._make(dev.xp.take(data, indices, axis=0), None)


class TensorDataset(Dataset):
    """Samples are the rows of tensors that share their first dimension: ``ds[i]`` is
    ``(t[i] for t in tensors)``; a batch takes rows of every tensor in one go."""

    def __init__(self, *tensors):
        if not tensors:
            raise ValueError("TensorDataset needs at least one tensor")
        for i, t in enumerate(tensors):
            if not isinstance(t, Tensor):
                raise TypeError(f"TensorDataset expects minigrad tensors, got "
                                f"{type(t).__name__} at position {i} (wrap NumPy arrays with "
                                "minigrad.from_numpy)")
        sizes = [t.shape[0] for t in tensors]
        if any(s != sizes[0] for s in sizes):
            raise AssertionError(f"Size mismatch between tensors: first dimensions are {sizes}")
        self.tensors = tensors

    def __getitem__(self, index):
        return tuple(t[index] for t in self.tensors)

    def __len__(self):
        return self.tensors[0].shape[0]

    def __getbatch__(self, indices):
        return [_take_rows(t, indices) for t in self.tensors]


class Subset(Dataset):
    """The samples of ``dataset`` at positions ``indices`` (a list, range or array)."""

    def __init__(self, dataset, indices):
        self.dataset = dataset
        self.indices = indices
        self._cached = (None, None)  # (indices object, its int64 array)

    def __getitem__(self, idx):
        if isinstance(idx, list):
            return self.dataset[[self.indices[i] for i in idx]]
        return self.dataset[self.indices[idx]]

    def __len__(self):
        return len(self.indices)

    def _index_array(self):
        obj, arr = self._cached
        if obj is not self.indices:  # (re)built when .indices is replaced
            arr = np.asarray(self.indices, dtype=np.int64).reshape(-1)
            self._cached = (self.indices, arr)
        return arr

    def __getbatch__(self, indices):
        return _collated_batch(self.dataset, self._index_array()[indices])


def random_split(dataset, lengths, generator=None):
    """Split ``dataset`` into non-overlapping random ``Subset``s of the given lengths.

    ``lengths`` are sizes that add up to ``len(dataset)``, or fractions that add up to 1
    (each split gets ``floor(frac * len)`` samples, and what is left over goes one by one
    to the splits in order, as in PyTorch). ``generator`` makes the split reproducible.
    """
    lengths = list(lengths)
    n = len(dataset)
    if math.isclose(sum(lengths), 1) and sum(lengths) <= 1:
        sizes = []
        for i, frac in enumerate(lengths):
            if frac < 0 or frac > 1:
                raise ValueError(f"Fraction at index {i} is not between 0 and 1")
            sizes.append(math.floor(n * frac))
        for i in range(n - sum(sizes)):
            sizes[i % len(sizes)] += 1
        for i, size in enumerate(sizes):
            if size == 0:
                warnings.warn(f"Length of split at index {i} is 0. This might result in an "
                              "empty dataset.", stacklevel=2)
        lengths = sizes
    if sum(lengths) != n:
        raise ValueError("Sum of input lengths does not equal the length of the input dataset! "
                         f"(lengths {lengths} add up to {sum(lengths)}, the dataset has {n})")
    order = _rng(generator).permutation(n).tolist()
    ends = itertools.accumulate(lengths)
    return [Subset(dataset, order[end - length:end]) for end, length in zip(ends, lengths)]


# ------------------------------------------------------------------------ samplers


class Sampler:
    """Yields dataset indices; subclasses define ``__iter__`` (and usually ``__len__``)."""

    def __init__(self, data_source=None):
        pass

    def __iter__(self):
        raise NotImplementedError


class SequentialSampler(Sampler):
    """0, 1, ..., len(data_source) - 1."""

    def __init__(self, data_source):
        self.data_source = data_source

    def _epoch_indices(self):
        return np.arange(len(self.data_source), dtype=np.int64)

    def __iter__(self):
        return iter(range(len(self.data_source)))

    def __len__(self):
        return len(self.data_source)


class RandomSampler(Sampler):
    """A random order of the indices, new each epoch: a permutation (or ``num_samples``
    draws with replacement), taken from ``generator`` or the global generator."""

    def __init__(self, data_source, replacement=False, num_samples=None, generator=None):
        if not isinstance(replacement, bool):
            raise TypeError("replacement should be a boolean value, but got "
                            f"replacement={replacement}")
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = generator
        if not isinstance(self.num_samples, int) or self.num_samples <= 0:
            raise ValueError("num_samples should be a positive integer value, but got "
                             f"num_samples={self.num_samples}")

    @property
    def num_samples(self):
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def _epoch_indices(self):
        rng, n, k = _rng(self.generator), len(self.data_source), self.num_samples
        if self.replacement:
            return rng.integers(0, n, size=k, dtype=np.int64)
        if k == n:
            return rng.permutation(n)
        # more (or fewer) samples than the dataset holds: whole permutations, then a part
        parts = [rng.permutation(n) for _ in range(k // n)] + [rng.permutation(n)[:k % n]]
        return np.concatenate(parts)

    def __iter__(self):
        return iter(self._epoch_indices().tolist())

    def __len__(self):
        return self.num_samples


def _check_batch_size(batch_size):
    if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size <= 0:
        raise ValueError("batch_size should be a positive integer value, but got "
                         f"batch_size={batch_size}")


def _index_batches(sampler, batch_size, drop_last):
    """The batches of an epoch as NumPy int64 arrays (slices of one index array when the
    sampler can produce the epoch's order at once)."""
    if hasattr(sampler, "_epoch_indices"):
        order = sampler._epoch_indices()
        stop = len(order) - len(order) % batch_size if drop_last else len(order)
        for start in range(0, stop, batch_size):
            yield order[start:start + batch_size]
        return
    it = iter(sampler)
    while True:
        chunk = list(itertools.islice(it, batch_size))
        if not chunk or (drop_last and len(chunk) < batch_size):
            return
        yield np.asarray(chunk, dtype=np.int64)


class BatchSampler(Sampler):
    """Groups the indices of ``sampler`` into lists of ``batch_size`` (the last one shorter
    unless ``drop_last``)."""

    def __init__(self, sampler, batch_size, drop_last):
        _check_batch_size(batch_size)
        if not isinstance(drop_last, bool):
            raise ValueError(f"drop_last should be a boolean value, but got drop_last={drop_last}")
        self.sampler = sampler
        self.batch_size = batch_size
        self.drop_last = drop_last

    def __iter__(self):
        for batch in _index_batches(self.sampler, self.batch_size, self.drop_last):
            yield batch.tolist()

    def __len__(self):
        n = len(self.sampler)
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)


# ----------------------------------------------------------------------- collation

_COLLATE_ERROR = ("default_collate: batch must contain tensors, numpy arrays, numbers, dicts "
                  "or lists; found {}")


def _array_tensor(arr):
    """A tensor over NumPy array ``arr`` (dtypes minigrad lacks: floats -> float32,
    integers -> int64)."""
    if arr.dtype.kind not in "biuf":
        raise TypeError(_COLLATE_ERROR.format(arr.dtype))
    if arr.dtype.name not in backend.DTYPES:
        arr = arr.astype(np.float32 if arr.dtype.kind == "f" else np.int64)
    return Tensor._make(arr, None)


def default_collate(batch):
    """Turn a list of samples into a batch, as PyTorch does: tensors and NumPy arrays are
    stacked along a new first dimension; Python ints become an int64 tensor, floats a
    float64 tensor, bools a bool tensor; strings stay a list; dicts, named tuples and
    sequences are collated field by field (a tuple of fields gives a *list* of batches)."""
    elem = batch[0]
    if isinstance(elem, Tensor):
        return stack(batch, 0)
    if isinstance(elem, np.ndarray):
        return _array_tensor(np.stack(batch))
    if isinstance(elem, np.generic):
        return _array_tensor(np.asarray(batch))
    if isinstance(elem, bool):
        return Tensor._make(np.asarray(batch, dtype=np.bool_), None)
    if isinstance(elem, int):
        return Tensor._make(np.asarray(batch, dtype=np.int64), None)
    if isinstance(elem, float):
        return Tensor._make(np.asarray(batch, dtype=np.float64), None)
    if isinstance(elem, (str, bytes)):
        return batch
    if isinstance(elem, collections.abc.Mapping):
        return {key: default_collate([sample[key] for sample in batch]) for key in elem}
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # namedtuple
        return type(elem)(*(default_collate(list(field)) for field in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        size = len(elem)
        if any(len(sample) != size for sample in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        fields = [default_collate(list(field)) for field in zip(*batch)]
        if isinstance(elem, tuple):
            return fields  # a list, as in PyTorch
        try:
            return type(elem)(fields)
        except TypeError:
            return fields
    raise TypeError(_COLLATE_ERROR.format(type(elem)))


def default_convert(data):
    """One sample, unbatched (``batch_size=None``): NumPy arrays become tensors, containers
    are converted element by element, everything else passes through."""
    if isinstance(data, np.ndarray) and data.dtype.kind in "biuf":
        return _array_tensor(data)
    if isinstance(data, np.generic) and data.dtype.kind in "biuf":
        return _array_tensor(np.asarray(data))
    if isinstance(data, collections.abc.Mapping):
        return {key: default_convert(value) for key, value in data.items()}
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, (str, bytes)):
        try:
            return type(data)([default_convert(d) for d in data])
        except TypeError:
            return [default_convert(d) for d in data]
    return data


def _samples(dataset, indices):
    """The samples at ``indices`` (NumPy array) as a list, through ``__getitems__`` if any."""
    keys = indices.tolist()
    getitems = getattr(dataset, "__getitems__", None)
    if callable(getitems):
        return getitems(keys)
    return [dataset[i] for i in keys]


def _collated_batch(dataset, indices):
    """``default_collate`` of the samples at ``indices``, whole-batch when the dataset can."""
    getbatch = getattr(dataset, "__getbatch__", None)
    if getbatch is not None:
        return getbatch(indices)
    return default_collate(_samples(dataset, indices))


# ---------------------------------------------------------------------- DataLoader


class _LoaderIter:
    """One pass over a DataLoader (``next(iter(loader))`` gives the first batch)."""

    __slots__ = ("_batches", "_loader")

    def __init__(self, loader):
        self._batches = loader._batches()
        self._loader = loader

    def __iter__(self):
        return self

    def __next__(self):
        return next(self._batches)

    def __len__(self):
        return len(self._loader)


class DataLoader:
    """Batches of ``dataset``, one epoch per ``for batch in loader``.

    ``batch_size`` samples per batch (``None``: single samples, no batching); ``shuffle``
    draws a new random order every epoch from ``generator`` (a seeded
    ``minigrad.Generator`` makes it reproducible) or from the global generator
    (``minigrad.manual_seed``); ``drop_last`` drops a final partial batch; ``sampler`` or
    ``batch_sampler`` choose indices yourself; ``collate_fn`` turns a list of samples into
    a batch (default: ``default_collate``, done whole-batch for datasets with
    ``__getbatch__``). ``len(loader)`` is the number of batches per epoch.
    """

    def __init__(self, dataset, batch_size=1, shuffle=None, sampler=None, batch_sampler=None,
                 num_workers=0, collate_fn=None, pin_memory=False, drop_last=False, timeout=0,
                 worker_init_fn=None, multiprocessing_context=None, generator=None, *,
                 prefetch_factor=None, persistent_workers=False, pin_memory_device="",
                 in_order=True):
        if num_workers < 0:
            raise ValueError("num_workers option should be non-negative; use num_workers=0 to "
                             "disable multiprocessing.")
        if timeout < 0:
            raise ValueError("timeout option should be non-negative")
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError("prefetch_factor option could only be specified in "
                             "multiprocessing. let num_workers > 0 to enable multiprocessing, "
                             "otherwise set prefetch_factor to None.")
        if persistent_workers and num_workers == 0:
            raise ValueError("persistent_workers option needs num_workers > 0")
        shuffle = bool(shuffle)
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("batch_sampler option is mutually exclusive with batch_size, "
                                 "shuffle, sampler, and drop_last")
            batch_size, drop_last = None, False
        elif batch_size is None and drop_last:
            raise ValueError("batch_size=None option disables auto-batching and is mutually "
                             "exclusive with drop_last")
        if sampler is None:
            sampler = (RandomSampler(dataset, generator=generator) if shuffle
                       else SequentialSampler(dataset))
        if batch_size is not None and batch_sampler is None:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)
        if collate_fn is None:
            collate_fn = default_collate if batch_sampler is not None else default_convert

        self.dataset = dataset
        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.num_workers = num_workers  # batches are made in the main process regardless
        self.collate_fn = collate_fn
        self.pin_memory = pin_memory
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = multiprocessing_context
        self.generator = generator
        self.prefetch_factor = prefetch_factor
        self.persistent_workers = persistent_workers
        self.pin_memory_device = pin_memory_device
        self.in_order = in_order

    def _index_batches(self):
        bs = self.batch_sampler
        if type(bs) is BatchSampler:  # ours: slices of one index array per epoch
            return _index_batches(bs.sampler, bs.batch_size, bs.drop_last)
        return (np.asarray(list(b), dtype=np.int64).reshape(-1) for b in bs)

    def _batches(self):
        dataset, collate = self.dataset, self.collate_fn
        if self.batch_sampler is None:  # no batching: one (converted) sample at a time
            for index in self.sampler:
                yield collate(dataset[index])
            return
        whole_batch = collate is default_collate
        for indices in self._index_batches():
            if whole_batch:
                yield _collated_batch(dataset, indices)
            else:
                yield collate(_samples(dataset, indices))

    def __iter__(self):
        return _LoaderIter(self)

    def __len__(self):
        if self.batch_sampler is None:
            return len(self.sampler)
        return len(self.batch_sampler)
