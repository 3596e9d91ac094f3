// CUDA fused optimizer updates; same contracts as csrc/cpu/optim.h and the same per-element math and
// option flags (csrc/cpu/optim_math.h), so a CUDA step computes what the CPU step does. One grid-stride
// kernel per parameter, launched on the parameter's current stream: param, grad and state are contiguous
// device arrays of n elements (checked in csrc/ops/optim.cpp); the scalars travel by value. A state
// array an option leaves out is null and never dereferenced (the flag is a compile-time constant).
#include "optim.h"
#include "common.cuh"
#include "../cpu/optim_math.h"

namespace tl::cuda {

using namespace tl::optim_math;

namespace {

template <bool WD, bool MOM, bool FRESH, bool NESTEROV, class T>
__global__ void sgd_cuda_kernel(T* __restrict__ p, const T* __restrict__ g, T* __restrict__ b, int64_t n,
                                SgdScalars<T> s) {
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x) {
    T unused = T(0);
    sgd_update<WD, MOM, FRESH, NESTEROV>(p[i], g[i], MOM ? b[i] : unused, s);
  }
}

template <bool WD, bool DECOUPLED, bool AMSGRAD, class T>
__global__ void adam_cuda_kernel(T* __restrict__ p, const T* __restrict__ g, T* __restrict__ m, T* __restrict__ v,
                                 T* __restrict__ vmax, int64_t n, AdamScalars<T> s) {
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x) {
    T unused = T(0);
    adam_update<WD, DECOUPLED, AMSGRAD>(p[i], g[i], m[i], v[i], AMSGRAD ? vmax[i] : unused, s);
  }
}

template <bool WD, class T>
__global__ void adagrad_cuda_kernel(T* __restrict__ p, const T* __restrict__ g, T* __restrict__ acc, int64_t n,
                                    AdagradScalars<T> s) {
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x)
    adagrad_update<WD>(p[i], g[i], acc[i], s);
}

template <bool WD, bool CENTERED, bool MOM, class T>
__global__ void rmsprop_cuda_kernel(T* __restrict__ p, const T* __restrict__ g, T* __restrict__ sq,
                                    T* __restrict__ ga, T* __restrict__ b, int64_t n, RmspropScalars<T> s) {
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x) {
    T unused_ga = T(0), unused_b = T(0);
    rmsprop_update<WD, CENTERED, MOM>(p[i], g[i], sq[i], CENTERED ? ga[i] : unused_ga, MOM ? b[i] : unused_b, s);
  }
}

template <class T>
T* ptr_or_null(const Tensor& t) {
  return t.defined() ? t.data<T>() : nullptr;
}

}  // namespace

void sgd_kernel(const Tensor& param, const Tensor& grad, const Tensor& buf, bool fresh, double lr, double momentum,
                double dampening, double weight_decay, bool nesterov, bool maximize) {
  const int64_t n = param.numel();
  if (n == 0) return;
  DeviceGuard guard(param);
  TL_DISPATCH_FLOATING(param.dtype(), "sgd", [&] {
    using T = scalar_t;
    const SgdScalars<T> s{T(maximize ? -1 : 1), T(-lr), T(momentum), T(1 - dampening), T(weight_decay)};
    T* p = param.data<T>();
    const T* g = grad.data<T>();
    T* b = ptr_or_null<T>(buf);
    const bool mom = momentum != 0;
    dispatch_flags([&](auto wd, auto mo, auto fr, auto ne) {
      sgd_cuda_kernel<decltype(wd)::value, decltype(mo)::value, decltype(fr)::value, decltype(ne)::value, T>
          <<<grid_for(n), kThreads, 0, stream_of(param)>>>(p, g, b, n, s);
    }, weight_decay != 0, mom, mom && fresh, mom && nesterov);
    TL_CUDA_LAUNCH_CHECK("sgd_step_");
  });
}

void adam_kernel(const Tensor& param, const Tensor& grad, const Tensor& exp_avg, const Tensor& exp_avg_sq,
                 const Tensor& max_exp_avg_sq, double step_size, double bc2_sqrt, double lr, double beta1, double beta2,
                 double eps, double weight_decay, bool maximize, bool decoupled) {
  const int64_t n = param.numel();
  if (n == 0) return;
  DeviceGuard guard(param);
  TL_DISPATCH_FLOATING(param.dtype(), "adam", [&] {
    using T = scalar_t;
    const AdamScalars<T> s{T(maximize ? -1 : 1), T(-step_size), T(bc2_sqrt), T(1 - beta1), T(beta2), T(1 - beta2),
                           T(eps), T(weight_decay), T(1 - lr * weight_decay)};
    T* p = param.data<T>();
    const T* g = grad.data<T>();
    T* m = exp_avg.data<T>();
    T* v = exp_avg_sq.data<T>();
    T* vmax = ptr_or_null<T>(max_exp_avg_sq);
    dispatch_flags([&](auto wd, auto dec, auto ams) {
      adam_cuda_kernel<decltype(wd)::value, decltype(dec)::value, decltype(ams)::value, T>
          <<<grid_for(n), kThreads, 0, stream_of(param)>>>(p, g, m, v, vmax, n, s);
    }, weight_decay != 0, decoupled, vmax != nullptr);
    TL_CUDA_LAUNCH_CHECK("adam_step_");
  });
}

void adagrad_kernel(const Tensor& param, const Tensor& grad, const Tensor& sum, double clr, double weight_decay,
                    double eps, bool maximize) {
  const int64_t n = param.numel();
  if (n == 0) return;
  DeviceGuard guard(param);
  TL_DISPATCH_FLOATING(param.dtype(), "adagrad", [&] {
    using T = scalar_t;
    const AdagradScalars<T> s{T(maximize ? -1 : 1), T(-clr), T(weight_decay), T(eps)};
    T* p = param.data<T>();
    const T* g = grad.data<T>();
    T* acc = sum.data<T>();
    dispatch_flags([&](auto wd) {
      adagrad_cuda_kernel<decltype(wd)::value, T><<<grid_for(n), kThreads, 0, stream_of(param)>>>(p, g, acc, n, s);
    }, weight_decay != 0);
    TL_CUDA_LAUNCH_CHECK("adagrad_step_");
  });
}

void rmsprop_kernel(const Tensor& param, const Tensor& grad, const Tensor& square_avg, const Tensor& grad_avg,
                    const Tensor& buf, double lr, double alpha, double eps, double weight_decay, double momentum,
                    bool maximize) {
  const int64_t n = param.numel();
  if (n == 0) return;
  DeviceGuard guard(param);
  TL_DISPATCH_FLOATING(param.dtype(), "rmsprop", [&] {
    using T = scalar_t;
    const RmspropScalars<T> s{T(maximize ? -1 : 1), T(-lr), T(alpha), T(1 - alpha), T(eps), T(weight_decay),
                              T(momentum)};
    T* p = param.data<T>();
    const T* g = grad.data<T>();
    T* sq = square_avg.data<T>();
    T* ga = ptr_or_null<T>(grad_avg);
    T* b = ptr_or_null<T>(buf);
    dispatch_flags([&](auto wd, auto ce, auto mo) {
      rmsprop_cuda_kernel<decltype(wd)::value, decltype(ce)::value, decltype(mo)::value, T>
          <<<grid_for(n), kThreads, 0, stream_of(param)>>>(p, g, sq, ga, b, n, s);
    }, weight_decay != 0, ga != nullptr, b != nullptr);
    TL_CUDA_LAUNCH_CHECK("rmsprop_step_");
  });
}

}  // namespace tl::cuda
