// Softmax / log_softmax over one dim: x (outer, D, inner) -> y (outer, D, inner), both contiguous.
// Max-subtracted (no overflow on large logits) and fused per row: the row stays in cache across its
// max, exp-sum and scale passes. Rows (inner == 1) are split across threads; for inner > 1 blocks of
// kBlock neighbouring columns are processed together so the inner loops run contiguously. Sums are
// accumulated in acc_type (double for float32) in a fixed order: results do not depend on threads.
// Only floating-point exception flags are affected (never results): lets the selects in exp_f32 vectorise.
#pragma GCC optimize("no-trapping-math")
#include "softmax.h"
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>
#include "../core/parallel.h"

namespace tl::cpu {

namespace {

constexpr int64_t kBlock = 256;

inline float vexp(float x) { return exp_f32(x); }
inline double vexp(double x) { return std::exp(x); }

// One float32 row: max, exp and sum (double lanes over float blocks), then scale or shift.
TL_CLONES void softmax_row_f32(const float* x, float* y, int64_t D, bool log) {
  constexpr int L = 16;
  // max in 16-byte GCC vectors: the scalar select loop does not vectorise under IEEE rules. A NaN
  // may be skipped here; it still turns the whole row into NaN through exp and the sum, as in torch.
  typedef float V __attribute__((vector_size(16)));
  V m0 = {-__builtin_inff(), -__builtin_inff(), -__builtin_inff(), -__builtin_inff()}, m1 = m0;
  int64_t i = 0;
  for (; i + 8 <= D; i += 8) {
    V a, b;
    std::memcpy(&a, x + i, sizeof a);
    std::memcpy(&b, x + i + 4, sizeof b);
    m0 = a > m0 ? a : m0;
    m1 = b > m1 ? b : m1;
  }
  float m = -__builtin_inff();
  for (int k = 0; k < 4; ++k) {
    m = m0[k] > m ? m0[k] : m;
    m = m1[k] > m ? m1[k] : m;
  }
  for (; i < D; ++i) m = x[i] > m ? x[i] : m;
  for (i = 0; i < D; ++i) y[i] = exp_f32(x[i] - m);
  double dl[L] = {};
  i = 0;
  for (; i + 8 * L <= D; i += 8 * L) {
    float s[L] = {};
    for (int b = 0; b < 8 * L; b += L)
      for (int k = 0; k < L; ++k) s[k] += y[i + b + k];
    for (int k = 0; k < L; ++k) dl[k] += s[k];
  }
  double sum = 0;
  for (; i < D; ++i) sum += y[i];
  for (int k = 0; k < L; ++k) sum += dl[k];
  if (log) {
    const float ls = static_cast<float>(std::log(sum));
    for (i = 0; i < D; ++i) y[i] = (x[i] - m) - ls;
  } else {
    const float inv = static_cast<float>(1.0 / sum);
    for (i = 0; i < D; ++i) y[i] *= inv;
  }
}

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
  using A = typename acc_type<T>::type;
  parallel_for(0, rows, std::max<int64_t>(1, kGrainSize / std::max<int64_t>(D, 1)), [&](int64_t b, int64_t e) {
    for (int64_t r = b; r < e; ++r) {
      if constexpr (std::is_same_v<T, float>) {
        softmax_row_f32(x + r * D, y + r * D, D, log);
        continue;
      }
      const T* xr = x + r * D;
      T* yr = y + r * D;
      T m = -std::numeric_limits<T>::infinity();
      for (int64_t i = 0; i < D; ++i) m = std::max(m, xr[i]);
      A s = 0;
      if (log) {
        for (int64_t i = 0; i < D; ++i) s += static_cast<A>(std::exp(xr[i] - m));
        // (x - m) - log(s), not x - (m + log(s)): with large logits m + log(s) would round.
        const T ls = static_cast<T>(std::log(s));
        for (int64_t i = 0; i < D; ++i) yr[i] = (xr[i] - m) - ls;
      } else {
        for (int64_t i = 0; i < D; ++i) {
          T v = std::exp(xr[i] - m);
          yr[i] = v;
          s += static_cast<A>(v);
        }
        const T inv = static_cast<T>(A(1) / s);
        for (int64_t i = 0; i < D; ++i) yr[i] *= inv;
      }
    }
  });
}

template <class T>
void softmax_cols(const T* x, T* y, const Geom& g, bool log) {
  using A = typename acc_type<T>::type;
  const int64_t nb = (g.inner + kBlock - 1) / kBlock;
  const int64_t work = g.D * std::min(g.inner, kBlock);
  parallel_for(0, g.outer * nb, std::max<int64_t>(1, kGrainSize / std::max<int64_t>(work, 1)), [&](int64_t b, int64_t e) {
    T m[kBlock];
    A s[kBlock];
    for (int64_t it = b; it < e; ++it) {
      const int64_t o = it / nb, j0 = (it % nb) * kBlock, jl = std::min(kBlock, g.inner - j0);
      const T* xo = x + o * g.D * g.inner + j0;
      T* yo = y + o * g.D * g.inner + j0;
      for (int64_t j = 0; j < jl; ++j) { m[j] = -std::numeric_limits<T>::infinity(); s[j] = 0; }
      for (int64_t d = 0; d < g.D; ++d)
        for (int64_t j = 0; j < jl; ++j) m[j] = std::max(m[j], xo[d * g.inner + j]);
      if (log) {
        for (int64_t d = 0; d < g.D; ++d)
          for (int64_t j = 0; j < jl; ++j) s[j] += static_cast<A>(vexp(xo[d * g.inner + j] - m[j]));
        T ls[kBlock];
        for (int64_t j = 0; j < jl; ++j) ls[j] = static_cast<T>(std::log(s[j]));
        for (int64_t d = 0; d < g.D; ++d)
          for (int64_t j = 0; j < jl; ++j) yo[d * g.inner + j] = (xo[d * g.inner + j] - m[j]) - ls[j];
      } else {
        for (int64_t d = 0; d < g.D; ++d)
          for (int64_t j = 0; j < jl; ++j) {
            T v = vexp(xo[d * g.inner + j] - m[j]);
            yo[d * g.inner + j] = v;
            s[j] += static_cast<A>(v);
          }
        for (int64_t j = 0; j < jl; ++j) m[j] = static_cast<T>(A(1) / s[j]);
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
        if (log)
          for (int64_t i = 0; i < g.D; ++i) out[i] = gr[i] - vexp(yr[i]) * st;
        else
          for (int64_t i = 0; i < g.D; ++i) out[i] = yr[i] * (gr[i] - st);
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
        for (int64_t j = 0; j < jl; ++j) {
          if (log) gi[r + j] = static_cast<T>(go[r + j] - vexp(y[r + j]) * static_cast<T>(s[j]));
          else gi[r + j] = static_cast<T>(y[r + j] * (go[r + j] - static_cast<T>(s[j])));
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
