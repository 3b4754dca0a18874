"""minigrad.utils.data: Dataset, TensorDataset, Subset, random_split, DataLoader, collation.

DataLoader semantics follow torch.utils.data (batch counts, drop_last, error messages,
default_collate's output types); random orders come from minigrad's own generators.
"""
import collections

import numpy as np
import pytest
import torch
import torch.utils.data as tud
from hypothesis import given, settings, strategies as st

import minigrad
from minigrad.utils.data import (BatchSampler, DataLoader, Dataset, RandomSampler,
                                 SequentialSampler, Subset, TensorDataset, default_collate,
                                 default_convert, random_split)


def numbered(n, device="cpu"):
    """A dataset whose sample i is (float row [i, i + 0.5], label i % 3)."""
    x = minigrad.tensor(np.stack([np.arange(n), np.arange(n) + 0.5], 1), dtype=minigrad.float32,
                        device=device)
    y = minigrad.tensor(np.arange(n) % 3, device=device)
    return TensorDataset(x, y)


def seen_indices(loader):
    """The sample numbers of one epoch, batch by batch (read off the first feature)."""
    return [[int(v) for v in x.numpy()[:, 0]] for x, _ in loader]


class PerSample(Dataset):
    """A generic dataset with no whole-batch path: (NumPy image, int label) per index."""

    def __init__(self, n):
        self.n = n
        self.calls = 0

    def __getitem__(self, i):
        self.calls += 1
        return np.full((1, 2, 2), i, dtype=np.float32), i % 10

    def __len__(self):
        return self.n


# ------------------------------------------------------------------ TensorDataset

def test_tensor_dataset_item_is_a_tuple_of_rows():
    ds = numbered(5)
    x, y = ds[3]
    assert len(ds) == 5
    assert x.tolist() == [3.0, 3.5] and y.item() == 0


def test_tensor_dataset_rejects_tensors_of_different_lengths():
    with pytest.raises(AssertionError, match=r"Size mismatch between tensors.*\[4, 3\]"):
        TensorDataset(minigrad.zeros(4, 2), minigrad.zeros(3))


def test_tensor_dataset_rejects_numpy_arrays_with_a_hint():
    with pytest.raises(TypeError, match="from_numpy"):
        TensorDataset(np.zeros((3, 2)))


def test_dataset_base_class_asks_subclasses_for_getitem_and_len():
    with pytest.raises(NotImplementedError, match="__getitem__"):
        Dataset()[0]
    with pytest.raises(NotImplementedError, match="__len__"):
        len(Dataset())


# ------------------------------------------------------------- every sample once

@settings(max_examples=40, deadline=None)
@given(n=st.integers(1, 50), batch_size=st.integers(1, 60), shuffle=st.booleans(),
       drop_last=st.booleans())
def test_loader_yields_every_sample_once_per_epoch(n, batch_size, shuffle, drop_last):
    loader = DataLoader(numbered(n), batch_size=batch_size, shuffle=shuffle, drop_last=drop_last)
    batches = seen_indices(loader)
    flat = [i for b in batches for i in b]
    full_batches, rest = divmod(n, batch_size)
    sizes = [batch_size] * full_batches + ([rest] if rest and not drop_last else [])
    assert [len(b) for b in batches] == sizes
    assert len(loader) == len(sizes)
    assert len(flat) == len(set(flat))  # no sample twice
    if drop_last:
        assert set(flat) <= set(range(n))
    else:
        assert sorted(flat) == list(range(n))
    if not shuffle:
        assert flat == list(range(len(flat)))


def test_loader_keeps_the_last_partial_batch_unless_drop_last():
    ds = numbered(10)
    assert [len(b) for b in seen_indices(DataLoader(ds, batch_size=4))] == [4, 4, 2]
    assert [len(b) for b in seen_indices(DataLoader(ds, batch_size=4, drop_last=True))] == [4, 4]
    assert len(DataLoader(ds, batch_size=4)) == 3
    assert len(DataLoader(ds, batch_size=4, drop_last=True)) == 2


@pytest.mark.parametrize("n, batch_size, drop_last", [(10, 3, False), (10, 3, True),
                                                      (7, 7, False), (5, 8, True)])
def test_loader_len_matches_pytorch(n, batch_size, drop_last):
    theirs = tud.DataLoader(tud.TensorDataset(torch.zeros(n)), batch_size=batch_size,
                            drop_last=drop_last)
    ours = DataLoader(numbered(n), batch_size=batch_size, drop_last=drop_last)
    assert len(ours) == len(theirs)
    assert [len(b[0]) for b in ours] == [len(b[0]) for b in theirs]


# ------------------------------------------------------------------------ shuffling

def seeded(seed):
    return minigrad.Generator().manual_seed(seed)


def test_shuffle_with_equally_seeded_generators_gives_the_same_order():
    ds = numbered(100)
    a = seen_indices(DataLoader(ds, 16, shuffle=True, generator=seeded(7)))
    b = seen_indices(DataLoader(ds, 16, shuffle=True, generator=seeded(7)))
    assert a == b
    assert a != seen_indices(DataLoader(ds, 16))  # and it is not the plain order


def test_shuffle_with_another_seed_gives_another_order():
    ds = numbered(100)
    a = seen_indices(DataLoader(ds, 16, shuffle=True, generator=seeded(1)))
    b = seen_indices(DataLoader(ds, 16, shuffle=True, generator=seeded(2)))
    assert a != b


def test_shuffle_draws_a_new_order_each_epoch():
    loader = DataLoader(numbered(100), 10, shuffle=True, generator=seeded(0))
    assert seen_indices(loader) != seen_indices(loader)


def test_shuffle_without_generator_follows_the_global_seed():
    ds = numbered(100)
    minigrad.manual_seed(3)
    a = seen_indices(DataLoader(ds, 10, shuffle=True))
    minigrad.manual_seed(3)
    b = seen_indices(DataLoader(ds, 10, shuffle=True))
    minigrad.manual_seed(4)
    c = seen_indices(DataLoader(ds, 10, shuffle=True))
    assert a == b != c


# ---------------------------------------------------------------------- batch types

def test_batches_are_minigrad_tensors_with_the_dataset_dtypes_and_device(device):
    x, y = next(iter(DataLoader(numbered(10, device), batch_size=4, shuffle=True)))
    assert isinstance(x, minigrad.Tensor) and isinstance(y, minigrad.Tensor)
    assert x.dtype == minigrad.float32 and y.dtype == minigrad.int64
    assert x.shape == (4, 2) and y.shape == (4,)
    assert x.device == minigrad.device(device) and y.device == minigrad.device(device)
    assert not x.requires_grad


def test_tensor_dataset_batch_equals_collating_its_samples_one_by_one():
    ds = numbered(20)
    gen = minigrad.Generator().manual_seed(5)
    for (x, y), idx in zip(DataLoader(ds, 6, shuffle=True, generator=gen),
                           BatchSampler(RandomSampler(ds, generator=minigrad.Generator()
                                                      .manual_seed(5)), 6, False)):
        slow_x, slow_y = default_collate([ds[i] for i in idx])
        np.testing.assert_array_equal(x.numpy(), slow_x.numpy())
        np.testing.assert_array_equal(y.numpy(), slow_y.numpy())


def test_tensor_dataset_batch_is_a_copy_not_a_view_of_the_data():
    ds = numbered(4)
    x, _ = next(iter(DataLoader(ds, batch_size=4)))
    x.zero_()
    assert ds.tensors[0].numpy()[1, 0] == 1.0


def test_generic_dataset_is_collated_per_sample_into_image_and_int64_label_batches():
    ds = PerSample(10)
    x, y = next(iter(DataLoader(ds, batch_size=4)))
    assert x.shape == (4, 1, 2, 2) and x.dtype == minigrad.float32
    assert y.dtype == minigrad.int64 and y.tolist() == [0, 1, 2, 3]
    assert ds.calls == 4


def test_custom_collate_fn_receives_the_list_of_samples():
    got = []
    loader = DataLoader(PerSample(5), batch_size=2, collate_fn=lambda samples: got.append(samples)
                        or len(samples))
    assert list(loader) == [2, 2, 1]
    assert [s[1] for s in got[0]] == [0, 1]


def test_batch_size_none_yields_single_converted_samples():
    items = list(DataLoader(PerSample(3), batch_size=None))
    assert len(items) == 3
    image, label = items[2]
    assert isinstance(image, minigrad.Tensor) and image.shape == (1, 2, 2) and label == 2


def test_getitems_hook_of_pytorch_style_datasets_is_used():
    class Batched(PerSample):
        def __getitems__(self, indices):
            self.batched = getattr(self, "batched", 0) + 1
            return [(np.zeros(2, np.float32), i) for i in indices]

    ds = Batched(6)
    assert len(list(DataLoader(ds, batch_size=4))) == 2
    assert ds.batched == 2 and ds.calls == 0


def test_iterator_knows_its_length_and_gives_the_first_batch():
    it = iter(DataLoader(numbered(10), batch_size=4))
    assert len(it) == 3
    x, _ = next(it)
    assert x.shape == (4, 2)


def test_custom_sampler_and_batch_sampler_choose_the_indices():
    ds = numbered(10)
    assert seen_indices(DataLoader(ds, batch_size=2, sampler=[9, 8, 7])) == [[9, 8], [7]]
    assert seen_indices(DataLoader(ds, batch_sampler=[[1, 2, 3], [0]])) == [[1, 2, 3], [0]]


def test_sequential_sampler_and_random_sampler_cover_the_dataset():
    ds = numbered(9)
    assert list(SequentialSampler(ds)) == list(range(9))
    order = list(RandomSampler(ds, generator=minigrad.Generator().manual_seed(0)))
    assert sorted(order) == list(range(9))
    assert len(RandomSampler(ds, replacement=True, num_samples=20)) == 20
    assert len(list(RandomSampler(ds, num_samples=20))) == 20


# --------------------------------------------------------------------------- errors

@pytest.mark.parametrize("batch_size", [0, -3, True, 2.0])
def test_batch_size_must_be_a_positive_int(batch_size):
    with pytest.raises(ValueError, match=f"batch_size should be a positive integer value, but "
                                         f"got batch_size={batch_size}"):
        DataLoader(numbered(4), batch_size=batch_size)


def test_batch_size_zero_error_reads_like_pytorch():
    with pytest.raises(ValueError) as ours:
        DataLoader(numbered(4), batch_size=0)
    with pytest.raises(ValueError) as theirs:
        tud.DataLoader(tud.TensorDataset(torch.zeros(4)), batch_size=0)
    assert str(ours.value) == str(theirs.value)


def test_misused_loader_options_raise_pytorchs_value_errors():
    ds = numbered(4)
    with pytest.raises(ValueError, match="sampler option is mutually exclusive with shuffle"):
        DataLoader(ds, sampler=[0, 1], shuffle=True)
    with pytest.raises(ValueError, match="batch_sampler option is mutually exclusive"):
        DataLoader(ds, batch_size=2, batch_sampler=[[0]])
    with pytest.raises(ValueError, match="mutually exclusive with drop_last"):
        DataLoader(ds, batch_size=None, drop_last=True)
    with pytest.raises(ValueError, match="num_workers option should be non-negative"):
        DataLoader(ds, num_workers=-1)
    with pytest.raises(ValueError, match="drop_last should be a boolean value"):
        DataLoader(ds, drop_last="yes")


def test_num_workers_is_accepted_and_batches_are_made_in_process():
    loader = DataLoader(numbered(6), batch_size=4, num_workers=2)
    assert [len(b) for b in seen_indices(loader)] == [4, 2]


# --------------------------------------------------------------------- random_split

@settings(max_examples=30, deadline=None)
@given(n=st.integers(0, 200), fractions=st.sampled_from(
    [(0.8, 0.2), (0.5, 0.5), (0.3, 0.3, 0.4), (0.1, 0.2, 0.3, 0.4), (1.0,), (0.7, 0.1, 0.2)]))
def test_random_split_of_fractions_has_pytorchs_sizes(n, fractions):
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zero-length splits warn in both
        theirs = tud.random_split(range(n), list(fractions))
        ours = random_split(numbered(max(n, 1)) if n else _Empty(), list(fractions))
    assert [len(s) for s in ours] == [len(s) for s in theirs]


class _Empty(Dataset):
    def __len__(self):
        return 0


def test_random_split_subsets_are_disjoint_and_cover_the_dataset():
    ds = numbered(50)
    parts = random_split(ds, [30, 15, 5], generator=minigrad.Generator().manual_seed(0))
    assert [len(p) for p in parts] == [30, 15, 5]
    all_indices = [i for p in parts for i in p.indices]
    assert sorted(all_indices) == list(range(50))
    assert all(isinstance(p, Subset) and p.dataset is ds for p in parts)


def test_random_split_is_reproducible_with_a_seeded_generator():
    ds = numbered(30)
    a = random_split(ds, [0.5, 0.5], generator=minigrad.Generator().manual_seed(42))
    b = random_split(ds, [0.5, 0.5], generator=minigrad.Generator().manual_seed(42))
    c = random_split(ds, [0.5, 0.5], generator=minigrad.Generator().manual_seed(43))
    assert [p.indices for p in a] == [p.indices for p in b] != [p.indices for p in c]


def test_random_split_rejects_lengths_that_do_not_add_up():
    with pytest.raises(ValueError, match="Sum of input lengths does not equal the length of the "
                                         "input dataset"):
        random_split(numbered(10), [3, 3])
    with pytest.raises(ValueError, match="Fraction at index 1 is not between 0 and 1"):
        random_split(numbered(10), [0.5, 1.5, -1.0])


def test_random_split_warns_about_an_empty_split():
    with pytest.warns(UserWarning, match="Length of split at index 2 is 0"):
        parts = random_split(numbered(2), [0.5, 0.5, 0.0])
    assert [len(p) for p in parts] == [1, 1, 0]


def test_subset_batches_are_the_underlying_samples():
    ds = numbered(10)
    sub = Subset(ds, [7, 2, 5])
    assert sub[0][0].tolist() == [7.0, 7.5]
    assert seen_indices(DataLoader(sub, batch_size=2)) == [[7, 2], [5]]


# ----------------------------------------------------------------------- collation

def test_default_collate_gives_pytorchs_structure_and_dtypes():
    Point = collections.namedtuple("Point", "x y")
    samples = [{"a": np.array([1.0, 2.0]), "b": (3, 4.5), "c": "s", "p": Point(1, True)},
               {"a": np.array([5.0, 6.0]), "b": (7, 8.5), "c": "t", "p": Point(2, False)}]
    theirs = tud.default_collate(samples)
    ours = default_collate(samples)
    assert type(ours) is dict and list(ours) == list(theirs)
    np.testing.assert_array_equal(ours["a"].numpy(), theirs["a"].numpy())
    assert ours["a"].dtype == minigrad.float64
    assert type(ours["b"]) is list  # a tuple of fields collates to a list, as in PyTorch
    assert ours["b"][0].dtype == minigrad.int64 and ours["b"][0].tolist() == [3, 7]
    assert ours["b"][1].dtype == minigrad.float64 and ours["b"][1].tolist() == [4.5, 8.5]
    assert ours["c"] == theirs["c"] == ["s", "t"]
    assert type(ours["p"]) is Point and ours["p"].y.dtype == minigrad.bool


def test_default_collate_stacks_minigrad_tensors():
    out = default_collate([minigrad.ones(2, 3), minigrad.zeros(2, 3)])
    assert out.shape == (2, 2, 3) and out.numpy()[1].sum() == 0


def test_default_collate_rejects_unequal_samples_and_unknown_types():
    with pytest.raises(RuntimeError, match="each element in list of batch should be of equal size"):
        default_collate([[1, 2], [3]])
    with pytest.raises(RuntimeError, match="stack expects each tensor to be equal size"):
        default_collate([minigrad.ones(2), minigrad.ones(3)])
    with pytest.raises(TypeError, match="default_collate: batch must contain tensors"):
        default_collate([object(), object()])


def test_default_convert_turns_arrays_into_tensors_and_leaves_the_rest():
    image, label, name = default_convert((np.zeros((2, 2), np.float32), 3, "x"))
    assert isinstance(image, minigrad.Tensor) and label == 3 and name == "x"
