// Fused optimizer updates on the CPU: one pass over param/grad/state per parameter, split across threads
// in fixed contiguous ranges (each element is updated by exactly one thread, so results do not depend on
// the thread count). The per-element math is csrc/cpu/optim_math.h, shared with the CUDA kernels.
// errno is never read, so sqrt may compile to the vector instruction without the errno fallback.
#pragma GCC optimize("no-math-errno")
#include "optim.h"
#include "optim_math.h"
#include "../core/dtype.h"
#include "../core/parallel.h"

namespace tl::cpu {

using namespace tl::optim_math;

namespace {

// Memory-bound and cheap per element: threads pay off only for large parameters.
constexpr int64_t kOptimGrain = 1 << 16;

template <class T>
T* ptr_or_null(const Tensor& t) {
  return t.defined() ? t.data<T>() : nullptr;
}

}  // namespace

void sgd_kernel(const Tensor& param, const Tensor& grad, const Tensor& buf, bool fresh, double lr, double momentum,
                double dampening, double weight_decay, bool nesterov, bool maximize) {
  TL_DISPATCH_FLOATING(param.dtype(), "sgd", [&] {
    using T = scalar_t;
    SgdScalars<T> s{T(-lr), T(momentum), T(1 - dampening), T(weight_decay),
                    weight_decay != 0, momentum != 0, nesterov, maximize, fresh};
    T* __restrict__ p = param.data<T>();
    const T* __restrict__ g = grad.data<T>();
    T* __restrict__ b = ptr_or_null<T>(buf);
    parallel_for(0, param.numel(), kOptimGrain, [&](int64_t lo, int64_t hi) {
      if (b) {
        for (int64_t i = lo; i < hi; ++i) sgd_update(p[i], g[i], b + i, s);
      } else {
        for (int64_t i = lo; i < hi; ++i) sgd_update<T>(p[i], g[i], nullptr, s);
      }
    });
  });
}

void adam_kernel(const Tensor& param, const Tensor& grad, const Tensor& exp_avg, const Tensor& exp_avg_sq,
                 const Tensor& max_exp_avg_sq, double step_size, double bc2_sqrt, double lr, double beta1, double beta2,
                 double eps, double weight_decay, bool maximize, bool decoupled) {
  TL_DISPATCH_FLOATING(param.dtype(), "adam", [&] {
    using T = scalar_t;
    AdamScalars<T> s{T(-step_size), T(bc2_sqrt), T(1 - beta1), T(beta2), T(1 - beta2), T(eps), T(weight_decay),
                     T(1 - lr * weight_decay), weight_decay != 0, decoupled, max_exp_avg_sq.defined(), maximize};
    T* __restrict__ p = param.data<T>();
    const T* __restrict__ g = grad.data<T>();
    T* __restrict__ m = exp_avg.data<T>();
    T* __restrict__ v = exp_avg_sq.data<T>();
    T* __restrict__ vmax = ptr_or_null<T>(max_exp_avg_sq);
    parallel_for(0, param.numel(), kOptimGrain, [&](int64_t lo, int64_t hi) {
      if (vmax) {
        for (int64_t i = lo; i < hi; ++i) adam_update(p[i], g[i], m[i], v[i], vmax + i, s);
      } else {
        for (int64_t i = lo; i < hi; ++i) adam_update<T>(p[i], g[i], m[i], v[i], nullptr, s);
      }
    });
  });
}

void adagrad_kernel(const Tensor& param, const Tensor& grad, const Tensor& sum, double clr, double weight_decay,
                    double eps, bool maximize) {
  TL_DISPATCH_FLOATING(param.dtype(), "adagrad", [&] {
    using T = scalar_t;
    AdagradScalars<T> s{T(-clr), T(weight_decay), T(eps), weight_decay != 0, maximize};
    T* __restrict__ p = param.data<T>();
    const T* __restrict__ g = grad.data<T>();
    T* __restrict__ acc = sum.data<T>();
    parallel_for(0, param.numel(), kOptimGrain, [&](int64_t lo, int64_t hi) {
      for (int64_t i = lo; i < hi; ++i) adagrad_update(p[i], g[i], acc[i], s);
    });
  });
}

void rmsprop_kernel(const Tensor& param, const Tensor& grad, const Tensor& square_avg, const Tensor& grad_avg,
                    const Tensor& buf, double lr, double alpha, double eps, double weight_decay, double momentum,
                    bool maximize) {
  TL_DISPATCH_FLOATING(param.dtype(), "rmsprop", [&] {
    using T = scalar_t;
    RmspropScalars<T> s{T(-lr), T(alpha), T(1 - alpha), T(eps), T(weight_decay), T(momentum),
                        weight_decay != 0, grad_avg.defined(), buf.defined(), maximize};
    T* __restrict__ p = param.data<T>();
    const T* __restrict__ g = grad.data<T>();
    T* __restrict__ sq = square_avg.data<T>();
    T* __restrict__ ga = ptr_or_null<T>(grad_avg);
    T* __restrict__ b = ptr_or_null<T>(buf);
    parallel_for(0, param.numel(), kOptimGrain, [&](int64_t lo, int64_t hi) {
      for (int64_t i = lo; i < hi; ++i) rmsprop_update(p[i], g[i], sq[i], ga ? ga + i : nullptr, b ? b + i : nullptr, s);
    });
  });
}

}  // namespace tl::cpu
