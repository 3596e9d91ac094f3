#include "random.h"
#include <cmath>
#include "copy.h"
#include "dispatch.h"
#include "../cpu/random.h"
#ifdef TL_WITH_CUDA
#include "../cuda/random.h"
#endif

namespace tl {

Generator& default_generator() {
  static Generator g;
  return g;
}

namespace {
Generator& gen_or_default(Generator* g) { return g ? *g : default_generator(); }

// Kernels fill contiguous memory; other layouts go through a temporary.
template <class F>
void fill_via_contiguous(const Tensor& t, DType dt, const F& fill) {
  check_writable(t, "random");
  if (t.numel() == 0) return;
  if (t.is_contiguous() && t.dtype() == dt) {
    fill(t);
  } else {
    Tensor tmp = Tensor::empty(t.sizes(), dt, t.device());
    fill(tmp);
    copy_(t, tmp);
  }
}
}  // namespace

void uniform_(const Tensor& t, double lo, double hi, Generator* gen) {
  TL_CHECK(is_floating(t.dtype()), "uniform_ expects a floating point tensor, got ", dtype_torch_name(t.dtype()));
  TL_CHECK(lo <= hi, "uniform_ expects to return a [from, to) range, but found from=", lo, " > to=", hi);
  fill_via_contiguous(t, t.dtype(), [&](const Tensor& c) {
    const uint64_t off = gen_or_default(gen).advance(c.numel());
    TL_KERNEL(c.device(), uniform_kernel, c, lo, hi, off, gen_or_default(gen).seed());
  });
}

void normal_(const Tensor& t, double mean, double std, Generator* gen) {
  TL_CHECK(is_floating(t.dtype()), "normal_ expects a floating point tensor, got ", dtype_torch_name(t.dtype()));
  TL_CHECK(std >= 0.0, "normal expects std >= 0.0, but found std ", std);
  fill_via_contiguous(t, t.dtype(), [&](const Tensor& c) {
    const uint64_t off = gen_or_default(gen).advance(c.numel());
    TL_KERNEL(c.device(), normal_kernel, c, mean, std, off, gen_or_default(gen).seed());
  });
}

void random_(const Tensor& t, int64_t lo, int64_t hi, Generator* gen) {
  TL_CHECK(lo < hi, "random_ expects 'from' to be less than 'to', but got from=", lo, " >= to=", hi);
  DType dt = t.dtype() == DType::Bool ? DType::Int64 : t.dtype();
  fill_via_contiguous(t, dt, [&](const Tensor& c) {
    const uint64_t off = gen_or_default(gen).advance(c.numel());
    TL_KERNEL(c.device(), randint_kernel, c, lo, hi, off, gen_or_default(gen).seed());
  });
}

namespace {
// pd: float64 probabilities, contiguous, t's shape and device.
void bernoulli_from(const Tensor& t, const Tensor& pd, Generator* gen) {
  fill_via_contiguous(t, DType::Float64, [&](const Tensor& c) {
    const uint64_t off = gen_or_default(gen).advance(c.numel());
    TL_KERNEL(c.device(), bernoulli_kernel, c, pd, off, gen_or_default(gen).seed());
  });
}
}  // namespace

void bernoulli_(const Tensor& t, double p, Generator* gen) {
  TL_CHECK(p >= 0.0 && p <= 1.0, "bernoulli_ expects p to be in [0, 1], but got p=", p);
  bernoulli_from(t, full(t.sizes(), Scalar::from_double(p), DType::Float64, t.device()), gen);
}

// p may live on another device (torch moves it to t's device); copy_ does that and the broadcast.
void bernoulli_(const Tensor& t, const Tensor& p, Generator* gen) {
  Shape b = broadcast_shapes(t.sizes(), p.sizes());
  TL_CHECK(b == t.sizes(), "bernoulli_: probability tensor of shape ", shape_str(p.sizes()),
           " is not broadcastable to ", shape_str(t.sizes()));
  Tensor pd = Tensor::empty(t.sizes(), DType::Float64, t.device());
  copy_(pd, p);
  bernoulli_from(t, pd, gen);
}

}  // namespace tl
