// Softmax / log_softmax over one dim: x (outer, D, inner) -> y (outer, D, inner), both contiguous.
// Max-subtracted (no overflow on large logits) and fused per row: the row stays in cache across its
// max, exp-sum and scale passes. Rows (inner == 1) are split across threads; for inner > 1 blocks of
// kBlock neighbouring columns are processed together so the inner loops run contiguously. Sums are
// accumulated in double in a fixed order: results do not depend on threads. exp and the row passes
// come from the run-time ISA table (csrc/cpu/isa/vmath.cpp), so they run at AVX2/AVX-512 width even
// though this file is compiled for baseline x86-64.
// Only floating-point exception flags are affected (never results): lets the max selects vectorise.
#pragma GCC optimize("no-trapping-math")
#include "softmax.h"
#include <algorithm>
#include <cmath>
#include <limits>
#include <type_traits>
#include "../core/parallel.h"
#include "isa/isa.h"

namespace tl::cpu {

namespace {

constexpr int64_t kBlock = 256;

// The ISA table's row kernels for T.
template <class T> struct Vec;
template <> struct Vec<float> {
  static void exp(const float* x, float* y, int64_t n) { isa().unary_f32[static_cast<int>(VecUnary::exp)](x, y, n); }
  static float max(const float* x, int64_t n) { return isa().row_max_f32(x, n); }
  static double exp_sum(const float* x, float* y, int64_t n, float m) { return isa().exp_sum_f32(x, y, n, m); }
  static void scale(float* y, int64_t n, float s) { isa().scale_f32(y, n, s); }
  static void sub2(const float* x, float* y, int64_t n, float a, float b) { isa().sub2_f32(x, y, n, a, b); }
};
template <> struct Vec<double> {
  static void exp(const double* x, double* y, int64_t n) { isa().unary_f64[static_cast<int>(VecUnary::exp)](x, y, n); }
  static double max(const double* x, int64_t n) { return isa().row_max_f64(x, n); }
  static double exp_sum(const double* x, double* y, int64_t n, double m) { return isa().exp_sum_f64(x, y, n, m); }
  static void scale(double* y, int64_t n, double s) { isa().scale_f64(y, n, s); }
  static void sub2(const double* x, double* y, int64_t n, double a, double b) { isa().sub2_f64(x, y, n, a, b); }
};

struct Geom {
  int64_t outer = 1, D = 1, inner = 1;
};

Geom geom(const Tensor& t, int64_t dim) {
  Geom g;
  if (t.dim() == 0) return g;
  g.D = t.sizes()[dim];
  for (int64_t d = 0; d < dim; ++d) g.outer *= t.sizes()[d];
  for (int64_t d = dim + 1; d < t.dim(); ++d) g.inner *= t.sizes()[d];
  return g;
}

template <class T>
void softmax_rows(const T* x, T* y, int64_t rows, int64_t D, bool log) {
  parallel_for(0, rows, std::max<int64_t>(1, kGrainSize / std::max<int64_t>(D, 1)), [&](int64_t b, int64_t e) {
    for (int64_t r = b; r < e; ++r) {
      const T* xr = x + r * D;
      T* yr = y + r * D;
      // A NaN may be skipped by the max; it still turns the whole row into NaN through exp and the sum.
      const T m = Vec<T>::max(xr, D);
      if (log) {
        // (x - m) - log(s), not x - (m + log(s)): with large logits m + log(s) would round.
        const double s = Vec<T>::exp_sum(xr, nullptr, D, m);
        Vec<T>::sub2(xr, yr, D, m, static_cast<T>(std::log(s)));
      } else {
        const double s = Vec<T>::exp_sum(xr, yr, D, m);
        Vec<T>::scale(yr, D, static_cast<T>(1.0 / s));
      }
    }
  });
}

template <class T>
void softmax_cols(const T* x, T* y, const Geom& g, bool log) {
  const int64_t nb = (g.inner + kBlock - 1) / kBlock;
  const int64_t work = g.D * std::min(g.inner, kBlock);
  parallel_for(0, g.outer * nb, std::max<int64_t>(1, kGrainSize / std::max<int64_t>(work, 1)), [&](int64_t b, int64_t e) {
    T m[kBlock], t[kBlock];
    double s[kBlock];
    for (int64_t it = b; it < e; ++it) {
      const int64_t o = it / nb, j0 = (it % nb) * kBlock, jl = std::min(kBlock, g.inner - j0);
      const T* xo = x + o * g.D * g.inner + j0;
      T* yo = y + o * g.D * g.inner + j0;
      for (int64_t j = 0; j < jl; ++j) { m[j] = -std::numeric_limits<T>::infinity(); s[j] = 0; }
      for (int64_t d = 0; d < g.D; ++d)
        for (int64_t j = 0; j < jl; ++j) m[j] = std::max(m[j], xo[d * g.inner + j]);
      // exp(x - m) one row of the block at a time, into y (softmax) or a scratch row (log_softmax)
      for (int64_t d = 0; d < g.D; ++d) {
        T* ed = log ? t : yo + d * g.inner;
        for (int64_t j = 0; j < jl; ++j) ed[j] = xo[d * g.inner + j] - m[j];
        Vec<T>::exp(ed, ed, jl);
        for (int64_t j = 0; j < jl; ++j) s[j] += static_cast<double>(ed[j]);
      }
      if (log) {
        for (int64_t j = 0; j < jl; ++j) t[j] = static_cast<T>(std::log(s[j]));
        for (int64_t d = 0; d < g.D; ++d)
          for (int64_t j = 0; j < jl; ++j) yo[d * g.inner + j] = (xo[d * g.inner + j] - m[j]) - t[j];
      } else {
        for (int64_t j = 0; j < jl; ++j) m[j] = static_cast<T>(1.0 / s[j]);
        for (int64_t d = 0; d < g.D; ++d)
          for (int64_t j = 0; j < jl; ++j) yo[d * g.inner + j] *= m[j];
      }
    }
  });
}

template <class T>
void backward_impl(T* gi, const T* go, const T* y, const Geom& g, bool log) {
  using A = typename acc_type<T>::type;
  const int64_t nb = (g.inner + kBlock - 1) / kBlock;
  const int64_t work = g.D * std::min(g.inner, kBlock);
  if (g.inner == 1) {  // rows: a dot product then one fused pass
    parallel_for(0, g.outer, std::max<int64_t>(1, kGrainSize / std::max<int64_t>(g.D, 1)), [&](int64_t b, int64_t e) {
      for (int64_t r = b; r < e; ++r) {
        const T* gr = go + r * g.D;
        const T* yr = y + r * g.D;
        T* out = gi + r * g.D;
        A s = 0;
        for (int64_t i = 0; i < g.D; ++i) s += log ? static_cast<A>(gr[i]) : static_cast<A>(gr[i]) * static_cast<A>(yr[i]);
        const T st = static_cast<T>(s);
        if (log) {
          Vec<T>::exp(yr, out, g.D);
          for (int64_t i = 0; i < g.D; ++i) out[i] = gr[i] - out[i] * st;
        } else {
          for (int64_t i = 0; i < g.D; ++i) out[i] = yr[i] * (gr[i] - st);
        }
      }
    });
    return;
  }
  parallel_for(0, g.outer * nb, std::max<int64_t>(1, kGrainSize / std::max<int64_t>(work, 1)), [&](int64_t b, int64_t e) {
    A s[kBlock];
    for (int64_t it = b; it < e; ++it) {
      const int64_t o = it / nb, j0 = (it % nb) * kBlock, jl = std::min(kBlock, g.inner - j0);
      const int64_t base = o * g.D * g.inner + j0;
      for (int64_t j = 0; j < jl; ++j) s[j] = 0;
      for (int64_t d = 0; d < g.D; ++d) {
        const int64_t r = base + d * g.inner;
        for (int64_t j = 0; j < jl; ++j)
          s[j] += log ? static_cast<A>(go[r + j]) : static_cast<A>(go[r + j]) * static_cast<A>(y[r + j]);
      }
      for (int64_t d = 0; d < g.D; ++d) {
        const int64_t r = base + d * g.inner;
        if (log) {
          Vec<T>::exp(y + r, gi + r, jl);
          for (int64_t j = 0; j < jl; ++j) gi[r + j] = go[r + j] - gi[r + j] * static_cast<T>(s[j]);
        } else {
          for (int64_t j = 0; j < jl; ++j) gi[r + j] = y[r + j] * (go[r + j] - static_cast<T>(s[j]));
        }
      }
    }
  });
}

}  // namespace

void softmax_kernel(const Tensor& out, const Tensor& in, int64_t dim, bool log) {
  if (out.numel() == 0) return;
  Geom g = geom(in, dim);
  TL_DISPATCH_FLOATING(in.dtype(), log ? "log_softmax" : "softmax", [&] {
    using T = scalar_t;
    if (g.inner == 1) softmax_rows<T>(in.data<T>(), out.data<T>(), g.outer, g.D, log);
    else softmax_cols<T>(in.data<T>(), out.data<T>(), g, log);
  });
}

void softmax_backward_kernel(const Tensor& grad_in, const Tensor& grad_out, const Tensor& out, int64_t dim, bool log) {
  if (out.numel() == 0) return;
  Geom g = geom(out, dim);
  TL_DISPATCH_FLOATING(out.dtype(), log ? "log_softmax_backward" : "softmax_backward", [&] {
    using T = scalar_t;
    backward_impl<T>(grad_in.data<T>(), grad_out.data<T>(), out.data<T>(), g, log);
  });
}

}  // namespace tl::cpu
