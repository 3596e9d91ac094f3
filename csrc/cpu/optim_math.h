// The per-element optimizer updates, shared by csrc/cpu/optim.cpp and csrc/cuda/optim.cu so the two
// devices compute the same expressions. Each mirrors torch's single-tensor implementation step by
// step (grad.add(param, alpha=wd), exp_avg.lerp_, mul_().addcmul_(), sqrt / bc + eps, addcdiv_), with
// the scalars already rounded to T as torch's scalar arguments are; the only difference left is that
// torch's vectorised CPU loops may contract a*b+c into an FMA (a last-bit difference).
// Options that change the expression are template flags, so the CPU loops are branch-free and vectorise;
// `maximize` is a multiplication by -1 (exact, the same bits as torch's negation). dispatch_flags turns
// run-time bools into those flags, in the same way on both devices.
#pragma once
#include <math.h>
#include <type_traits>

#ifdef __CUDACC__
#define TL_OPTIM_HD __host__ __device__ __forceinline__
#else
#define TL_OPTIM_HD inline
#endif

namespace tl::optim_math {

TL_OPTIM_HD float osqrt(float x) { return sqrtf(x); }
TL_OPTIM_HD double osqrt(double x) { return sqrt(x); }

// torch.lerp's formula: the weight picks the form that stays exact at its end of [0, 1].
template <class T>
TL_OPTIM_HD T lerp(T self, T end, T w) {
  return (w < T(0.5) && w > T(-0.5)) ? self + w * (end - self) : end - (end - self) * (T(1) - w);
}

// torch.maximum: NaN wins (a NaN b fails a > b and picks b). One select, so it vectorises.
template <class T>
TL_OPTIM_HD T nan_max(T a, T b) {
  return (a > b || a != a) ? a : b;
}

// f(std::bool_constant<b0>{}, std::bool_constant<b1>{}, ...) for run-time bools b0, b1, ...
template <class F>
inline void dispatch_flags(F&& f) {
  f();
}
template <class F, class... Rest>
inline void dispatch_flags(F&& f, bool b, Rest... rest) {
  if (b)
    dispatch_flags([&](auto... xs) { f(std::true_type{}, xs...); }, rest...);
  else
    dispatch_flags([&](auto... xs) { f(std::false_type{}, xs...); }, rest...);
}

// Scalars of each update, rounded to the parameter dtype once per call.
template <class T>
struct SgdScalars {
  T sign, neg_lr, momentum, one_m_damp, wd;  // sign: -1 when maximizing
};

// MOM: momentum != 0 (buf is read/written); FRESH: torch's first step, the buffer becomes a copy of g.
template <bool WD, bool MOM, bool FRESH, bool NESTEROV, class T>
TL_OPTIM_HD void sgd_update(T& p, T g, T& buf, const SgdScalars<T>& s) {
  g = g * s.sign;
  if (WD) g = g + s.wd * p;
  if (MOM) {
    const T b = FRESH ? g : (buf * s.momentum + s.one_m_damp * g);
    buf = b;
    g = NESTEROV ? g + s.momentum * b : b;
  }
  p = p + s.neg_lr * g;
}

template <class T>
struct AdamScalars {
  T sign, neg_step_size, bc2_sqrt, one_m_beta1, beta2, one_m_beta2, eps, wd, decay;  // decay = 1 - lr * wd
};

// WD: weight_decay != 0; DECOUPLED: AdamW's p *= 1 - lr * wd instead of g += wd * p.
template <bool WD, bool DECOUPLED, bool AMSGRAD, class T>
TL_OPTIM_HD void adam_update(T& p, T g, T& m, T& v, T& vmax, const AdamScalars<T>& s) {
  g = g * s.sign;
  if (WD) {
    if (DECOUPLED) p = p * s.decay;
    else g = g + s.wd * p;
  }
  m = lerp(m, g, s.one_m_beta1);
  v = v * s.beta2 + s.one_m_beta2 * g * g;
  T d = v;
  if (AMSGRAD) {
    d = nan_max(vmax, v);
    vmax = d;
  }
  const T denom = osqrt(d) / s.bc2_sqrt + s.eps;
  p = p + s.neg_step_size * m / denom;
}

template <class T>
struct AdagradScalars {
  T sign, neg_clr, wd, eps;
};

template <bool WD, class T>
TL_OPTIM_HD void adagrad_update(T& p, T g, T& sum, const AdagradScalars<T>& s) {
  g = g * s.sign;
  if (WD) g = g + s.wd * p;
  sum = sum + T(1) * g * g;
  const T std_ = osqrt(sum) + s.eps;
  p = p + s.neg_clr * g / std_;
}

template <class T>
struct RmspropScalars {
  T sign, neg_lr, alpha, one_m_alpha, eps, wd, momentum;
};

// CENTERED: gavg is read/written; MOM: momentum > 0, buf is read/written.
template <bool WD, bool CENTERED, bool MOM, class T>
TL_OPTIM_HD void rmsprop_update(T& p, T g, T& sq, T& gavg, T& buf, const RmspropScalars<T>& s) {
  g = g * s.sign;
  if (WD) g = g + s.wd * p;
  sq = sq * s.alpha + s.one_m_alpha * g * g;
  T avg;
  if (CENTERED) {
    const T ga = lerp(gavg, g, s.one_m_alpha);
    gavg = ga;
    avg = osqrt(sq + T(-1) * ga * ga);
  } else {
    avg = osqrt(sq);
  }
  avg = avg + s.eps;
  if (MOM) {
    const T b = buf * s.momentum + T(1) * g / avg;
    buf = b;
    p = p + s.neg_lr * b;
  } else {
    p = p + s.neg_lr * g / avg;
  }
}

}  // namespace tl::optim_math
