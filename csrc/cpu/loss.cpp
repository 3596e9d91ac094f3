// Fused softmax cross-entropy on the CPU: x (N, C, inner) -> per-row loss, {max, log-sum-exp} per row,
// and the gradient (softmax - target distribution) * scale, without materialising the softmax.
// Forward reads a row once from memory: its max and exp-sum passes run back to back while the row is
// in L1/L2 (C = 1000 floats is 4 KB). Backward reads each row once and writes the gradient once: exp
// lands in the output, the scale and the target correction touch it again in cache.
// The (N, C) layout uses the run-time ISA row kernels (csrc/cpu/isa/vmath.cpp: vector exp at
// AVX2/AVX-512 width); the spatial layout (inner > 1) walks each row at stride `inner` with scalar
// code, no transpose copy.
// Per-row losses and weights are accumulated in double; the batch reduction is a sequential sum in
// row order after the parallel loop, so results do not depend on the thread count.
#include "loss.h"
#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>
#include <vector>
#include "../core/parallel.h"
#include "isa/isa.h"

namespace tl::cpu {

namespace {

template <class T> struct Vec;
template <> struct Vec<float> {
  static double lse(const float* x, int64_t n, float* m) { return isa().ce_lse_f32(x, n, m); }
  static void exp_scale(const float* x, float* y, int64_t n, float m, float s) { isa().ce_exp_scale_f32(x, y, n, m, s); }
};
template <> struct Vec<double> {
  static double lse(const double* x, int64_t n, double* m) { return isa().ce_lse_f64(x, n, m); }
  static void exp_scale(const double* x, double* y, int64_t n, double m, double s) {
    isa().ce_exp_scale_f64(x, y, n, m, s);
  }
};

template <class T>
struct K {
  const T* x;
  const int64_t* ti;  // class indices (rows,)
  const T* tp;        // class probabilities (N, C, inner)
  const T* w;         // (C,) or null
  CrossEntropyArgs a;
  double sumw;  // sum of the weights (C without weights): the label-smoothing term's total
  int64_t base(int64_t r) const { return (r / a.inner) * a.C * a.inner + r % a.inner; }
  double wc(int64_t c) const { return w ? static_cast<double>(w[c]) : 1.0; }
};

// max and sum(exp(x - max)) of one row (st: stride between classes)
template <class T>
void row_stats(const T* xr, int64_t st, int64_t C, T& m, double& s) {
  if (st == 1) {
    s = Vec<T>::lse(xr, C, &m);
    return;
  }
  m = -std::numeric_limits<T>::infinity();
  for (int64_t c = 0; c < C; ++c) m = xr[c * st] > m ? xr[c * st] : m;  // NaN skipped; it poisons s below
  s = 0;
  for (int64_t c = 0; c < C; ++c) s += static_cast<double>(std::exp(xr[c * st] - m));
}

// Keeps the lowest row with an out-of-range target, whatever the thread schedule.
inline void record_bad(std::atomic<int64_t>& bad_row, int64_t r) {
  int64_t cur = bad_row.load();
  while (r < cur && !bad_row.compare_exchange_weak(cur, r)) {}
}

// Loss of row r (double) and its weight in the 'mean' divisor; writes the row's stats. A target out of
// range sets *bad (lowest row wins) and counts as ignored.
template <class T>
double row_forward(const K<T>& k, int64_t r, T* stats, double& wout, std::atomic<int64_t>& bad_row) {
  const int64_t C = k.a.C, st = k.a.inner, b = k.base(r);
  const T* xr = k.x + b;
  T m;
  double s;
  row_stats(xr, st, C, m, s);
  const double ls = std::log(s), md = static_cast<double>(m);
  stats[2 * r] = m;
  stats[2 * r + 1] = static_cast<T>(ls);
  const double eps = k.a.label_smoothing;
  // Losses are formed from (max - x) + log(s): exact differences, no cancellation of large logits.
  if (k.a.prob) {
    const T* tr = k.tp + b;
    double S = 0, acc = 0;
    for (int64_t c = 0; c < C; ++c) {
      double tc = static_cast<double>(tr[c * st]);
      if (eps > 0) tc = tc * (1 - eps) + eps / C;
      const double wt = k.wc(c) * tc;
      S += wt;
      acc += wt * (md - static_cast<double>(xr[c * st]));
    }
    wout = 1;
    return acc + S * ls;
  }
  const int64_t t = k.ti[r];
  wout = 0;
  if (t == k.a.ignore_index) return 0;
  if (t < 0 || t >= C) {
    record_bad(bad_row, r);
    return 0;
  }
  const double wt = k.wc(t);
  wout = wt;
  const double nll = wt * ((md - static_cast<double>(xr[t * st])) + ls);
  if (eps == 0) return nll;
  double sm = 0;
  for (int64_t c = 0; c < C; ++c) sm += k.wc(c) * (md - static_cast<double>(xr[c * st]));
  sm += k.sumw * ls;
  return (1 - eps) * nll + eps / C * sm;
}

// grad row = sc * (p * A - B): p = exp(x - m) / s, B the (smoothed, weighted) target distribution.
template <class T>
void row_backward(const K<T>& k, int64_t r, const T* stats, double sc, T* gi) {
  const int64_t C = k.a.C, st = k.a.inner, b = k.base(r);
  const T* xr = k.x + b;
  T* o = gi + b;
  const double eps = k.a.label_smoothing;
  int64_t t = -1;
  double A;
  if (k.a.prob) {
    const T* tr = k.tp + b;
    double S = 0;
    for (int64_t c = 0; c < C; ++c) S += k.wc(c) * (static_cast<double>(tr[c * st]) * (1 - eps) + eps / C);
    A = sc * S;
  } else {
    t = k.ti[r];
    if (t == k.a.ignore_index || t < 0 || t >= C) {
      for (int64_t c = 0; c < C; ++c) o[c * st] = T(0);
      return;
    }
    A = sc * ((1 - eps) * k.wc(t) + eps / C * k.sumw);
  }
  const T m = stats[2 * r];
  const double inv_s = std::exp(-static_cast<double>(stats[2 * r + 1]));
  if (st == 1) {
    Vec<T>::exp_scale(xr, o, C, m, static_cast<T>(A * inv_s));
  } else {
    const T f = static_cast<T>(A * inv_s);
    for (int64_t c = 0; c < C; ++c) o[c * st] = std::exp(xr[c * st] - m) * f;
  }
  if (k.a.prob) {
    const T* tr = k.tp + b;
    for (int64_t c = 0; c < C; ++c)
      o[c * st] -= static_cast<T>(sc * k.wc(c) * (static_cast<double>(tr[c * st]) * (1 - eps) + eps / C));
    return;
  }
  if (eps > 0) {
    const double e = sc * eps / C;
    for (int64_t c = 0; c < C; ++c) o[c * st] -= static_cast<T>(e * k.wc(c));
  }
  o[t * st] -= static_cast<T>(sc * (1 - eps) * k.wc(t));
}

template <class T>
K<T> make_k(const Tensor& input, const Tensor& target, const Tensor& weight, const CrossEntropyArgs& a) {
  K<T> k{input.data<T>(), nullptr, nullptr, weight.defined() ? weight.data<T>() : nullptr, a, 0.0};
  if (a.prob) k.tp = target.data<T>();
  else k.ti = target.data<int64_t>();
  if (k.w) {
    for (int64_t c = 0; c < a.C; ++c) k.sumw += static_cast<double>(k.w[c]);
  } else {
    k.sumw = static_cast<double>(a.C);
  }
  return k;
}

int64_t grain(int64_t C) { return std::max<int64_t>(1, kGrainSize / std::max<int64_t>(C, 1)); }

}  // namespace

std::optional<int64_t> cross_entropy_forward_kernel(const Tensor& out, const Tensor& stats, const Tensor& total_weight,
                                                    const Tensor& input, const Tensor& target, const Tensor& weight,
                                                    const CrossEntropyArgs& a) {
  std::optional<int64_t> bad;
  TL_DISPATCH_FLOATING(input.dtype(), "cross_entropy", [&] {
    using T = scalar_t;
    const K<T> k = make_k<T>(input, target, weight, a);
    const int64_t rows = a.N * a.inner;
    T* st = stats.data<T>();
    T* o = out.data<T>();
    std::vector<double> loss(a.reduction == 0 ? 0 : rows), wts(rows);
    std::atomic<int64_t> bad_row{std::numeric_limits<int64_t>::max()};
    parallel_for(0, rows, a.C > 0 ? grain(a.C) : kGrainSize, [&](int64_t b, int64_t e) {
      for (int64_t r = b; r < e; ++r) {
        double w = 0, l = 0;  // no classes: loss 0, weight 0 (mean NaN), any class target out of range
        if (a.C > 0) l = row_forward(k, r, st, w, bad_row);
        else if (!a.prob && k.ti[r] != a.ignore_index) record_bad(bad_row, r);
        if (a.reduction == 0) o[r] = static_cast<T>(l);
        else loss[r] = l;
        wts[r] = w;
      }
    });
    if (bad_row.load() != std::numeric_limits<int64_t>::max()) {
      bad = k.ti[bad_row.load()];
      return;
    }
    double W = 0, L = 0;
    for (int64_t r = 0; r < rows; ++r) W += wts[r];
    if (a.reduction != 0) {
      for (int64_t r = 0; r < rows; ++r) L += loss[r];
      o[0] = static_cast<T>(a.reduction == 1 ? L / W : L);  // 0 / 0 = NaN when every target is ignored, as torch
    }
    total_weight.data<T>()[0] = static_cast<T>(W);
  });
  return bad;
}

void cross_entropy_backward_kernel(const Tensor& grad_in, const Tensor& grad_out, const Tensor& input,
                                   const Tensor& target, const Tensor& weight, const Tensor& stats,
                                   const Tensor& total_weight, const CrossEntropyArgs& a) {
  if (grad_in.numel() == 0) return;
  TL_DISPATCH_FLOATING(input.dtype(), "cross_entropy_backward", [&] {
    using T = scalar_t;
    const K<T> k = make_k<T>(input, target, weight, a);
    const T* g = grad_out.data<T>();
    const T* st = stats.data<T>();
    T* gi = grad_in.data<T>();
    const double g0 = a.reduction == 0 ? 0.0 : static_cast<double>(g[0]);
    const double sc0 = a.reduction == 1 ? g0 / static_cast<double>(total_weight.data<T>()[0]) : g0;
    parallel_for(0, a.N * a.inner, grain(a.C), [&](int64_t b, int64_t e) {
      for (int64_t r = b; r < e; ++r) row_backward(k, r, st, a.reduction == 0 ? static_cast<double>(g[r]) : sc0, gi);
    });
  });
}

}  // namespace tl::cpu
