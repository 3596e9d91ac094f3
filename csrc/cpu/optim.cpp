// Fused optimizer updates on the CPU: one pass over param/grad/state per parameter, split across threads
// in fixed contiguous ranges (each element is updated by exactly one thread, so results do not depend on
// the thread count). The per-element math is csrc/cpu/optim_math.h, shared with the CUDA kernels; its
// options are template flags, so each loop below is branch-free and vectorises.
// Built with -fno-math-errno -fno-trapping-math (CMakeLists.txt): sqrt and the selects then vectorise.
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

// One thread's range. Standalone functions with restrict pointers and the scalars by value: reached
// through lambda captures, neither would be visible to the vectoriser. A state array that an option
// leaves out is null and never dereferenced (the flag is a constant; `unused` stands in).
template <bool WD, bool MOM, bool FRESH, bool NESTEROV, class T>
void sgd_range(T* __restrict__ p, const T* __restrict__ g, T* __restrict__ b, int64_t lo, int64_t hi,
               const SgdScalars<T> s) {
  for (int64_t i = lo; i < hi; ++i) {
    T unused = T(0);
    sgd_update<WD, MOM, FRESH, NESTEROV>(p[i], g[i], MOM ? b[i] : unused, s);
  }
}

template <bool WD, bool DECOUPLED, bool AMSGRAD, class T>
void adam_range(T* __restrict__ p, const T* __restrict__ g, T* __restrict__ m, T* __restrict__ v,
                T* __restrict__ vmax, int64_t lo, int64_t hi, const AdamScalars<T> s) {
  for (int64_t i = lo; i < hi; ++i) {
    if constexpr (AMSGRAD) {
      adam_update<WD, DECOUPLED, AMSGRAD>(p[i], g[i], m[i], v[i], vmax[i], s);
    } else {
      T unused = T(0);
      adam_update<WD, DECOUPLED, AMSGRAD>(p[i], g[i], m[i], v[i], unused, s);
    }
  }
}

template <bool WD, class T>
void adagrad_range(T* __restrict__ p, const T* __restrict__ g, T* __restrict__ acc, int64_t lo, int64_t hi,
                   const AdagradScalars<T> s) {
  for (int64_t i = lo; i < hi; ++i) adagrad_update<WD>(p[i], g[i], acc[i], s);
}

template <bool WD, bool CENTERED, bool MOM, class T>
void rmsprop_range(T* __restrict__ p, const T* __restrict__ g, T* __restrict__ sq, T* __restrict__ ga,
                   T* __restrict__ b, int64_t lo, int64_t hi, const RmspropScalars<T> s) {
  for (int64_t i = lo; i < hi; ++i) {
    T unused_ga = T(0), unused_b = T(0);
    rmsprop_update<WD, CENTERED, MOM>(p[i], g[i], sq[i], CENTERED ? ga[i] : unused_ga, MOM ? b[i] : unused_b, s);
  }
}

}  // namespace

void sgd_kernel(const Tensor& param, const Tensor& grad, const Tensor& buf, bool fresh, double lr, double momentum,
                double dampening, double weight_decay, bool nesterov, bool maximize) {
  TL_DISPATCH_FLOATING(param.dtype(), "sgd", [&] {
    using T = scalar_t;
    const SgdScalars<T> s{T(maximize ? -1 : 1), T(-lr), T(momentum), T(1 - dampening), T(weight_decay)};
    T* p = param.data<T>();
    const T* g = grad.data<T>();
    T* b = ptr_or_null<T>(buf);
    const bool mom = momentum != 0;
    dispatch_flags([&](auto wd, auto mo, auto fr, auto ne) {
      parallel_for(0, param.numel(), kOptimGrain, [&](int64_t lo, int64_t hi) {
        sgd_range<decltype(wd)::value, decltype(mo)::value, decltype(fr)::value, decltype(ne)::value>(p, g, b, lo,
                                                                                                      hi, s);
      });
    }, weight_decay != 0, mom, mom && fresh, mom && nesterov);
  });
}

void adam_kernel(const Tensor& param, const Tensor& grad, const Tensor& exp_avg, const Tensor& exp_avg_sq,
                 const Tensor& max_exp_avg_sq, double step_size, double bc2_sqrt, double lr, double beta1, double beta2,
                 double eps, double weight_decay, bool maximize, bool decoupled) {
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
      parallel_for(0, param.numel(), kOptimGrain, [&](int64_t lo, int64_t hi) {
        adam_range<decltype(wd)::value, decltype(dec)::value, decltype(ams)::value>(p, g, m, v, vmax, lo, hi, s);
      });
    }, weight_decay != 0, decoupled, vmax != nullptr);
  });
}

void adagrad_kernel(const Tensor& param, const Tensor& grad, const Tensor& sum, double clr, double weight_decay,
                    double eps, bool maximize) {
  TL_DISPATCH_FLOATING(param.dtype(), "adagrad", [&] {
    using T = scalar_t;
    const AdagradScalars<T> s{T(maximize ? -1 : 1), T(-clr), T(weight_decay), T(eps)};
    T* p = param.data<T>();
    const T* g = grad.data<T>();
    T* acc = sum.data<T>();
    dispatch_flags([&](auto wd) {
      parallel_for(0, param.numel(), kOptimGrain,
                   [&](int64_t lo, int64_t hi) { adagrad_range<decltype(wd)::value>(p, g, acc, lo, hi, s); });
    }, weight_decay != 0);
  });
}

void rmsprop_kernel(const Tensor& param, const Tensor& grad, const Tensor& square_avg, const Tensor& grad_avg,
                    const Tensor& buf, double lr, double alpha, double eps, double weight_decay, double momentum,
                    bool maximize) {
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
      parallel_for(0, param.numel(), kOptimGrain, [&](int64_t lo, int64_t hi) {
        rmsprop_range<decltype(wd)::value, decltype(ce)::value, decltype(mo)::value>(p, g, sq, ga, b, lo, hi, s);
      });
    }, weight_decay != 0, ga != nullptr, b != nullptr);
  });
}

}  // namespace tl::cpu
