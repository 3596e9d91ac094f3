"""tensorlite.utils.data against torch.utils.data: the same datasets through both DataLoaders give the same
batches (values, dtypes, container types); default_collate/default_convert per element type; samplers,
splits and dataset combinators; worker processes give the batches of the in-process loader; torch's errors."""
import collections
import os
import time

import numpy as np
import pytest
import torch
import torch.utils.data as TD

import tensorlite as tl
import tensorlite.utils.data as LD


# -- helpers -----------------------------------------------------------------------------------------------
def _same(a, b):
    """a (tensorlite) has b's (torch) structure, types, dtypes and values."""
    if isinstance(b, torch.Tensor):
        assert isinstance(a, tl.Tensor), type(a)
        assert a.dtype.name == str(b.dtype).split(".")[-1], (a.dtype, b.dtype)
        assert tuple(a.shape) == tuple(b.shape)
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    elif isinstance(b, dict):
        assert type(a) is type(b) and list(a) == list(b)
        for k in b:
            _same(a[k], b[k])
    elif isinstance(b, (list, tuple)):
        assert type(a).__name__ == type(b).__name__ and len(a) == len(b), (type(a), type(b))
        for x, y in zip(a, b):
            _same(x, y)
    else:
        assert type(a) is type(b) and a == b, (a, b)


def _pair(np_arrays):
    return (LD.TensorDataset(*[tl.from_numpy(x.copy()) for x in np_arrays]),
            TD.TensorDataset(*[torch.from_numpy(x.copy()) for x in np_arrays]))


def _xy(n=11):
    rng = np.random.default_rng(0)
    return [rng.standard_normal((n, 3)).astype(np.float32), np.arange(n, dtype=np.int64) * 7]


class PySamples:
    """A map dataset without __getitems__ whose samples are nested Python/numpy containers."""
    Point = collections.namedtuple("Point", ["x", "y"])

    def __init__(self, lib, n=9):
        self.lib, self.n = lib, n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        t = self.lib.arange(4, dtype=self.lib.float64) * i
        return {"img": t.reshape(2, 2), "label": i, "w": float(i) / 3, "flag": i % 2 == 0, "name": f"s{i}",
                "arr": np.full((2,), i, np.int32), "pt": self.Point(i, np.float32(i) / 2), "pair": (i, [i, -i])}


# -- loader order and batching vs torch ----------------------------------------------------------------------
@pytest.mark.parametrize("batch_size,drop_last", [(1, False), (3, False), (4, True), (11, False), (20, True)])
def test_tensor_dataset_batches_match_torch(batch_size, drop_last):
    a, b = _pair(_xy())
    la = LD.DataLoader(a, batch_size=batch_size, drop_last=drop_last)
    lb = TD.DataLoader(b, batch_size=batch_size, drop_last=drop_last)
    assert len(la) == len(lb)
    got, want = list(la), list(lb)
    assert len(got) == len(want)
    for x, y in zip(got, want):
        _same(x, y)


@pytest.mark.parametrize("batch_size", [None, 1, 4])
def test_python_samples_match_torch(batch_size):
    la = LD.DataLoader(PySamples(tl), batch_size=batch_size)
    lb = TD.DataLoader(PySamples(torch), batch_size=batch_size)
    assert len(la) == len(lb)
    for x, y in zip(la, lb):
        _same(x, y)


def test_getitems_fast_path_equals_per_sample_path():
    x, y = _xy(20)
    ds = LD.TensorDataset(tl.from_numpy(x), tl.from_numpy(y))
    sub = LD.Subset(ds, [5, 3, 19, 0, 7, 7, -1])
    fast = list(LD.DataLoader(sub, batch_size=3))
    slow = list(LD.DataLoader(sub, batch_size=3, collate_fn=lambda s: LD.default_collate(list(s))))
    assert isinstance(ds.__getitems__([1, 2]), collections.abc.Sequence)
    for f, s in zip(fast, slow):
        for u, v in zip(f, s):
            assert u.dtype == v.dtype
            np.testing.assert_array_equal(u.numpy(), v.numpy())
    np.testing.assert_array_equal(fast[0][1].numpy(), y[[5, 3, 19]])
    # a custom collate_fn sees per-sample tuples
    seen = []
    list(LD.DataLoader(ds, batch_size=4, collate_fn=lambda s: seen.append([tuple(map(type, e)) for e in s])))
    assert seen[0] == [(tl.Tensor, tl.Tensor)] * 4


def test_batch_sampler_and_sampler_match_torch():
    a, b = _pair(_xy(10))
    bs = [[0, 5], [9, 1, 2], [4]]
    for x, y in zip(LD.DataLoader(a, batch_sampler=bs), TD.DataLoader(b, batch_sampler=bs)):
        _same(x, y)
    order = [3, 1, 4, 1, 5, 9, 2, 6]
    for x, y in zip(LD.DataLoader(a, sampler=order, batch_size=3), TD.DataLoader(b, sampler=order, batch_size=3)):
        _same(x, y)
    assert len(LD.DataLoader(a, batch_sampler=bs)) == 3


def test_samplers_sequential_and_batch_match_torch():
    for n, bsz, drop in [(10, 3, False), (10, 3, True), (9, 3, True), (2, 5, False)]:
        got = list(LD.BatchSampler(LD.SequentialSampler(range(n)), bsz, drop))
        want = list(TD.BatchSampler(TD.SequentialSampler(range(n)), bsz, drop))
        assert got == want
        assert len(LD.BatchSampler(range(n), bsz, drop)) == len(want)


# -- shuffling ---------------------------------------------------------------------------------------------
def _order(loader):
    return [int(v) for batch in loader for v in batch[1].tolist()]


def test_shuffle_seeded_generator_is_deterministic_and_permutes():
    ds = LD.TensorDataset(tl.zeros(50, 2), tl.arange(50))
    orders = []
    for _ in range(2):
        g = tl.Generator().manual_seed(1234)
        dl = LD.DataLoader(ds, batch_size=8, shuffle=True, generator=g)
        orders.append([_order(dl) for _ in range(3)])
    assert orders[0] == orders[1]
    for epoch in orders[0]:
        assert sorted(epoch) == list(range(50))
    assert orders[0][0] != orders[0][1] != orders[0][2]
    assert orders[0][0] != list(range(50))


def test_shuffle_default_generator_follows_manual_seed():
    ds = LD.TensorDataset(tl.arange(30), tl.arange(30))
    tl.manual_seed(7)
    a = _order(LD.DataLoader(ds, batch_size=4, shuffle=True))
    tl.manual_seed(7)
    b = _order(LD.DataLoader(ds, batch_size=4, shuffle=True))
    c = _order(LD.DataLoader(ds, batch_size=4, shuffle=True))
    assert a == b and a != c and sorted(c) == list(range(30))


def test_random_sampler_options():
    g = tl.Generator().manual_seed(0)
    s = list(LD.RandomSampler(range(5), replacement=True, num_samples=70, generator=g))
    assert len(s) == 70 and set(s) <= set(range(5))
    s = list(LD.RandomSampler(range(5), num_samples=12, generator=g))
    assert len(s) == 12 and sorted(s[:5]) == list(range(5)) and sorted(s[5:10]) == list(range(5))
    assert len(LD.RandomSampler(range(5), num_samples=12)) == 12
    idx = [10, 20, 30, 40]
    assert sorted(LD.SubsetRandomSampler(idx, generator=g)) == idx
    w = list(LD.WeightedRandomSampler([0.0, 1.0, 0.0, 3.0], 200, generator=g))
    assert set(w) == {1, 3} and 100 < w.count(3) < 190
    assert sorted(LD.WeightedRandomSampler([1, 1, 1], 3, replacement=False, generator=g)) == [0, 1, 2]


@pytest.mark.parametrize("make", [
    lambda m: m.RandomSampler(range(3), replacement=1),
    lambda m: m.RandomSampler(range(3), num_samples=0),
    lambda m: m.RandomSampler(range(3), num_samples=2.0),
    lambda m: m.BatchSampler(range(3), 0, False),
    lambda m: m.BatchSampler(range(3), True, False),
    lambda m: m.BatchSampler(range(3), 2, 1),
    lambda m: m.WeightedRandomSampler([1.0, 2.0], 0),
    lambda m: m.WeightedRandomSampler([1.0, 2.0], 2, replacement=None),
    lambda m: m.WeightedRandomSampler([[1.0, 2.0]], 2),
])
def test_sampler_errors_match_torch(make):
    with pytest.raises(Exception) as want:
        make(TD)
    with pytest.raises(Exception) as got:
        make(LD)
    assert type(got.value) is type(want.value) and str(got.value) == str(want.value)


# -- collate -----------------------------------------------------------------------------------------------
Pt = collections.namedtuple("Pt", ["a", "b"])


def _cases(lib):
    t = lambda *v, **k: lib.tensor(list(v), **k)  # noqa: E731
    return [
        [1, 2, 3], [1.5, -0.0, 2.0], [True, False], [True, 2], ["a", "b"], [b"x", b"y"],
        [np.float32(1.5), np.float32(2)], [np.int64(3), np.int64(4)], [np.bool_(True), np.bool_(False)],
        [np.float64(1.0), np.float64(2.0)], [np.int32(3), np.int32(4)],
        [np.array([1, 2]), np.array([3, 4])], [np.array([[1.5]], np.float32), np.array([[2.5]], np.float32)],
        [np.array(True), np.array(False)], [np.arange(3, dtype=np.uint8), np.arange(3, dtype=np.uint8)],
        [t(1.0, 2.0), t(3.0, 4.0)], [t(1, 2), t(3, 4)], [lib.tensor(1.5), lib.tensor(2.5)],
        [t(True), t(False)], [lib.zeros(2, 0), lib.zeros(2, 0)],
        [(1, "x", 2.0), (2, "y", 3.0)], [[1, 2.5], [3, 4.5]],
        [{"a": 1, "b": t(1.0)}, {"a": 2, "b": t(2.0)}],
        [collections.OrderedDict(z=1, a=2), collections.OrderedDict(z=3, a=4)],
        [Pt(1, t(1.0)), Pt(2, t(2.0))],
        [{"n": [(1, {"d": 2.0})]}, {"n": [(3, {"d": 4.0})]}],
    ]


@pytest.mark.parametrize("i", range(len(_cases(torch))))
def test_default_collate_matches_torch(i):
    got = LD.default_collate(_cases(tl)[i])
    want = TD.default_collate(_cases(torch)[i])
    _same(got, want)


@pytest.mark.parametrize("i", range(len(_cases(torch))))
def test_default_convert_matches_torch(i):
    for ga, wa in zip(_cases(tl)[i], _cases(torch)[i]):
        _same(LD.default_convert(ga), TD.default_convert(wa))


@pytest.mark.parametrize("batch", [[(1, 2), (3,)], [object(), object()], [np.array(["a"]), np.array(["b"])]])
def test_default_collate_errors_match_torch(batch):
    with pytest.raises(Exception) as want:
        TD.default_collate(batch)
    with pytest.raises(Exception) as got:
        LD.default_collate(batch)
    assert type(got.value) is type(want.value)
    assert str(got.value).replace("tensorlite", "torch") == str(want.value)


def test_stack_is_fast_path_and_exact():
    xs = [tl.randn(5, 3) for _ in range(4)]
    got = LD.default_collate(xs)
    np.testing.assert_array_equal(got.numpy(), np.stack([x.numpy() for x in xs]))
    v = tl.randn(3, 4).t()  # non-contiguous samples
    np.testing.assert_array_equal(LD.default_collate([v, v]).numpy(), np.stack([v.numpy()] * 2))


# -- datasets, subsets, splits -----------------------------------------------------------------------------
def test_tensor_dataset_size_mismatch():
    with pytest.raises(AssertionError, match="^Size mismatch between tensors$"):
        LD.TensorDataset(tl.zeros(3), tl.zeros(4))
    with pytest.raises(AssertionError, match="^Size mismatch between tensors$"):
        TD.TensorDataset(torch.zeros(3), torch.zeros(4))


def test_subset_concat_indices_match_torch():
    a, b = list(range(5)), list(range(100, 103))
    for lib in (LD, TD):
        c = lib.ConcatDataset([a, b, [7]])
        assert c.cumulative_sizes == [5, 8, 9] and len(c) == 9
    lc, tc = LD.ConcatDataset([a, b, [7]]), TD.ConcatDataset([a, b, [7]])
    assert [lc[i] for i in range(-9, 9)] == [tc[i] for i in range(-9, 9)]
    with pytest.raises(ValueError, match="absolute value of index should not exceed dataset length"):
        lc[-10]
    with pytest.raises(AssertionError, match="datasets should not be an empty iterable"):
        LD.ConcatDataset([])
    s = LD.Subset(LD.TensorDataset(tl.arange(10) * 2), [9, 0, 4])
    assert [s[i][0].item() for i in range(3)] == [18, 0, 8] and len(s) == 3 and s[-1][0].item() == 8

    class D(LD.Dataset):
        def __init__(self, n):
            self.n = n

        def __len__(self):
            return self.n

        def __getitem__(self, i):
            return i
    both = D(2) + D(3)
    assert isinstance(both, LD.ConcatDataset) and [both[i] for i in range(5)] == [0, 1, 0, 1, 2]
    with pytest.raises(NotImplementedError, match="Subclasses of Dataset should implement __getitem__."):
        LD.Dataset()[0]


@pytest.mark.parametrize("n,lengths", [(10, [3, 7]), (10, [0.3, 0.7]), (11, [0.33, 0.33, 0.34]), (7, [0.5, 0.5]),
                                       (100, [0.1] * 10), (5, [0.2, 0.2, 0.2, 0.2, 0.2])])
def test_random_split_sizes_match_torch(n, lengths):
    g = tl.Generator().manual_seed(3)
    got = LD.random_split(range(n), lengths, generator=g)
    want = TD.random_split(range(n), lengths, generator=torch.Generator().manual_seed(3))
    assert [len(s) for s in got] == [len(s) for s in want]
    idx = [i for s in got for i in s.indices]
    assert sorted(idx) == list(range(n))  # disjoint and covering
    again = LD.random_split(range(n), lengths, generator=tl.Generator().manual_seed(3))
    assert [s.indices for s in again] == [s.indices for s in got]


def test_random_split_errors_match_torch():
    for lengths in ([3, 3], [1.2, -0.2]):
        with pytest.raises(ValueError) as want:
            TD.random_split(range(10), lengths)
        with pytest.raises(ValueError) as got:
            LD.random_split(range(10), lengths)
        assert str(got.value) == str(want.value)


# -- DataLoader argument errors ----------------------------------------------------------------------------
class _Stream(LD.IterableDataset):
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        info = LD.get_worker_info()
        lo, step = (0, 1) if info is None else (info.id, info.num_workers)
        return iter(range(lo, self.n, step))

    def __len__(self):
        return self.n


class _TStream(TD.IterableDataset):
    def __iter__(self):
        return iter(range(3))


@pytest.mark.parametrize("kwargs", [
    dict(num_workers=-1), dict(timeout=-1), dict(prefetch_factor=2), dict(persistent_workers=True),
    dict(sampler=[0, 1], shuffle=True), dict(batch_sampler=[[0]], batch_size=2), dict(batch_sampler=[[0]], shuffle=True),
    dict(batch_sampler=[[0]], sampler=[0]), dict(batch_sampler=[[0]], drop_last=True),
    dict(batch_size=None, drop_last=True), dict(batch_size=0), dict(multiprocessing_context="fork"),
    dict(num_workers=1, multiprocessing_context="nope"),
])
def test_loader_argument_errors_match_torch(kwargs):
    with pytest.raises(Exception) as want:
        TD.DataLoader(list(range(4)), **kwargs)
    with pytest.raises(Exception) as got:
        LD.DataLoader(list(range(4)), **kwargs)
    assert type(got.value) is type(want.value) and str(got.value) == str(want.value)


@pytest.mark.parametrize("kwargs", [dict(shuffle=True), dict(sampler=[0]), dict(batch_sampler=[[0]])])
def test_iterable_dataset_errors_match_torch(kwargs):
    with pytest.raises(ValueError) as want:
        TD.DataLoader(_TStream(), **kwargs)
    with pytest.raises(ValueError) as got:
        LD.DataLoader(_Stream(3), **kwargs)
    assert str(got.value) == str(want.value).replace("torch.utils.data.sampler", "tensorlite.utils.data.sampler")


def test_attributes_frozen_after_init():
    dl = LD.DataLoader(list(range(4)))
    with pytest.raises(ValueError, match="batch_size attribute should not be set after DataLoader is initialized"):
        dl.batch_size = 3
    dl.num_workers = 0  # not a frozen one
    with pytest.warns(UserWarning, match="'pin_memory' argument is set as true but no accelerator is found"):
        dl = LD.DataLoader(list(range(4)), batch_size=2, pin_memory=True)
    assert [b.tolist() for b in dl] == [[0, 1], [2, 3]]


def test_iterable_dataset_batches_and_len():
    dl = LD.DataLoader(_Stream(10), batch_size=4)
    assert len(dl) == 3 and [b.tolist() for b in dl] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    assert len(LD.DataLoader(_Stream(10), batch_size=4, drop_last=True)) == 2
    assert [b.tolist() for b in LD.DataLoader(_Stream(10), batch_size=4, drop_last=True)] == [[0, 1, 2, 3],
                                                                                               [4, 5, 6, 7]]


# -- worker processes --------------------------------------------------------------------------------------
class _Seen(LD.Dataset):
    """Samples carry the worker that made them and a draw from the worker's default generator."""

    def __len__(self):
        return 23

    def __getitem__(self, i):
        info = LD.get_worker_info()
        return {"i": i, "x": tl.full((2,), float(i)), "worker": -1 if info is None else info.id}


class _Boom(LD.Dataset):
    def __len__(self):
        return 8

    def __getitem__(self, i):
        if i == 5:
            raise KeyError(f"no sample {i}")
        return i


class _Slow(LD.Dataset):
    def __len__(self):
        return 2

    def __getitem__(self, i):
        time.sleep(0.6)
        return i


_INIT_FILE = None


def _init_fn(worker_id):
    with open(os.path.join(_INIT_FILE, f"w{worker_id}"), "w") as fh:
        fh.write(str(LD.get_worker_info().seed))


def test_workers_give_the_in_process_batches(tmp_path):
    global _INIT_FILE
    _INIT_FILE = str(tmp_path)
    ds = _Seen()
    ref = list(LD.DataLoader(ds, batch_size=4))
    got = list(LD.DataLoader(ds, batch_size=4, num_workers=2, worker_init_fn=_init_fn,
                             generator=tl.Generator().manual_seed(5)))
    assert len(got) == len(ref) == 6
    for g, r in zip(got, ref):
        assert g["i"].tolist() == r["i"].tolist()
        np.testing.assert_array_equal(g["x"].numpy(), r["x"].numpy())
    assert {w for b in got for w in b["worker"].tolist()} == {0, 1}
    assert all(w == -1 for b in ref for w in b["worker"].tolist())
    seeds = [int(open(tmp_path / f"w{k}").read()) for k in (0, 1)]
    assert seeds[1] == seeds[0] + 1  # base_seed + worker_id, as torch
    # a TensorDataset through workers (the batched __getitems__ path), shuffled with the same generator seed
    a, _ = _pair(_xy(30))
    one = [b[1].tolist() for b in LD.DataLoader(a, batch_size=7, shuffle=True,
                                                 generator=tl.Generator().manual_seed(9))]
    two = [b[1].tolist() for b in LD.DataLoader(a, batch_size=7, shuffle=True, num_workers=2,
                                                 generator=tl.Generator().manual_seed(9))]
    assert one == two


def test_persistent_workers_and_iterable_dataset():
    dl = LD.DataLoader(list(range(10)), batch_size=3, num_workers=2, persistent_workers=True)
    it = iter(dl)
    next(it)  # abandon the epoch midway: its late results must not leak into the next
    for _ in range(2):
        assert [b.tolist() for b in dl] == [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]
    # each worker streams its share of an iterable dataset
    got = sorted(v for b in LD.DataLoader(_Stream(10), batch_size=2, num_workers=2) for v in b.tolist())
    assert got == list(range(10))


def test_worker_errors_and_timeout():
    with pytest.raises(KeyError, match="Caught KeyError in DataLoader worker process"):
        list(LD.DataLoader(_Boom(), batch_size=2, num_workers=2))
    with pytest.raises(KeyError, match="no sample 5"):
        list(LD.DataLoader(_Boom(), batch_size=2))
    with pytest.raises(RuntimeError, match=r"^DataLoader timed out after 0.2 seconds$"):
        list(LD.DataLoader(_Slow(), batch_size=1, num_workers=1, timeout=0.2))


def test_get_worker_info_in_main_process():
    assert LD.get_worker_info() is None


def test_stack_and_chain_datasets_match_torch():
    x, y = _xy(6)
    la, lb = _pair([x, y])
    for kw in ({}, {"batch_size": 4}):
        got = list(LD.DataLoader(LD.StackDataset(la, list(range(6))), **kw))
        want = list(TD.DataLoader(TD.StackDataset(lb, list(range(6))), **kw))
        for g, w in zip(got, want):
            _same(g, w)
        got = list(LD.DataLoader(LD.StackDataset(a=la, b=list(range(6))), **kw))
        want = list(TD.DataLoader(TD.StackDataset(a=lb, b=list(range(6))), **kw))
        for g, w in zip(got, want):
            _same(g, w)
    with pytest.raises(ValueError, match="Size mismatch between datasets"):
        LD.StackDataset([1, 2], [1])
    chained = _Stream(3) + _Stream(2)
    assert isinstance(chained, LD.ChainDataset) and list(chained) == [0, 1, 2, 0, 1] and len(chained) == 5
