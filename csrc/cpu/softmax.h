// Softmax kernels over one dim, viewed as (outer, D, inner). Validation and allocation live in
// csrc/ops/softmax.cpp.
//   softmax_kernel(out, in, dim, log)                      in, out contiguous, same shape, float dtype
//   softmax_backward_kernel(gin, gout, out, dim, log)      all contiguous, same shape and dtype:
//     softmax:     gin = y * (g - sum(g * y))        log_softmax: gin = g - exp(y) * sum(g)
#pragma once
#include <cstdint>
#include <cstring>
#include "../core/tensor.h"

namespace tl::cpu {

// Hot float32 loops are also compiled for AVX2 and picked at load time from cpuid (GCC function
// multi-versioning); elsewhere they are plain functions. Files using exp_f32 in loops compile with
// -fno-trapping-math semantics (see the pragma in softmax.cpp / reduce.cpp) so its selects vectorise.
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
#define TL_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define TL_CLONES
#endif

// exp for float32 written so that loops calling it vectorise (no branches, no libm call): Cephes'
// range reduction x = n ln2 + r and degree-6 polynomial, ~1 ulp. Exact at the edges that matter for
// softmax: exp(-inf) = 0, NaN propagates, large negative inputs flush to 0, overflow gives inf.
inline float exp_f32(float x) {
  float xc = x < -87.33654f ? -87.33654f : (x > 88.37626f ? 88.37626f : x);
  float n = (xc * 1.44269504088896341f + 12582912.0f) - 12582912.0f;  // round to nearest
  float r = xc - n * 0.693359375f;
  r = r - n * -2.12194440e-4f;
  float y = 1.9875691500e-4f;
  y = y * r + 1.3981999507e-3f;
  y = y * r + 8.3334519073e-3f;
  y = y * r + 4.1665795894e-2f;
  y = y * r + 1.6666665459e-1f;
  y = y * r + 5.0000001201e-1f;
  y = y * r * r + r + 1.0f;
  int32_t e = (static_cast<int32_t>(n) + 127) << 23;
  float scale;
  std::memcpy(&scale, &e, sizeof scale);
  y *= scale;
  y = x < -87.33654f ? 0.0f : y;
  y = x > 88.72283f ? __builtin_inff() : y;
  return x != x ? x : y;
}

void softmax_kernel(const Tensor& out, const Tensor& in, int64_t dim, bool log);
void softmax_backward_kernel(const Tensor& grad_in, const Tensor& grad_out, const Tensor& out, int64_t dim, bool log);

}  // namespace tl::cpu
