// out (contiguous, n elements) <- f(philox(seed, offset + i)) for i < n. The transforms f live in
// core/random.h, shared with csrc/cuda/random.cu so both devices draw the same numbers.
#include "random.h"
#include <cmath>
#include "../core/parallel.h"
#include "../core/random.h"

namespace tl::cpu {

namespace {
template <class F>
void for_blocks(int64_t n, uint64_t offset, uint64_t seed, const F& f) {
  parallel_for(0, n, 8192, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) f(i, philox4x32_10(offset + static_cast<uint64_t>(i), seed));
  });
}
}  // namespace

void uniform_kernel(const Tensor& out, double lo, double hi, uint64_t offset, uint64_t seed) {
  const int64_t n = out.numel();
  if (out.dtype() == DType::Float32) {
    float* o = out.data<float>();
    const float flo = static_cast<float>(lo), span = static_cast<float>(hi - lo), fhi = static_cast<float>(hi);
    for_blocks(n, offset, seed, [&](int64_t i, const Philox4x32& r) { o[i] = uniform_f32(r, flo, span, fhi); });
  } else {
    double* o = out.data<double>();
    const double span = hi - lo;
    for_blocks(n, offset, seed, [&](int64_t i, const Philox4x32& r) { o[i] = uniform_f64(r, lo, span); });
  }
}

void normal_kernel(const Tensor& out, double mean, double std, uint64_t offset, uint64_t seed) {
  const int64_t n = out.numel();
  auto draw = [&](const Philox4x32& r) { return normal_f64(r, mean, std); };
  if (out.dtype() == DType::Float32) {
    float* o = out.data<float>();
    for_blocks(n, offset, seed, [&](int64_t i, const Philox4x32& r) { o[i] = static_cast<float>(draw(r)); });
  } else {
    double* o = out.data<double>();
    for_blocks(n, offset, seed, [&](int64_t i, const Philox4x32& r) { o[i] = draw(r); });
  }
}

void randint_kernel(const Tensor& out, int64_t lo, int64_t hi, uint64_t offset, uint64_t seed) {
  const uint64_t range = static_cast<uint64_t>(hi) - static_cast<uint64_t>(lo);
  TL_DISPATCH_NUMERIC(out.dtype(), "random_", [&] {
    scalar_t* o = out.data<scalar_t>();
    for_blocks(out.numel(), offset, seed, [&](int64_t i, const Philox4x32& r) {
      o[i] = static_cast<scalar_t>(randint_i64(r, lo, range));
    });
  });
}

void bernoulli_kernel(const Tensor& out, const Tensor& p, uint64_t offset, uint64_t seed) {
  double* o = out.data<double>();
  const double* pp = p.data<double>();
  for_blocks(out.numel(), offset, seed, [&](int64_t i, const Philox4x32& r) {
    o[i] = u64_to_unit_double(r.c[0], r.c[1]) < pp[i] ? 1.0 : 0.0;
  });
}

}  // namespace tl::cpu
