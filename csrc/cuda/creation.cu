// arange: out (n,);  linspace/logspace: out (n,);  eye: out (n, m).  All contiguous (the op layer
// allocates them). The formulas are csrc/cpu/creation.cpp's, operation for operation, with the
// roundings pinned (__dmul_rn & co.): nvcc would otherwise contract a * b + c into an fma and the
// last bit would differ from the CPU.
#include <cmath>
#include <type_traits>
#include <vector>
#include "common.cuh"
#include "creation.h"

namespace tl::cuda {

namespace {

__device__ __forceinline__ double mul_rn(double a, double b) { return __dmul_rn(a, b); }
__device__ __forceinline__ double add_rn(double a, double b) { return __dadd_rn(a, b); }
__device__ __forceinline__ double sub_rn(double a, double b) { return __dsub_rn(a, b); }
__device__ __forceinline__ float mul_rn(float a, float b) { return __fmul_rn(a, b); }
__device__ __forceinline__ float add_rn(float a, float b) { return __fadd_rn(a, b); }
__device__ __forceinline__ float sub_rn(float a, float b) { return __fsub_rn(a, b); }

// See cpu::arange_kernel: torch's vector blocks of W elements over pairs of them, then a scalar tail.
template <class T>
__global__ void arange_float(T* o, int64_t n, int64_t vec_end, int64_t W, double start, double step) {
  const int64_t stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += stride) {
    if (i < vec_end) {
      const int64_t i0 = i / W * W;
      const T base = static_cast<T>(add_rn(start, mul_rn(step, static_cast<double>(i0))));
      o[i] = static_cast<T>(add_rn(static_cast<double>(base), mul_rn(static_cast<double>(i - i0), step)));
    } else {
      o[i] = static_cast<T>(add_rn(start, mul_rn(step, static_cast<double>(i))));
    }
  }
}

template <class T>
__global__ void arange_int(T* o, int64_t n, int64_t start, int64_t step) {
  const int64_t stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += stride) {
    // int64 arithmetic as the CPU, but in unsigned so that overflow wraps instead of being UB
    const uint64_t v = static_cast<uint64_t>(start) + static_cast<uint64_t>(step) * static_cast<uint64_t>(i);
    o[i] = static_cast<T>(static_cast<int64_t>(v));
  }
}

// S: the step type (T for floats, double for integers, as torch); start/end already in T.
template <class T, class S>
__global__ void linspace_lin(T* o, int64_t n, T start, T end, S step) {
  const int64_t halfway = n / 2;
  const int64_t stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += stride) {
    S v = i < halfway ? add_rn(static_cast<S>(start), mul_rn(step, static_cast<S>(i)))
                      : sub_rn(static_cast<S>(end), mul_rn(step, static_cast<S>(n - 1 - i)));
    if (n == 1) v = static_cast<S>(start);
    o[i] = static_cast<T>(v);
  }
}

template <class T>
__global__ void eye_diag(T* o, int64_t d, int64_t m) {
  const int64_t stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < d; i += stride)
    o[i * m + i] = static_cast<T>(1);
}

}  // namespace

void arange_kernel(const Tensor& out, double start_d, double step_d, int64_t start_i, int64_t step_i) {
  const int64_t n = out.numel();
  if (n == 0) return;
  DeviceGuard guard(out);
  TL_DISPATCH_NUMERIC(out.dtype(), "arange_cuda", [&] {
    using T = scalar_t;
    T* o = out.data<T>();
    if constexpr (std::is_floating_point_v<T>) {
      constexpr int64_t W = 32 / static_cast<int64_t>(sizeof(T));
      const int64_t vec_end = n / (2 * W) * (2 * W);
      arange_float<T><<<grid_for(n), kThreads, 0, stream_of(out)>>>(o, n, vec_end, W, start_d, step_d);
    } else {
      arange_int<T><<<grid_for(n), kThreads, 0, stream_of(out)>>>(o, n, start_i, step_i);
    }
    TL_CUDA_LAUNCH_CHECK("arange");
  });
}

void linspace_kernel(const Tensor& out, double start_in, double end_in, bool is_log, double base) {
  const int64_t n = out.numel();
  if (n == 0) return;
  DeviceGuard guard(out);
  TL_DISPATCH_NUMERIC(out.dtype(), "linspace_cuda", [&] {
    using T = scalar_t;
    using step_t = std::conditional_t<std::is_integral_v<T>, double, T>;
    const T start = static_cast<T>(start_in), end = static_cast<T>(end_in);
    const step_t step = n > 1 ? (static_cast<step_t>(end) - static_cast<step_t>(start)) / static_cast<step_t>(n - 1)
                              : step_t(0);
    if (is_log) {
      // logspace: the device pow is not glibc's (up to 2 ulp off), so the values come from the host,
      // computed exactly as cpu::linspace_kernel does, and are uploaded once.
      std::vector<T> h(static_cast<size_t>(n));
      const int64_t halfway = n / 2;
      for (int64_t i = 0; i < n; ++i) {
        step_t v = i < halfway ? static_cast<step_t>(start + step * static_cast<step_t>(i))
                               : static_cast<step_t>(end - step * static_cast<step_t>(n - 1 - i));
        if (n == 1) v = static_cast<step_t>(start);
        h[static_cast<size_t>(i)] = static_cast<T>(std::pow(base, static_cast<double>(v)));
      }
      // synchronous: `h` dies with this scope
      TL_CUDA_CHECK(cudaMemcpyAsync(out.data_ptr(), h.data(), h.size() * sizeof(T), cudaMemcpyHostToDevice,
                                    stream_of(out)),
                    "logspace");
      TL_CUDA_CHECK(cudaStreamSynchronize(stream_of(out)), "logspace");
      return;
    }
    linspace_lin<T, step_t><<<grid_for(n), kThreads, 0, stream_of(out)>>>(out.data<T>(), n, start, end, step);
    TL_CUDA_LAUNCH_CHECK("linspace");
  });
}

void eye_kernel(const Tensor& out) {
  const int64_t n = out.sizes()[0], m = out.sizes()[1], d = n < m ? n : m;
  if (d == 0) return;
  DeviceGuard guard(out);
  TL_DISPATCH_ALL(out.dtype(), "eye", [&] {
    eye_diag<scalar_t><<<grid_for(d), kThreads, 0, stream_of(out)>>>(out.data<scalar_t>(), d, m);
    TL_CUDA_LAUNCH_CHECK("eye");
  });
}

}  // namespace tl::cuda
