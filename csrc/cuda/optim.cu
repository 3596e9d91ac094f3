// CUDA fused optimizer updates; same contracts as csrc/cpu/optim.h and the same per-element math
// (csrc/cpu/optim_math.h), so a CUDA step computes what the CPU step does. One grid-stride kernel per
// parameter, launched on the parameter's current stream: param, grad and state are contiguous device
// arrays of numel elements (checked in csrc/ops/optim.cpp); the scalars travel by value in a struct.
#include "optim.h"
#include "common.cuh"
#include "../cpu/optim_math.h"

namespace tl::cuda {

using namespace tl::optim_math;

namespace {

template <class T>
__global__ void sgd_cuda_kernel(T* __restrict__ p, const T* __restrict__ g, T* __restrict__ b, int64_t n,
                                SgdScalars<T> s) {
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x)
    sgd_update(p[i], g[i], b ? b + i : nullptr, s);
}

template <class T>
__global__ void adam_cuda_kernel(T* __restrict__ p, const T* __restrict__ g, T* __restrict__ m, T* __restrict__ v,
                                 T* __restrict__ vmax, int64_t n, AdamScalars<T> s) {
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x)
    adam_update(p[i], g[i], m[i], v[i], vmax ? vmax + i : nullptr, s);
}

template <class T>
__global__ void adagrad_cuda_kernel(T* __restrict__ p, const T* __restrict__ g, T* __restrict__ acc, int64_t n,
                                    AdagradScalars<T> s) {
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x)
    adagrad_update(p[i], g[i], acc[i], s);
}

template <class T>
__global__ void rmsprop_cuda_kernel(T* __restrict__ p, const T* __restrict__ g, T* __restrict__ sq,
                                    T* __restrict__ ga, T* __restrict__ b, int64_t n, RmspropScalars<T> s) {
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x)
    rmsprop_update(p[i], g[i], sq[i], ga ? ga + i : nullptr, b ? b + i : nullptr, s);
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
    SgdScalars<T> s{T(-lr), T(momentum), T(1 - dampening), T(weight_decay),
                    weight_decay != 0, momentum != 0, nesterov, maximize, fresh};
    sgd_cuda_kernel<T><<<grid_for(n), kThreads, 0, stream_of(param)>>>(param.data<T>(), grad.data<T>(),
                                                                       ptr_or_null<T>(buf), n, s);
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
    AdamScalars<T> s{T(-step_size), T(bc2_sqrt), T(1 - beta1), T(beta2), T(1 - beta2), T(eps), T(weight_decay),
                     T(1 - lr * weight_decay), weight_decay != 0, decoupled, max_exp_avg_sq.defined(), maximize};
    adam_cuda_kernel<T><<<grid_for(n), kThreads, 0, stream_of(param)>>>(
        param.data<T>(), grad.data<T>(), exp_avg.data<T>(), exp_avg_sq.data<T>(), ptr_or_null<T>(max_exp_avg_sq), n, s);
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
    AdagradScalars<T> s{T(-clr), T(weight_decay), T(eps), weight_decay != 0, maximize};
    adagrad_cuda_kernel<T><<<grid_for(n), kThreads, 0, stream_of(param)>>>(param.data<T>(), grad.data<T>(),
                                                                           sum.data<T>(), n, s);
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
    RmspropScalars<T> s{T(-lr), T(alpha), T(1 - alpha), T(eps), T(weight_decay), T(momentum),
                        weight_decay != 0, grad_avg.defined(), buf.defined(), maximize};
    rmsprop_cuda_kernel<T><<<grid_for(n), kThreads, 0, stream_of(param)>>>(
        param.data<T>(), grad.data<T>(), square_avg.data<T>(), ptr_or_null<T>(grad_avg), ptr_or_null<T>(buf), n, s);
    TL_CUDA_LAUNCH_CHECK("rmsprop_step_");
  });
}

}  // namespace tl::cuda
