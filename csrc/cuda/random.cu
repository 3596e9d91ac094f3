// out (contiguous, n elements) <- f(philox(seed, offset + i)) for i < n; p (bernoulli) contiguous, n
// elements, float64. One thread per element in a grid-stride loop: element i's value depends only on
// (seed, offset + i), never on the launch shape.
//
// Same numbers as the CPU: Philox and the value transforms are the TL_HD functions of core/random.h,
// compiled for both sides, with every device product/sum explicitly rounded (no FMA contraction).
//   - uniform (float32, float64), randint (every dtype), bernoulli: bit-identical to the CPU. They use
//     only exact conversions, IEEE-rounded + and *, 64-bit integer % and comparisons.
//   - normal: Box-Muller needs log and cos, which are glibc's on the host and libdevice's here. Both
//     are accurate to 1-2 ulp but are different functions, so float64 results can differ from the CPU
//     in the last bit or two for some elements. float32 results are the double result rounded once to
//     float: they differ only when the two doubles straddle a float rounding boundary, which a few-ulp
//     double difference does with probability ~2^-28 per element (then by 1 float ulp). Exactness would
//     need a software log/cos shared by both sides (changing the CPU stream and costing CPU speed);
//     not done.
#include "common.cuh"
#include "random.h"
#include "../core/random.h"

namespace tl::cuda {

namespace {

// Value transforms as functors, so one launcher template serves every op.
struct UniformF32 {
  float lo, span, hi;
  __device__ float operator()(const Philox4x32& r, int64_t) const { return uniform_f32(r, lo, span, hi); }
};
struct UniformF64 {
  double lo, span;
  __device__ double operator()(const Philox4x32& r, int64_t) const { return uniform_f64(r, lo, span); }
};
template <class T>
struct Normal {
  double mean, std;
  __device__ T operator()(const Philox4x32& r, int64_t) const { return static_cast<T>(normal_f64(r, mean, std)); }
};
template <class T>
struct RandInt {
  int64_t lo;
  uint64_t range;
  __device__ T operator()(const Philox4x32& r, int64_t) const { return static_cast<T>(randint_i64(r, lo, range)); }
};
struct Bernoulli {
  const double* p;
  __device__ double operator()(const Philox4x32& r, int64_t i) const {
    return u64_to_unit_double(r.c[0], r.c[1]) < p[i] ? 1.0 : 0.0;
  }
};

template <class T, class F>
__global__ void philox_fill(T* out, int64_t n, uint64_t offset, uint64_t seed, F f) {
  const int64_t stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += stride)
    out[i] = f(philox4x32_10(offset + static_cast<uint64_t>(i), seed), i);
}

template <class T, class F>
void launch(const Tensor& out, uint64_t offset, uint64_t seed, const F& f, const char* op) {
  const int64_t n = out.numel();
  if (n == 0) return;
  DeviceGuard g(out);
  philox_fill<T, F><<<grid_for(n), kThreads, 0, stream_of(out)>>>(out.data<T>(), n, offset, seed, f);
  TL_CUDA_LAUNCH_CHECK(op);
}

}  // namespace

void uniform_kernel(const Tensor& out, double lo, double hi, uint64_t offset, uint64_t seed) {
  if (out.dtype() == DType::Float32) {
    const UniformF32 f{static_cast<float>(lo), static_cast<float>(hi - lo), static_cast<float>(hi)};
    launch<float>(out, offset, seed, f, "uniform_");
  } else {
    launch<double>(out, offset, seed, UniformF64{lo, hi - lo}, "uniform_");
  }
}

void normal_kernel(const Tensor& out, double mean, double std, uint64_t offset, uint64_t seed) {
  if (out.dtype() == DType::Float32) launch<float>(out, offset, seed, Normal<float>{mean, std}, "normal_");
  else launch<double>(out, offset, seed, Normal<double>{mean, std}, "normal_");
}

void randint_kernel(const Tensor& out, int64_t lo, int64_t hi, uint64_t offset, uint64_t seed) {
  const uint64_t range = static_cast<uint64_t>(hi) - static_cast<uint64_t>(lo);
  TL_DISPATCH_NUMERIC(out.dtype(), "random_", [&] {
    launch<scalar_t>(out, offset, seed, RandInt<scalar_t>{lo, range}, "random_");
  });
}

void bernoulli_kernel(const Tensor& out, const Tensor& p, uint64_t offset, uint64_t seed) {
  launch<double>(out, offset, seed, Bernoulli{p.data<double>()}, "bernoulli_");
}

}  // namespace tl::cuda
