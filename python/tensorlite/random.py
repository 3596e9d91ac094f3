"""Random numbers: the default Philox generator, Generator objects, and the sampling functions."""
from __future__ import annotations

import numbers

from . import _C
from . import _dtype as D
from .tensor import Tensor, _wrap, _register_methods

__all__ = ["manual_seed", "seed", "initial_seed", "get_rng_state", "set_rng_state", "Generator", "rand", "randn",
           "randint", "rand_like", "randn_like", "randint_like", "randperm", "bernoulli", "normal", "multinomial"]


class Generator:
    """torch.Generator: an independent Philox stream (seed, offset)."""

    def __init__(self, device="cpu"):
        self._g = _C.Generator()
        self.device = D._as_device(device)

    def manual_seed(self, seed):
        self._g.manual_seed(int(seed) & 0xFFFFFFFFFFFFFFFF)
        return self

    def initial_seed(self):
        return self._g.seed

    def seed(self):
        import random as _r
        s = _r.getrandbits(63)
        self._g.manual_seed(s)
        return s

    def get_state(self):
        from .ops.creation import tensor
        import numpy as np
        return tensor(np.frombuffer(np.array([self._g.seed, self._g.offset], dtype=np.uint64).tobytes(),
                                    dtype=np.uint8).copy())

    def set_state(self, state):
        import numpy as np
        seed, offset = np.frombuffer(state.numpy().tobytes(), dtype=np.uint64)
        self._g.set_state(int(seed), int(offset))
        return self


class _DefaultGenerator(Generator):
    def __init__(self):
        self._g = _C.default_generator()
        self.device = D._as_device("cpu")


default_generator = _DefaultGenerator()


def _gen(generator):
    return None if generator is None else generator._g


def manual_seed(seed):
    default_generator.manual_seed(seed)
    return default_generator


def seed():
    return default_generator.seed()


def initial_seed():
    return default_generator.initial_seed()


def get_rng_state():
    return default_generator.get_state()


def set_rng_state(new_state):
    default_generator.set_state(new_state)


def _sizes(size):
    from .ops.creation import _sizes as s
    return s(size)


def _new(size, dtype, requires_grad):
    return _wrap(_C.empty(_sizes(size), (dtype or D.get_default_dtype())._id))


def _float_only(name, dtype):
    if dtype is not None and not dtype.is_floating_point:
        raise RuntimeError(f"\"{name}\" not implemented for '{dtype.name}'")


def _done(t, requires_grad):
    if requires_grad:
        t.requires_grad_(True)
    return t


def rand(*size, generator=None, dtype=None, device=None, requires_grad=False, out=None):
    _float_only("check_uniform_bounds", dtype)
    t = _new(size, dtype, requires_grad)
    _C.uniform_(t._t, 0.0, 1.0, _gen(generator))
    return _done(t, requires_grad)


def randn(*size, generator=None, dtype=None, device=None, requires_grad=False, out=None):
    _float_only("normal_kernel_cpu", dtype)
    t = _new(size, dtype, requires_grad)
    _C.normal_(t._t, 0.0, 1.0, _gen(generator))
    return _done(t, requires_grad)


def randint(low=0, high=None, size=None, *, generator=None, dtype=None, device=None, requires_grad=False):
    if high is None:
        low, high = 0, low
    if size is None:
        raise TypeError("randint() missing 1 required positional arguments: \"size\"")
    t = _wrap(_C.empty(_sizes((size,) if isinstance(size, int) else size), (dtype or D.int64)._id))
    _C.random_(t._t, int(low), int(high), _gen(generator))
    return t


def rand_like(input, *, dtype=None, device=None, requires_grad=False, memory_format=None):
    return rand(*input.shape, dtype=dtype or input.dtype, requires_grad=requires_grad)


def randn_like(input, *, dtype=None, device=None, requires_grad=False, memory_format=None):
    return randn(*input.shape, dtype=dtype or input.dtype, requires_grad=requires_grad)


def randint_like(input, low=0, high=None, *, dtype=None, device=None, requires_grad=False, memory_format=None):
    return randint(low, high, tuple(input.shape), dtype=dtype or input.dtype)


def randperm(n, *, generator=None, dtype=None, device=None, requires_grad=False):
    # argsort of n uniform keys: a uniform random permutation from the Philox stream
    import numpy as np
    keys = _wrap(_C.empty([n], D.float64._id))
    _C.uniform_(keys._t, 0.0, 1.0, _gen(generator))
    perm = np.argsort(keys._t.numpy(), kind="stable")
    from .ops.creation import tensor
    return tensor(perm, dtype=dtype or D.int64)


def bernoulli(input, p=None, *, generator=None, out=None):
    out_t = _wrap(_C.empty(list(input._t.shape), input._t.dtype))
    if p is None:
        _C.bernoulli_tensor_(out_t._t, input._t, _gen(generator))
    else:
        _C.bernoulli_(out_t._t, float(p), _gen(generator))
    return out_t


def normal(mean, std=1.0, size=None, *, generator=None, out=None, dtype=None, device=None, requires_grad=False):
    if isinstance(mean, Tensor) or isinstance(std, Tensor):
        m = mean if isinstance(mean, Tensor) else None
        s = std if isinstance(std, Tensor) else None
        ref = m if m is not None else s
        z = _wrap(_C.empty(list(ref._t.shape), ref._t.dtype))
        _C.normal_(z._t, 0.0, 1.0, _gen(generator))
        return z * std + mean
    t = _new(size, dtype, requires_grad)
    _C.normal_(t._t, float(mean), float(std), _gen(generator))
    return _done(t, requires_grad)


def multinomial(input, num_samples, replacement=False, *, generator=None):
    import numpy as np
    from .ops.creation import tensor
    p = np.asarray(input.detach()._t.numpy(), dtype=np.float64)
    squeeze = p.ndim == 1
    p = np.atleast_2d(p)
    if (p < 0).any() or not np.isfinite(p).all():
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    if not replacement and num_samples > p.shape[1]:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without replacement")
    u = _wrap(_C.empty([p.shape[0], num_samples if replacement else p.shape[1]], D.float64._id))
    _C.uniform_(u._t, 0.0, 1.0, _gen(generator))
    u = u._t.numpy()
    rows = []
    for r in range(p.shape[0]):
        pr = p[r] / p[r].sum()
        if replacement:
            rows.append(np.searchsorted(np.cumsum(pr), u[r] * (1 - 1e-12), side="right"))
        else:
            # Gumbel-top-k / exponential races: keys u^(1/p), the largest win
            with np.errstate(divide="ignore"):
                keys = np.where(pr > 0, np.log(np.maximum(u[r], 1e-300)) / pr, -np.inf)
            rows.append(np.argsort(-keys, kind="stable")[:num_samples])
    out = np.minimum(np.stack(rows), p.shape[1] - 1)
    return tensor(out[0] if squeeze else out, dtype=D.int64)


# -- in-place samplers (Tensor methods) ----------------------------------------------------------------
def _inplace_random(fn):
    def method(self, *args, **kwargs):
        from .ops.inplace import check_inplace
        from .autograd.grad_mode import MODE
        if MODE.enabled:
            check_inplace(self)
        fn(self, *args, **kwargs)
        self._t.bump_version()
        return self
    method.__name__ = fn.__name__
    return method


@_inplace_random
def uniform_(self, a=0.0, b=1.0, *, generator=None):
    _C.uniform_(self._t, float(a), float(b), _gen(generator))


@_inplace_random
def normal_(self, mean=0.0, std=1.0, *, generator=None):
    _C.normal_(self._t, float(mean), float(std), _gen(generator))


@_inplace_random
def random_(self, from_=0, to=None, *, generator=None):
    if to is None:
        if self.dtype.is_floating_point:
            to = 2 ** 24 if self.dtype.name == "float32" else 2 ** 53
        else:
            to = {"int64": 2 ** 63 - 1, "int32": 2 ** 31 - 1, "uint8": 256, "bool": 2}[self.dtype.name]
    _C.random_(self._t, int(from_), int(to), _gen(generator))


@_inplace_random
def bernoulli_(self, p=0.5, *, generator=None):
    if isinstance(p, Tensor):
        _C.bernoulli_tensor_(self._t, p._t, _gen(generator))
    else:
        _C.bernoulli_(self._t, float(p), _gen(generator))


@_inplace_random
def exponential_(self, lambd=1.0, *, generator=None):
    u = _wrap(_C.empty(list(self._t.shape), self._t.dtype))
    _C.uniform_(u._t, 0.0, 1.0, _gen(generator))
    _C.copy_(self._t, _C.div_scalar(_C.neg(_C.log1p(_C.neg(u._t))), float(lambd), False))


_register_methods({"uniform_": uniform_, "normal_": normal_, "random_": random_, "bernoulli_": bernoulli_,
                   "exponential_": exponential_, "bernoulli": lambda self, p=None, generator=None:
                   bernoulli(self, p, generator=generator)})
