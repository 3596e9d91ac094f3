// Softmax / log_softmax over one dim: x (outer, D, inner) -> y (outer, D, inner), both contiguous.
// Max-subtracted (no overflow on large logits) and fused per row: the row stays in cache across its
// max, exp-sum and scale passes. Rows (inner == 1) are split across threads; for inner > 1 blocks of
// kBlock neighbouring columns are processed together so the inner loops run contiguously. Sums are
// accumulated in acc_type (double for float32) in a fixed order: results do not depend on threads.
#include "softmax.h"
#include <algorithm>
#include <cmath>
#include <limits>
#include "../core/parallel.h"

namespace tl::cpu {

namespace {

constexpr int64_t kBlock = 256;

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
          for (int64_t j = 0; j < jl; ++j) s[j] += static_cast<A>(std::exp(xo[d * g.inner + j] - m[j]));
        T ls[kBlock];
        for (int64_t j = 0; j < jl; ++j) ls[j] = static_cast<T>(std::log(s[j]));
        for (int64_t d = 0; d < g.D; ++d)
          for (int64_t j = 0; j < jl; ++j) yo[d * g.inner + j] = (xo[d * g.inner + j] - m[j]) - ls[j];
      } else {
        for (int64_t d = 0; d < g.D; ++d)
          for (int64_t j = 0; j < jl; ++j) {
            T v = std::exp(xo[d * g.inner + j] - m[j]);
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
          if (log) gi[r + j] = static_cast<T>(go[r + j] - std::exp(y[r + j]) * static_cast<T>(s[j]));
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
