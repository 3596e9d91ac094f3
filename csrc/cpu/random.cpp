// out (contiguous, n elements) <- f(philox(seed, offset + i)) for i < n
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
    const float flo = static_cast<float>(lo), span = static_cast<float>(hi - lo);
    for_blocks(n, offset, seed, [&](int64_t i, const Philox4x32& r) {
      float v = flo + span * u32_to_unit_float(r.c[0]);
      o[i] = v < static_cast<float>(hi) || span == 0.0f ? v : flo;  // keep [lo, hi) after rounding
    });
  } else {
    double* o = out.data<double>();
    for_blocks(n, offset, seed, [&](int64_t i, const Philox4x32& r) {
      o[i] = lo + (hi - lo) * u64_to_unit_double(r.c[0], r.c[1]);
    });
  }
}

void normal_kernel(const Tensor& out, double mean, double std, uint64_t offset, uint64_t seed) {
  const int64_t n = out.numel();
  auto draw = [&](const Philox4x32& r) {
    // Box-Muller; u1 in (0, 1] so the log is finite.
    double u1 = 1.0 - u64_to_unit_double(r.c[0], r.c[1]);
    double u2 = u64_to_unit_double(r.c[2], r.c[3]);
    return mean + std * std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  };
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
      uint64_t v = (static_cast<uint64_t>(r.c[0]) << 32 | r.c[1]) % range;
      o[i] = static_cast<scalar_t>(lo + static_cast<int64_t>(v));
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
