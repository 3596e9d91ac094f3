// Reduction engine and its ops.
//   in (any shape/strides) -> out (keepdim shape, contiguous); reduced dims are where the sizes differ.
//
// The engine drops size-1 dims, orders the rest by input stride and merges neighbours that are both
// kept or both reduced and contiguous with each other. Then one of two loops runs, chosen by the
// innermost (stride-1) dim, so that memory is always read contiguously and nothing is transposed:
//   A  innermost dim is reduced ("sum over the last dim"): each output element reduces contiguous
//      runs; long rows with few outputs are cut into fixed-size chunks whose partial results are
//      merged left to right.
//   B  innermost dim is kept ("sum over dim 0"): a block of up to kBlock neighbouring outputs is
//      accumulated together while the reduced dims are walked, so the inner loop is a contiguous,
//      vectorisable axpy-like loop; long reductions are cut into fixed row chunks as in A.
// Chunk sizes depend on the shapes only (never on the thread count) and every output element is
// finished by a single thread in a fixed order: the results are bitwise reproducible.
//
// An op is a small struct: acc_t, init(out_index), step(acc, x, index), contig(acc, ptr, n, index0)
// (a fast path for contiguous runs; for floating sums it uses independent lanes), merge(acc, later_acc)
// and write(out_index, acc, count).
// Only floating-point exception flags are affected (never results): lets NaN-aware selects vectorise.
#pragma GCC optimize("no-trapping-math")
#include "reduce.h"
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <type_traits>
#include <vector>
#include "../core/parallel.h"
#include "isa/isa.h"

#pragma GCC diagnostic ignored "-Wbool-operation"
#pragma GCC diagnostic ignored "-Wint-in-bool-context"

namespace tl::cpu {

namespace {

constexpr int64_t kBlock = 256;         // outputs accumulated together in loop B
constexpr int64_t kChunk = 16384;       // elements per partial result when a row is split (loop A)
constexpr int64_t kFewOutputs = 32;     // below this many work items, split the reduction itself
constexpr int kLanes = 8;               // independent accumulators of the contiguous fast paths

struct Dim {
  int64_t size, in_st, out_st;
  bool red;
};

// Multi-index over a list of dims (outer -> inner) tracking input and output element offsets.
struct Counter {
  const std::vector<Dim>& dims;
  std::vector<int64_t> idx;
  int64_t in_off = 0, out_off = 0;
  explicit Counter(const std::vector<Dim>& d) : dims(d), idx(d.size(), 0) {}
  void seek(int64_t flat) {
    in_off = out_off = 0;
    for (int64_t k = static_cast<int64_t>(dims.size()) - 1; k >= 0; --k) {
      idx[k] = flat % dims[k].size;
      flat /= dims[k].size;
      in_off += idx[k] * dims[k].in_st;
      out_off += idx[k] * dims[k].out_st;
    }
  }
  void next() {
    for (int64_t k = static_cast<int64_t>(dims.size()) - 1; k >= 0; --k) {
      const Dim& d = dims[k];
      in_off += d.in_st;
      out_off += d.out_st;
      if (++idx[k] < d.size) return;
      in_off -= d.size * d.in_st;
      out_off -= d.size * d.out_st;
      idx[k] = 0;
    }
  }
};

// Sorted, merged dims; false when the innermost dim is not stride-1 (the caller copies the input).
bool make_dims(const Tensor& out, const Tensor& in, std::vector<Dim>& kept, std::vector<Dim>& red) {
  std::vector<Dim> dims;
  for (int64_t d = 0; d < in.dim(); ++d) {
    if (in.sizes()[d] == 1) continue;
    bool r = out.sizes()[d] != in.sizes()[d];
    dims.push_back({in.sizes()[d], in.strides()[d], r ? 0 : out.strides()[d], r});
  }
  std::stable_sort(dims.begin(), dims.end(), [](const Dim& a, const Dim& b) { return a.in_st > b.in_st; });
  std::vector<Dim> merged;
  for (const Dim& d : dims) {
    if (!merged.empty()) {
      Dim& p = merged.back();
      if (p.red == d.red && p.in_st == d.in_st * d.size && (d.red || p.out_st == d.out_st * d.size)) {
        p.size *= d.size;
        p.in_st = d.in_st;
        p.out_st = d.out_st;
        continue;
      }
    }
    merged.push_back(d);
  }
  if (!merged.empty() && merged.back().in_st != 1) return false;
  kept.clear();
  red.clear();
  for (const Dim& d : merged) (d.red ? red : kept).push_back(d);
  return true;
}

int64_t dims_numel(const std::vector<Dim>& d) {
  int64_t n = 1;
  for (const Dim& x : d) n *= x.size;
  return n;
}

// Reduces flat reduced positions [f0, f1) of one output (loop A: the last reduced dim is contiguous).
template <class Op, class T>
void reduce_range(const Op& op, typename Op::acc_t& acc, const T* base, const std::vector<Dim>& red_rest,
                  int64_t L, int64_t f0, int64_t f1) {
  Counter rc(red_rest);
  rc.seek(f0 / L);
  int64_t off = f0 % L, f = f0;
  while (f < f1) {
    int64_t n = std::min(L - off, f1 - f);
    op.contig(acc, base + rc.in_off + off, n, f);
    f += n;
    off = 0;
    rc.next();
  }
}

template <class Op, class = void> struct has_row_block : std::false_type {};
template <class Op> struct has_row_block<Op, std::void_t<decltype(Op::kRowBlock)>> : std::bool_constant<Op::kRowBlock> {};

template <class Op, class T>
void run_reduce(const Op& op, const Tensor& out, const Tensor& in_arg) {
  const int64_t n_out = out.numel();
  if (n_out == 0) return;
  int64_t n_red = 1;
  for (int64_t d = 0; d < in_arg.dim(); ++d)
    if (out.sizes()[d] != in_arg.sizes()[d]) n_red *= in_arg.sizes()[d];
  using acc_t = typename Op::acc_t;
  if (n_red == 0) {  // reduction over an empty dim: every output is the op's empty value
    parallel_for(0, n_out, kGrainSize, [&](int64_t b, int64_t e) {
      for (int64_t o = b; o < e; ++o) op.write(o, op.init(o), 0);
    });
    return;
  }
  Tensor in = in_arg;
  std::vector<Dim> kept, red;
  if (!make_dims(out, in, kept, red)) {
    in = in_arg.contiguous();
    make_dims(out, in, kept, red);
  }
  const T* x = in.data<T>();
  if (kept.empty() && red.empty()) {  // a single element
    acc_t a = op.init(0);
    op.step(a, x[0], 0);
    op.write(0, a, 1);
    return;
  }

  if (!red.empty() && red.back().in_st == 1 && (kept.empty() || kept.back().in_st != 1)) {
    // ---- loop A: contiguous rows -------------------------------------------------------------------
    const int64_t L = red.back().size;
    std::vector<Dim> red_rest(red.begin(), red.end() - 1);
    if (n_out < kFewOutputs && n_red > 2 * kChunk) {
      const int64_t nch = (n_red + kChunk - 1) / kChunk;
      // not std::vector: vector<bool> has no addressable elements
      std::unique_ptr<acc_t[]> part(new acc_t[n_out * nch]);
      parallel_for(0, n_out * nch, 1, [&](int64_t b, int64_t e) {
        Counter oc(kept);
        for (int64_t it = b; it < e; ++it) {
          int64_t o = it / nch, c = it % nch;
          oc.seek(o);
          acc_t a = op.init(oc.out_off);
          reduce_range(op, a, x + oc.in_off, red_rest, L, c * kChunk, std::min(n_red, (c + 1) * kChunk));
          part[it] = a;
        }
      });
      Counter oc(kept);
      for (int64_t o = 0; o < n_out; ++o, oc.next()) {
        acc_t a = part[o * nch];
        for (int64_t c = 1; c < nch; ++c) op.merge(a, part[o * nch + c]);
        op.write(oc.out_off, a, n_red);
      }
      return;
    }
    const int64_t grain = std::max<int64_t>(1, kGrainSize / n_red);
    parallel_for(0, n_out, grain, [&](int64_t b, int64_t e) {
      Counter oc(kept);
      oc.seek(b);
      for (int64_t o = b; o < e; ++o, oc.next()) {
        acc_t a = op.init(oc.out_off);
        reduce_range(op, a, x + oc.in_off, red_rest, L, 0, n_red);
        op.write(oc.out_off, a, n_red);
      }
    });
    return;
  }

  // ---- loop B: the innermost (stride-1) dim is kept; accumulate blocks of neighbouring outputs ------
  const Dim inner = kept.back();
  std::vector<Dim> outer(kept.begin(), kept.end() - 1);
  const int64_t J = inner.size, oj = inner.out_st;
  const int64_t nb = (J + kBlock - 1) / kBlock;
  const int64_t items = dims_numel(outer) * nb;
  const int64_t jlen = std::min(J, kBlock);
  int64_t rows = n_red, nrch = 1;
  if (items < kFewOutputs && n_red * jlen > 2 * kGrainSize) {
    rows = std::max<int64_t>(1, kGrainSize / jlen);
    nrch = (n_red + rows - 1) / rows;
  }
  // Accumulates reduced rows [r0, r1) of one item into acc[0..jl).
  auto run_item = [&](int64_t item, int64_t r0, int64_t r1, acc_t* acc, int64_t& obase, int64_t& j0, int64_t& jl) {
    Counter oc(outer);
    oc.seek(item / nb);
    j0 = (item % nb) * kBlock;
    jl = std::min(kBlock, J - j0);
    obase = oc.out_off + j0 * oj;
    for (int64_t j = 0; j < jl; ++j) acc[j] = op.init(obase + j * oj);
    const T* base = x + oc.in_off + j0;
    if constexpr (has_row_block<Op>::value) {
      if (red.size() == 1) {
        op.rows(acc, base + r0 * red[0].in_st, red[0].in_st, r1 - r0, jl);
        return;
      }
    }
    Counter rc(red);
    rc.seek(r0);
    for (int64_t r = r0; r < r1; ++r, rc.next()) {
      const T* p = base + rc.in_off;
      for (int64_t j = 0; j < jl; ++j) op.step(acc[j], p[j], r);
    }
  };
  if (nrch == 1) {
    const int64_t grain = std::max<int64_t>(1, kGrainSize / (n_red * jlen));
    parallel_for(0, items, grain, [&](int64_t b, int64_t e) {
      acc_t acc[kBlock];
      for (int64_t it = b; it < e; ++it) {
        int64_t obase, j0, jl;
        run_item(it, 0, n_red, acc, obase, j0, jl);
        for (int64_t j = 0; j < jl; ++j) op.write(obase + j * oj, acc[j], n_red);
      }
    });
    return;
  }
  std::unique_ptr<acc_t[]> part(new acc_t[items * nrch * kBlock]);
  parallel_for(0, items * nrch, 1, [&](int64_t b, int64_t e) {
    for (int64_t w = b; w < e; ++w) {
      int64_t obase, j0, jl, it = w / nrch, c = w % nrch;
      run_item(it, c * rows, std::min(n_red, (c + 1) * rows), &part[w * kBlock], obase, j0, jl);
    }
  });
  for (int64_t it = 0; it < items; ++it) {
    Counter oc(outer);
    oc.seek(it / nb);
    int64_t j0 = (it % nb) * kBlock, jl = std::min(kBlock, J - j0);
    for (int64_t j = 0; j < jl; ++j) {
      acc_t a = part[(it * nrch) * kBlock + j];
      for (int64_t c = 1; c < nrch; ++c) op.merge(a, part[(it * nrch + c) * kBlock + j]);
      op.write(oc.out_off + (j0 + j) * oj, a, n_red);
    }
  }
}

// ---- the ops -------------------------------------------------------------------------------------------

template <class T> using acc_of = typename acc_type<T>::type;

// Sum of f(x) over a contiguous run in kLanes independent accumulators (vectorisable, fixed order).
template <class A, class T, class F>
A lane_sum(const T* p, int64_t n, const F& f) {
  A s[kLanes] = {};
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (int k = 0; k < kLanes; ++k) s[k] += f(p[i + k]);
  for (int k = 0; i < n; ++i, ++k) s[k] += f(p[i]);
  return ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
}

template <class T> inline bool is_nan(T x) {
  if constexpr (std::is_floating_point_v<T>) return x != x;
  else return false;
}
// NaN-propagating max/min, as torch's amax/amin.
template <class T> inline T nan_max(T a, T x) { return (x > a || is_nan(x)) ? x : a; }
template <class T> inline T nan_min(T a, T x) { return (x < a || is_nan(x)) ? x : a; }

// Max/min of a contiguous run. Floating types: 16-byte GCC vectors (SSE2 on any x86-64) with a NaN
// flag per lane, so NaN still wins as in torch; the plain loop does not vectorise under IEEE rules.
template <class T, bool IsMax>
T lane_extreme(T init, const T* p, int64_t n) {
  int64_t i = 0;
  T r = init;
  if constexpr (std::is_floating_point_v<T>) {
    using I = std::conditional_t<sizeof(T) == 4, int32_t, int64_t>;
    typedef T V __attribute__((vector_size(16)));
    typedef I VI __attribute__((vector_size(16)));
    constexpr int W = 16 / sizeof(T);
    V a, b;
    for (int k = 0; k < W; ++k) a[k] = b[k] = init;
    VI nan = {};
    for (; i + 2 * W <= n; i += 2 * W) {
      V x, y;
      std::memcpy(&x, p + i, sizeof x);
      std::memcpy(&y, p + i + W, sizeof y);
      if constexpr (IsMax) { a = x > a ? x : a; b = y > b ? y : b; }
      else { a = x < a ? x : a; b = y < b ? y : b; }
      nan |= (x != x) | (y != y);
    }
    for (int k = 0; k < W; ++k) {
      if (nan[k]) return std::numeric_limits<T>::quiet_NaN();
      r = IsMax ? nan_max(nan_max(r, a[k]), b[k]) : nan_min(nan_min(r, a[k]), b[k]);
    }
  }
  for (; i < n; ++i) r = IsMax ? nan_max(r, p[i]) : nan_min(r, p[i]);
  return r;
}

template <class T>
struct SumOp {
  using acc_t = acc_of<T>;
  T* out;
  bool mean;
  acc_t init(int64_t) const { return acc_t(0); }
  void step(acc_t& a, T x, int64_t) const { a += static_cast<acc_t>(x); }
  void contig(acc_t& a, const T* p, int64_t n, int64_t) const {
    // float32: the ISA table's kernel (16 float lanes over blocks of 128, each block added in double)
    if constexpr (std::is_same_v<T, float>) a += isa().sum_f32(p, n);
    else a += lane_sum<acc_t>(p, n, [](T v) { return static_cast<acc_t>(v); });
  }
  static constexpr bool kRowBlock = std::is_same_v<T, float>;
  void rows(acc_t* acc, const T* p, int64_t st, int64_t nr, int64_t jl) const {
    if constexpr (std::is_same_v<T, float>) isa().sum_rows_f32(acc, p, st, nr, jl);
  }
  void merge(acc_t& a, const acc_t& b) const { a += b; }
  void write(int64_t o, const acc_t& a, int64_t n) const {
    out[o] = mean ? static_cast<T>(a / static_cast<acc_t>(n)) : static_cast<T>(a);
  }
};

template <class T>
struct ProdOp {
  using acc_t = acc_of<T>;
  T* out;
  acc_t init(int64_t) const { return acc_t(1); }
  void step(acc_t& a, T x, int64_t) const { a *= static_cast<acc_t>(x); }
  void contig(acc_t& a, const T* p, int64_t n, int64_t) const {
    for (int64_t i = 0; i < n; ++i) a *= static_cast<acc_t>(p[i]);
  }
  void merge(acc_t& a, const acc_t& b) const { a *= b; }
  void write(int64_t o, const acc_t& a, int64_t) const { out[o] = static_cast<T>(a); }
};

template <class T, bool IsMax>
struct ExtremeOp {
  using acc_t = T;
  T* out;
  static T start() {
    if constexpr (std::is_same_v<T, bool>) return !IsMax;
    else if constexpr (std::is_floating_point_v<T>)
      return IsMax ? -std::numeric_limits<T>::infinity() : std::numeric_limits<T>::infinity();
    else return IsMax ? std::numeric_limits<T>::lowest() : std::numeric_limits<T>::max();
  }
  acc_t init(int64_t) const { return start(); }
  void step(acc_t& a, T x, int64_t) const { a = IsMax ? nan_max(a, x) : nan_min(a, x); }
  void contig(acc_t& a, const T* p, int64_t n, int64_t) const { step(a, lane_extreme<T, IsMax>(start(), p, n), 0); }
  void merge(acc_t& a, const acc_t& b) const { step(a, b, 0); }
  void write(int64_t o, const acc_t& a, int64_t) const { out[o] = a; }
};

template <class T, bool IsAll>
struct AllAnyOp {
  using acc_t = bool;
  bool* out;
  acc_t init(int64_t) const { return IsAll; }
  void step(acc_t& a, T x, int64_t) const { a = IsAll ? (a && x != T(0)) : (a || x != T(0)); }
  void contig(acc_t& a, const T* p, int64_t n, int64_t) const {
    bool r = IsAll;
    for (int64_t i = 0; i < n; ++i) r = IsAll ? (r & (p[i] != T(0))) : (r | (p[i] != T(0)));
    step(a, static_cast<T>(r), 0);
  }
  void merge(acc_t& a, const acc_t& b) const { a = IsAll ? (a && b) : (a || b); }
  void write(int64_t o, const acc_t& a, int64_t) const { out[o] = a; }
};

// Vector norms: 0 counts non-zeros, 1 and 2 and p sum |x|^p, inf/-inf take max/min |x|.
enum class NormKind { Zero, One, Two, Inf, NegInf, P };

template <class T, NormKind K>
struct NormOp {
  using acc_t = acc_of<T>;
  T* out;
  acc_t p;
  acc_t init(int64_t) const {
    if constexpr (K == NormKind::Inf) return acc_t(0);
    else if constexpr (K == NormKind::NegInf) return std::numeric_limits<acc_t>::infinity();
    else return acc_t(0);
  }
  acc_t f(T v) const {
    acc_t a = std::abs(static_cast<acc_t>(v));
    if constexpr (K == NormKind::Zero) return static_cast<acc_t>(v != T(0));
    else if constexpr (K == NormKind::Two) return a * a;
    else if constexpr (K == NormKind::P) return std::pow(a, p);
    else return a;
  }
  void step(acc_t& a, T x, int64_t) const {
    if constexpr (K == NormKind::Inf) a = nan_max(a, f(x));
    else if constexpr (K == NormKind::NegInf) a = nan_min(a, f(x));
    else a += f(x);
  }
  void contig(acc_t& a, const T* q, int64_t n, int64_t) const {
    if constexpr (K == NormKind::Inf || K == NormKind::NegInf) {
      for (int64_t i = 0; i < n; ++i) step(a, q[i], 0);
    } else if constexpr (K == NormKind::P) {
      for (int64_t i = 0; i < n; ++i) a += f(q[i]);
    } else {
      a += lane_sum<acc_t>(q, n, [this](T v) { return f(v); });
    }
  }
  void merge(acc_t& a, const acc_t& b) const {
    if constexpr (K == NormKind::Inf) a = nan_max(a, b);
    else if constexpr (K == NormKind::NegInf) a = nan_min(a, b);
    else a += b;
  }
  void write(int64_t o, const acc_t& a, int64_t) const {
    if constexpr (K == NormKind::Two) out[o] = static_cast<T>(std::sqrt(a));
    else if constexpr (K == NormKind::P) out[o] = static_cast<T>(std::pow(a, acc_t(1) / p));
    else out[o] = static_cast<T>(a);
  }
};

// Two-pass variance: the first pass (the op layer's mean) gives a shift per output, this pass sums
// d = x - shift and d^2. The d-sum corrects for the rounding of the shift, so the result is as good
// as an exact-mean two-pass variance.
template <class T>
struct VarOp {
  using A = acc_of<T>;
  struct acc_t { A s1, s2, shift; };
  T* out;
  const T* mean;
  double correction;
  bool take_sqrt;
  acc_t init(int64_t o) const { return {A(0), A(0), mean ? static_cast<A>(mean[o]) : A(0)}; }
  void step(acc_t& a, T x, int64_t) const {
    A d = static_cast<A>(x) - a.shift;
    a.s1 += d;
    a.s2 += d * d;
  }
  void contig(acc_t& a, const T* p, int64_t n, int64_t) const {
    const A sh = a.shift;
    a.s1 += lane_sum<A>(p, n, [sh](T v) { return static_cast<A>(v) - sh; });
    a.s2 += lane_sum<A>(p, n, [sh](T v) { A d = static_cast<A>(v) - sh; return d * d; });
  }
  void merge(acc_t& a, const acc_t& b) const { a.s1 += b.s1; a.s2 += b.s2; }
  void write(int64_t o, const acc_t& a, int64_t n) const {
    A m2 = a.s2 - a.s1 * a.s1 / static_cast<A>(n);
    if (m2 < A(0)) m2 = A(0);
    A dof = std::max(A(0), static_cast<A>(n) - static_cast<A>(correction));
    A v = m2 / dof;
    out[o] = static_cast<T>(take_sqrt ? std::sqrt(v) : v);
  }
};

// log(sum(exp(x - m))) + m with m the max (0 where it is infinite, as torch): param holds m.
template <class T>
struct LogSumExpOp {
  using A = acc_of<T>;
  struct acc_t { A s; T m; };
  T* out;
  const T* shift;
  acc_t init(int64_t o) const { return {A(0), shift ? shift[o] : T(0)}; }
  void step(acc_t& a, T x, int64_t) const { a.s += static_cast<A>(std::exp(x - a.m)); }
  void contig(acc_t& a, const T* p, int64_t n, int64_t) const {
    const T m = a.m;
    if constexpr (std::is_same_v<T, float>) a.s += isa().exp_sum_f32(p, nullptr, n, m);
    else a.s += isa().exp_sum_f64(p, nullptr, n, m);
  }
  void merge(acc_t& a, const acc_t& b) const { a.s += b.s; }
  void write(int64_t o, const acc_t& a, int64_t) const {
    out[o] = static_cast<T>(std::log(a.s) + static_cast<A>(a.m));
  }
};

template <class T, bool IsMax>
struct ArgOp {
  struct acc_t { T v; int64_t i; };
  T* values;
  int64_t* indices;
  static bool better(T x, T v) {
    if constexpr (std::is_floating_point_v<T>)
      return (IsMax ? x > v : x < v) || (x != x && v == v);
    else return IsMax ? x > v : x < v;
  }
  acc_t init(int64_t) const { return {T(0), -1}; }
  void step(acc_t& a, T x, int64_t i) const {
    if (a.i < 0 || better(x, a.v)) { a.v = x; a.i = i; }
  }
  void contig(acc_t& a, const T* p, int64_t n, int64_t i0) const {
    int64_t k = 0;
    if (a.i < 0 && n > 0) { a.v = p[0]; a.i = i0; k = 1; }
    T v = a.v;
    int64_t bi = a.i;
    for (; k < n; ++k)
      if (better(p[k], v)) { v = p[k]; bi = i0 + k; }
    a.v = v;
    a.i = bi;
  }
  void merge(acc_t& a, const acc_t& b) const {
    if (b.i >= 0 && (a.i < 0 || better(b.v, a.v))) a = b;
  }
  void write(int64_t o, const acc_t& a, int64_t) const {
    if (values) values[o] = a.v;
    indices[o] = a.i;
  }
};

template <class T, NormKind K>
void run_norm(const Tensor& out, const Tensor& in, double p) {
  run_reduce<NormOp<T, K>, T>(NormOp<T, K>{out.data<T>(), static_cast<acc_of<T>>(p)}, out, in);
}

}  // namespace

void reduce_kernel(ReduceOp op, const Tensor& out, const Tensor& in, double p, const Tensor* param) {
  TL_DISPATCH_ALL(in.dtype(), "reduce", [&] {
    using T = scalar_t;
    switch (op) {
      case ReduceOp::All:
        return run_reduce<AllAnyOp<T, true>, T>({out.data<bool>()}, out, in);
      case ReduceOp::Any:
        return run_reduce<AllAnyOp<T, false>, T>({out.data<bool>()}, out, in);
      case ReduceOp::Max:
        return run_reduce<ExtremeOp<T, true>, T>({out.data<T>()}, out, in);
      case ReduceOp::Min:
        return run_reduce<ExtremeOp<T, false>, T>({out.data<T>()}, out, in);
      default: break;
    }
    if constexpr (std::is_same_v<T, bool>) {
      TL_THROW(Runtime, "reduce: not implemented for 'Bool'");
    } else {
      switch (op) {
        case ReduceOp::Sum:
          return run_reduce<SumOp<T>, T>({out.data<T>(), false}, out, in);
        case ReduceOp::Mean:
          return run_reduce<SumOp<T>, T>({out.data<T>(), true}, out, in);
        case ReduceOp::Prod:
          return run_reduce<ProdOp<T>, T>({out.data<T>()}, out, in);
        default: break;
      }
      if constexpr (!std::is_floating_point_v<T>) {
        TL_THROW(Runtime, "reduce: not implemented for '", dtype_torch_name(in.dtype()), "'");
      } else {
        switch (op) {
          case ReduceOp::Norm0: return run_norm<T, NormKind::Zero>(out, in, p);
          case ReduceOp::Norm1: return run_norm<T, NormKind::One>(out, in, p);
          case ReduceOp::Norm2: return run_norm<T, NormKind::Two>(out, in, p);
          case ReduceOp::NormInf: return run_norm<T, NormKind::Inf>(out, in, p);
          case ReduceOp::NormNegInf: return run_norm<T, NormKind::NegInf>(out, in, p);
          case ReduceOp::NormP: return run_norm<T, NormKind::P>(out, in, p);
          case ReduceOp::Var:
          case ReduceOp::Std:
            return run_reduce<VarOp<T>, T>(
                {out.data<T>(), param ? param->data<T>() : nullptr, p, op == ReduceOp::Std}, out, in);
          case ReduceOp::LogSumExp:
            return run_reduce<LogSumExpOp<T>, T>({out.data<T>(), param ? param->data<T>() : nullptr}, out, in);
          default: TL_THROW(Runtime, "reduce: unknown op");
        }
      }
    }
  });
}

void arg_reduce_kernel(ArgReduceOp op, const Tensor* values, const Tensor& indices, const Tensor& in) {
  TL_DISPATCH_ALL(in.dtype(), "argmax", [&] {
    using T = scalar_t;
    T* v = values ? values->data<T>() : nullptr;
    if (op == ArgReduceOp::Max)
      run_reduce<ArgOp<T, true>, T>({v, indices.data<int64_t>()}, indices, in);
    else
      run_reduce<ArgOp<T, false>, T>({v, indices.data<int64_t>()}, indices, in);
  });
}

// ---- cumsum: out (outer, D, inner) = running sums of in along D, accumulated in acc_type -------------

void cumsum_kernel(const Tensor& out, const Tensor& in, int64_t dim, bool reverse) {
  if (out.numel() == 0) return;
  int64_t outer = 1, inner = 1, D = in.dim() == 0 ? 1 : in.sizes()[dim];
  for (int64_t d = 0; d < dim; ++d) outer *= in.sizes()[d];
  for (int64_t d = dim + 1; d < in.dim(); ++d) inner *= in.sizes()[d];
  TL_DISPATCH_ALL(in.dtype(), "cumsum", [&] {
    using T = scalar_t;
    if constexpr (std::is_same_v<T, bool>) {
      TL_THROW(Runtime, "cumsum: not implemented for 'Bool'");
    } else {
      using A = acc_of<T>;
      const T* x = in.data<T>();
      T* y = out.data<T>();
      const int64_t step = reverse ? -inner : inner;
      const int64_t first = reverse ? (D - 1) * inner : 0;
      if (inner == 1) {
        parallel_for(0, outer, std::max<int64_t>(1, kGrainSize / D), [&](int64_t b, int64_t e) {
          for (int64_t o = b; o < e; ++o) {
            const T* xp = x + o * D + first;
            T* yp = y + o * D + first;
            A s = 0;
            for (int64_t d = 0; d < D; ++d, xp += step, yp += step) {
              s += static_cast<A>(*xp);
              *yp = static_cast<T>(s);
            }
          }
        });
        return;
      }
      const int64_t nb = (inner + kBlock - 1) / kBlock;
      parallel_for(0, outer * nb, std::max<int64_t>(1, kGrainSize / (D * std::min(inner, kBlock))),
                   [&](int64_t b, int64_t e) {
                     A s[kBlock];
                     for (int64_t it = b; it < e; ++it) {
                       int64_t o = it / nb, j0 = (it % nb) * kBlock, jl = std::min(kBlock, inner - j0);
                       const T* xp = x + o * D * inner + first + j0;
                       T* yp = y + o * D * inner + first + j0;
                       for (int64_t j = 0; j < jl; ++j) s[j] = 0;
                       for (int64_t d = 0; d < D; ++d, xp += step, yp += step)
                         for (int64_t j = 0; j < jl; ++j) {
                           s[j] += static_cast<A>(xp[j]);
                           yp[j] = static_cast<T>(s[j]);
                         }
                     }
                   });
    }
  });
}

// ---- scans: cumprod, cummax/cummin (+ indices), logcumsumexp --------------------------------------------
// out (outer, D, inner) from in (same shape), both contiguous. One thread owns a block of up to kBlock
// neighbouring columns and walks D in order, so results do not depend on the thread count.
// cummax/cummin follow torch: a later equal value takes the index (>=), and NaN, once seen, sticks.
void scan_kernel(ScanOp op, const Tensor& out, const Tensor* indices, const Tensor& in, int64_t dim) {
  if (out.numel() == 0) return;
  int64_t outer = 1, inner = 1, D = in.dim() == 0 ? 1 : in.sizes()[dim];
  for (int64_t d = 0; d < dim; ++d) outer *= in.sizes()[d];
  for (int64_t d = dim + 1; d < in.dim(); ++d) inner *= in.sizes()[d];
  const int64_t nb = (inner + kBlock - 1) / kBlock;
  const int64_t grain = std::max<int64_t>(1, kGrainSize / (D * std::min(inner, kBlock)));
  TL_DISPATCH_ALL(in.dtype(), "scan", [&] {
    using T = scalar_t;
    using A = acc_of<T>;
    const T* x = in.data<T>();
    T* y = out.data<T>();
    int64_t* ix = indices ? indices->data<int64_t>() : nullptr;
    parallel_for(0, outer * nb, grain, [&](int64_t b, int64_t e) {
      A acc[kBlock];
      T best[kBlock];
      int64_t bi[kBlock];
      for (int64_t it = b; it < e; ++it) {
        const int64_t o = it / nb, j0 = (it % nb) * kBlock, jl = std::min(kBlock, inner - j0);
        const int64_t base = o * D * inner + j0;
        for (int64_t d = 0; d < D; ++d) {
          const T* xp = x + base + d * inner;
          T* yp = y + base + d * inner;
          switch (op) {
            case ScanOp::Prod:
              for (int64_t j = 0; j < jl; ++j) {
                acc[j] = d == 0 ? static_cast<A>(xp[j]) : static_cast<A>(acc[j] * static_cast<A>(xp[j]));
                yp[j] = static_cast<T>(acc[j]);
              }
              break;
            case ScanOp::Max:
            case ScanOp::Min: {
              const bool mx = op == ScanOp::Max;
              int64_t* ip = ix + base + d * inner;
              for (int64_t j = 0; j < jl; ++j) {
                const T v = xp[j];
                bool take = d == 0;
                if (!take) {
                  if constexpr (std::is_floating_point_v<T>)
                    take = std::isnan(v) || (!std::isnan(best[j]) && (mx ? v >= best[j] : v <= best[j]));
                  else
                    take = mx ? v >= best[j] : v <= best[j];
                }
                if (take) { best[j] = v; bi[j] = d; }
                yp[j] = best[j];
                ip[j] = bi[j];
              }
              break;
            }
            case ScanOp::LogSumExp:
              if constexpr (std::is_floating_point_v<T>) {
                for (int64_t j = 0; j < jl; ++j) {
                  const A v = static_cast<A>(xp[j]);
                  if (d == 0) {
                    acc[j] = v;
                  } else {
                    const A a = acc[j];
                    if (std::isnan(a) || std::isnan(v)) acc[j] = std::numeric_limits<A>::quiet_NaN();
                    else if (std::isinf(a) && a == v) acc[j] = a;
                    else {
                      const A m = a > v ? a : v;
                      acc[j] = m + std::log1p(std::exp(-std::abs(a - v)));
                    }
                  }
                  yp[j] = static_cast<T>(acc[j]);
                }
              }
              break;
          }
        }
      }
    });
  });
}

}  // namespace tl::cpu
