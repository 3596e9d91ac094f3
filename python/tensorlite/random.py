"""Random numbers: the default Philox generator, Generator objects, and the sampling functions."""
from __future__ import annotations

import numbers

from . import _C
from . import _dtype as D
from .ops import out as O
from .tensor import Tensor, _host, _wrap, _register_methods

__all__ = ["manual_seed", "seed", "initial_seed", "get_rng_state", "set_rng_state", "Generator", "rand", "randn",
           "randint", "rand_like", "randn_like", "randint_like", "randperm", "bernoulli", "normal", "multinomial"]


_TORCH_NAMES = {"bool": "Bool", "uint8": "Byte", "int32": "Int", "int64": "Long", "float32": "Float",
                "float64": "Double"}
_C_NAMES = {"bool": "bool", "uint8": "unsigned char", "int32": "int", "int64": "long", "float32": "float",
            "float64": "double"}


def _seed_value(seed):
    """torch's seed argument: any int in [-2**63, 2**64); negative seeds wrap to uint64."""
    seed = int(seed)
    if not -2 ** 63 <= seed < 2 ** 64:
        raise ValueError("Overflow when unpacking long long")
    return seed & 0xFFFFFFFFFFFFFFFF


class Generator:
    """torch.Generator: an independent Philox stream (seed, offset)."""

    def __init__(self, device="cpu"):
        self._g = _C.Generator()
        self.device = D._as_device(device)

    def manual_seed(self, seed):
        self._g.manual_seed(_seed_value(seed))
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
        if not isinstance(state, Tensor) or state.dtype != D.uint8 or state.numel() != 16:
            raise RuntimeError("set_state: expected a ByteTensor of 16 elements, as get_state() returns")
        seed, offset = np.frombuffer(state.cpu().numpy().tobytes(), dtype=np.uint64)
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


def _sizes(size, op="empty"):
    from .ops.creation import _sizes as s
    return s(size, op)


def _float_only(name, dtype):
    if not dtype.is_floating_point:
        raise NotImplementedError(f"\"{name}\" not implemented for '{_TORCH_NAMES[dtype.name]}'")


def _done(t, requires_grad):
    if requires_grad:
        t.requires_grad_(True)
    return t


def _sampled(size, dtype, kernel_name, op, dev="cpu"):
    dtype = dtype or D.get_default_dtype()
    _float_only(kernel_name, dtype)
    return _wrap(_C.empty(_sizes(size, op), dtype._id, dev))


def _device(device):
    from .ops.creation import _check_device
    return _check_device(device)


# The samplers fill tensors on their own device: the CUDA kernels draw the same Philox stream as the CPU
# (element i from (seed, offset + i)), so a seed gives the same numbers on every device (normal: to an ulp
# or two, as log/cos differ; see csrc/cuda/random.cu).


def _into(op, out, dtype, device, requires_grad, make):
    from .ops.creation import _into as into
    return into(op, out, dtype, device, requires_grad, make)


def _normal_rule(op, out, r):
    if not out.dtype.is_floating_point:  # torch samples straight into `out`
        raise NotImplementedError(f'"normal_kernel_cpu" not implemented for \'{O.TORCH_NAME[out.dtype.name]}\'')


def _multinomial_rule(op, out, r):
    if out.dtype is not D.int64:
        raise RuntimeError(f"multinomial expects Long tensor out, got: {O.TORCH_NAME[out.dtype.name]}")


def rand(*size, generator=None, dtype=None, device=None, requires_grad=False, out=None, layout=None,
         pin_memory=False):
    """Uniform on [0, 1)."""
    if out is not None:
        return _into("rand", out, dtype, device, requires_grad,
                     lambda dt, dev: rand(*size, generator=generator, dtype=dt, device=dev))
    t = _sampled(size, dtype, "check_uniform_bounds", "rand", _device(device))
    _C.uniform_(t._t, 0.0, 1.0, _gen(generator))
    return _done(t, requires_grad)


def randn(*size, generator=None, dtype=None, device=None, requires_grad=False, out=None, layout=None,
          pin_memory=False):
    """Standard normal."""
    if out is not None:
        return _into("randn", out, dtype, device, requires_grad,
                     lambda dt, dev: randn(*size, generator=generator, dtype=dt, device=dev))
    t = _sampled(size, dtype, "normal_kernel_cpu", "randn", _device(device))
    _C.normal_(t._t, 0.0, 1.0, _gen(generator))
    return _done(t, requires_grad)


def _random_bounds(dtype, lo, hi):
    """torch's check of random_(from, to) against the dtype's range (DistributionTemplates.h)."""
    if lo >= hi:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={lo} >= to={hi}")
    if dtype.is_floating_point:
        return
    rng = {"bool": (0, 1), "uint8": (0, 255), "int32": (-2 ** 31, 2 ** 31 - 1),
           "int64": (-2 ** 63, 2 ** 63 - 1)}[dtype.name]
    if not rng[0] <= lo <= rng[1]:
        raise RuntimeError(f"from is out of bounds for {_C_NAMES[dtype.name]}")
    if not rng[0] <= hi - 1 <= rng[1]:
        raise RuntimeError(f"to - 1 is out of bounds for {_C_NAMES[dtype.name]}")


def _int_arg(v, name, op):
    if isinstance(v, Tensor):
        v = v.item()
    if not isinstance(v, numbers.Integral):
        raise TypeError(f"{op}(): argument '{name}' must be int, not {type(v).__name__}")
    v = int(v)
    if not -2 ** 63 <= v < 2 ** 63:
        raise ValueError("Overflow when unpacking long long")
    return v


def randint(*args, size=None, low=None, high=None, generator=None, dtype=None, device=None, requires_grad=False,
            out=None, layout=None, pin_memory=False):
    """randint(high, size) or randint(low, high, size): integers uniform on [low, high), int64 by default."""
    if out is not None:
        return _into("randint", out, dtype, device, requires_grad,
                     lambda dt, dev: randint(*args, size=size, low=low, high=high, generator=generator, dtype=dt,
                                             device=dev))
    args = list(args)
    if size is None and args and isinstance(args[-1], (tuple, list)):
        size = args.pop()
    if len(args) == 2:
        low, high = args
    elif len(args) == 1:
        if high is None:
            high = args[0]
        else:
            low = args[0]
    elif args:
        raise TypeError("randint() received an invalid combination of arguments")
    if size is None or high is None:
        raise TypeError("randint() missing 1 required positional arguments: \"size\"" if size is None else
                        "randint() missing required argument 'high'")
    if not isinstance(size, (tuple, list)):
        raise TypeError(f"randint(): argument 'size' must be tuple of ints, not {type(size).__name__}")
    low = 0 if low is None else _int_arg(low, "low", "randint")
    high = _int_arg(high, "high", "randint")
    dtype = dtype or D.int64
    _random_bounds(dtype, low, high)
    t = _wrap(_C.empty(_sizes((size,), "randint"), dtype._id, _device(device)))
    _C.random_(t._t, low, high, _gen(generator))
    return _done(t, requires_grad)


def rand_like(input, *, dtype=None, device=None, requires_grad=False, memory_format=None, layout=None,
              generator=None):
    return rand(*input.shape, dtype=dtype or input.dtype, device=device or input.device, requires_grad=requires_grad,
                generator=generator)


def randn_like(input, *, dtype=None, device=None, requires_grad=False, memory_format=None, layout=None,
               generator=None):
    return randn(*input.shape, dtype=dtype or input.dtype, device=device or input.device, requires_grad=requires_grad,
                 generator=generator)


def randint_like(input, low=0, high=None, *, dtype=None, device=None, requires_grad=False, memory_format=None,
                 layout=None, generator=None):
    if high is None:
        low, high = 0, low
    return randint(low, high, tuple(input.shape), dtype=dtype or input.dtype, device=device or input.device,
                   requires_grad=requires_grad, generator=generator)


def randperm(n, *, generator=None, dtype=None, device=None, requires_grad=False, out=None, layout=None,
             pin_memory=False):
    """A uniform random permutation of 0..n-1: the argsort of n uniform keys from the Philox stream (keys
    are 53-bit doubles: ties, which a stable sort breaks by index, are negligible)."""
    if out is not None:
        return _into("randperm", out, dtype, device, requires_grad,
                     lambda dt, dev: randperm(n, generator=generator, dtype=dt, device=dev))
    import numpy as np
    if isinstance(n, Tensor):
        n = n.item()
    if not isinstance(n, numbers.Integral) or isinstance(n, bool):
        raise TypeError(f"randperm(): argument 'n' (position 1) must be int, not {type(n).__name__}")
    if n < 0:
        raise RuntimeError(f"Trying to create tensor with negative dimension {n}: [{n}]")
    dev = _device(device)
    if dtype is D.bool:
        raise NotImplementedError("\"randperm\" not implemented for 'Bool'")
    keys = _wrap(_C.empty([int(n)], D.float64._id))
    _C.uniform_(keys._t, 0.0, 1.0, _gen(generator))
    perm = np.argsort(keys._t.numpy(), kind="stable")
    from .ops.creation import tensor
    return _done(tensor(perm, dtype=dtype or D.int64, device=dev), requires_grad)


def bernoulli(input, p=None, *, generator=None, out=None):
    """Draws 1 with probability p (input's values when p is None), 0 otherwise; input's dtype and shape."""
    if out is not None:  # any out dtype: the draws are 0 and 1
        return O.into("bernoulli", out, lambda: bernoulli(input, p, generator=generator), input,
                      rule=lambda *a: None, warn=False)
    out_t = _wrap(_C.empty(list(input._t.shape), input._t.dtype, input._t.device))
    if p is None:
        _float_only("bernoulli_tensor_cpu_p_", input.dtype)
        pv = _host(input._t).numpy()
        if pv.size and not ((pv >= 0) & (pv <= 1)).all():
            raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.")
        _C.bernoulli_tensor_(out_t._t, input._t, _gen(generator))
    else:
        _C.bernoulli_(out_t._t, float(p), _gen(generator))
    return out_t


def normal(mean, std=1.0, size=None, *, generator=None, out=None, dtype=None, device=None, requires_grad=False,
           layout=None, pin_memory=False):
    """normal(mean, std): elementwise when either is a Tensor (broadcast), else `size` samples."""
    if out is not None:
        if isinstance(mean, Tensor) or isinstance(std, Tensor):
            return O.into("normal", out, lambda: normal(mean, std, generator=generator), mean, std,
                          rule=_normal_rule)
        return _into("normal", out, dtype, device, requires_grad,
                     lambda dt, dev: normal(mean, std, size, generator=generator, dtype=dt, device=dev))
    if isinstance(mean, Tensor) or isinstance(std, Tensor):
        if isinstance(std, Tensor):
            sv = _host(std.detach()._t).numpy()
            if sv.size and (sv < 0).any():
                raise RuntimeError("normal expects all elements of std >= 0.0")
        elif std < 0:
            raise RuntimeError(f"normal expects std >= 0.0, but found std {std:g}")
        ts = [x for x in (mean, std) if isinstance(x, Tensor)]
        for x in ts:
            _float_only("normal_kernel_cpu", x.dtype)
        shape = list(_C.broadcast_shapes(list(ts[0]._t.shape), list(ts[-1]._t.shape)))
        dt = ts[0].dtype if len(ts) == 1 else D._BY_ID[max(ts[0]._t.dtype, ts[1]._t.dtype)]
        z = _wrap(_C.empty(shape, dt._id, ts[0]._t.device))
        _C.normal_(z._t, 0.0, 1.0, _gen(generator))
        return z * std + mean
    if size is None:
        raise TypeError("normal() received an invalid combination of arguments - got (float, float), but expected "
                        "one of: (Tensor mean, Tensor std), (Tensor mean, float std), (float mean, Tensor std), "
                        "(float mean, float std, tuple of ints size)")
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std:g}")
    t = _sampled((size,), dtype, "normal_kernel_cpu", "normal", _device(device))
    _C.normal_(t._t, float(mean), float(std), _gen(generator))
    return _done(t, requires_grad)


def multinomial(input, num_samples, replacement=False, *, generator=None, out=None):
    """Indices drawn from the rows of `input` (non-negative weights). With replacement: inverse-CDF of
    uniform draws; without: the exponential-race trick (the k smallest -log(u)/p win), which samples
    without replacement in proportion to the weights."""
    if out is not None:
        return O.into("multinomial", out, lambda: multinomial(input, num_samples, replacement, generator=generator),
                      rule=_multinomial_rule, grad=False, warn=False)
    import numpy as np
    from .ops.creation import tensor
    if not input.dtype.is_floating_point:
        raise RuntimeError(f"multinomial only supports floating-point dtypes for input, got: "
                           f"{_TORCH_NAMES[input.dtype.name]}")
    if input.dim() not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    if num_samples <= 0:
        raise RuntimeError("cannot sample n_sample <= 0 samples")
    p = np.asarray(_host(input.detach()._t).numpy(), dtype=np.float64)
    squeeze = p.ndim == 1
    p = np.atleast_2d(p)
    if not replacement and num_samples > p.shape[1]:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without replacement")
    if (p < 0).any() or not np.isfinite(p).all():
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    if (p.sum(axis=1) <= 0).any():
        raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
    u = _wrap(_C.empty([p.shape[0], num_samples if replacement else p.shape[1]], D.float64._id))
    _C.uniform_(u._t, 0.0, 1.0, _gen(generator))
    u = u._t.numpy()
    rows = []
    for r in range(p.shape[0]):
        pr = p[r] / p[r].sum()
        if replacement:
            cdf = np.cumsum(pr)
            idx = np.searchsorted(cdf, u[r] * cdf[-1], side="right")
            # never land on a zero-weight category through rounding at the top of the CDF
            last = np.flatnonzero(pr > 0)[-1]
            rows.append(np.minimum(idx, last))
        else:
            with np.errstate(divide="ignore"):
                keys = np.where(pr > 0, -np.log1p(-u[r]) / pr, np.inf)
            rows.append(np.argsort(keys, kind="stable")[:num_samples])
    out = np.stack(rows)
    return tensor(out[0] if squeeze else out, dtype=D.int64, device=input._t.device)


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
    _float_only("check_uniform_bounds", self.dtype)
    _C.uniform_(self._t, float(a), float(b), _gen(generator))


@_inplace_random
def normal_(self, mean=0.0, std=1.0, *, generator=None):
    _float_only("normal_kernel_cpu", self.dtype)
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std:g}")
    _C.normal_(self._t, float(mean), float(std), _gen(generator))


@_inplace_random
def random_(self, from_=0, to=None, *, generator=None):
    """Integers uniform on [from, to); random_(to) is [0, to); random_() covers the dtype's range (for
    floats, the integers a float represents exactly)."""
    if to is None and from_ != 0:
        from_, to = 0, from_
    if to is None:
        if self.dtype.is_floating_point:
            to = 2 ** 24 + 1 if self.dtype.name == "float32" else 2 ** 53 + 1
        else:
            to = {"int64": 2 ** 63 - 1, "int32": 2 ** 31, "uint8": 256, "bool": 2}[self.dtype.name]
    from_, to = _int_arg(from_, "from", "random_"), _int_arg(to, "to", "random_")
    _random_bounds(self.dtype, from_, to)
    _C.random_(self._t, from_, to, _gen(generator))


@_inplace_random
def bernoulli_(self, p=0.5, *, generator=None):
    if isinstance(p, Tensor):
        pv = _host(p._t).numpy()
        if pv.size and not ((pv >= 0) & (pv <= 1)).all():
            raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.")
        _C.bernoulli_tensor_(self._t, p._t, _gen(generator))  # p may live on another device: copied
    else:
        _C.bernoulli_(self._t, float(p), _gen(generator))


@_inplace_random
def exponential_(self, lambd=1.0, *, generator=None):
    _float_only("exponential_cpu", self.dtype)
    if not lambd > 0:
        raise RuntimeError(f"exponential_ expects lambda > 0.0, but found lambda={lambd:g}")
    u = _wrap(_C.empty(list(self._t.shape), self._t.dtype, self._t.device))
    _C.uniform_(u._t, 0.0, 1.0, _gen(generator))
    _C.copy_(self._t, _C.div_scalar(_C.neg(_C.log1p(_C.neg(u._t))), float(lambd), False))


_register_methods({"uniform_": uniform_, "normal_": normal_, "random_": random_, "bernoulli_": bernoulli_,
                   "exponential_": exponential_, "bernoulli": lambda self, p=None, generator=None:
                   bernoulli(self, p, generator=generator)})
