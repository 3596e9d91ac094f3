// Transcendental and softmax/sum row kernels on contiguous float32/float64 runs, compiled once per ISA.
//   unary rows:   x (n,) -> y (n,)          y[i] = f(x[i]); y may be x
//   row_max:      x (n,) -> scalar          NaN skipped (it still reaches the softmax through exp)
//   exp_sum:      x (n,) -> y (n,), scalar  y[i] = exp(x[i] - shift), returns the sum of the y (y may be null)
//   scale:        y (n,) -> y (n,)          y[i] *= s
//   sub2:         x (n,) -> y (n,)          y[i] = (x[i] - a) - b          (log_softmax's last pass)
//   sum_f32:      p (n,) -> double          sum_rows_f32: acc (jl,) += sum over nr rows of p[r*st + j]
// The math is written once on GCC vector extensions, which lower to xmm (generic), ymm (avx2) or zmm
// (avx512). Each element's value depends only on its input (a short tail is padded into a full vector
// and run through the same code), and sums use a fixed lane structure that does not depend on the
// ISA, so results agree across variants up to FMA contraction (a fraction of an ulp) and never
// depend on the thread count.
//
// exp: Cephes' range reduction and polynomial (float32; the same as m::exp_f32 in core/math.h) or a
// degree-12 minimax polynomial (float64), 2^n applied in two halves so that subnormal results are kept;
// overflow gives inf, NaN propagates. log: fdlibm's log(1+f) = f - (f^2/2 - s (f^2/2 + R(s^2))),
// subnormal inputs rescaled, log(0) = -inf, log(<0) = NaN. tanh: x + x^3 P(x^2) below 0.625, else
// 1 - 2 / (exp(2|x|) + 1) with the sign of x. Polynomials fitted with mpmath.chebyfit (relative error
// well under the type's ulp); all within ~1 ulp of glibc.
// No FP traps are ever enabled: lets GCC keep the selects below as vector blends.
#pragma GCC optimize("no-trapping-math")
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <type_traits>
#include "isa.h"
#include "isa_fill.h"
#include "vec.h"

// The 16-lane sum vectors below are wider than a generic/avx2 register; they are passed only between
// inlined helpers of this file, so the ABI note GCC gives for them does not apply.
#pragma GCC diagnostic ignored "-Wpsabi"

namespace tl::cpu::TL_ISA_NS {

namespace {

using vec::vf;
using vec::vd;
using vec::vi32;
using vec::vi64;
constexpr int kVecBytes = vec::kBytes;
typedef uint32_t vu32 __attribute__((vector_size(kVecBytes)));
typedef uint64_t vu64 __attribute__((vector_size(kVecBytes)));

template <class T> struct Tr;
template <> struct Tr<float> {
  using V = vf;
  using I = vi32;  // same lane width: comparison masks and exponent arithmetic
  using U = vu32;
  static constexpr int kMant = 23, kBias = 127;
  static constexpr float kShift = 12582912.0f;  // 1.5 * 2^23: adding it rounds to an integer in the low bits
};
template <> struct Tr<double> {
  using V = vd;
  using I = vi64;
  using U = vu64;
  static constexpr int kMant = 52, kBias = 1023;
  static constexpr double kShift = 6755399441055744.0;  // 1.5 * 2^52
};

template <class To, class From> inline To bits(From f) {
  static_assert(sizeof(To) == sizeof(From));
  To t;
  std::memcpy(&t, &f, sizeof t);
  return t;
}
template <class V, class S> inline V splat(S s) {
  V v;
  for (int i = 0; i < static_cast<int>(sizeof(V) / sizeof(s)); ++i) v[i] = s;
  return v;
}
using vec::loadu;
using vec::storeu;

// The fixed lane structure of the float32 sums, spelled as 16-lane vectors so that every ISA keeps it
// in registers (GCC splits them into 1, 2 or 4 native vectors); as plain arrays the float -> double
// lane adds came out scalar.
typedef float f16v __attribute__((vector_size(64)));
typedef double d16v __attribute__((vector_size(128)));
typedef double d8v __attribute__((vector_size(64)));
// ((0 + q[k]) + q[16 + k]) + ... + q[112 + k]: one block of 128 floats, 8 terms per lane
inline f16v block128(const float* q) {
  f16v s = {};
#pragma GCC unroll 8
  for (int b = 0; b < 128; b += 16) s += loadu<f16v>(q + b);
  return s;
}
inline d16v widen(f16v s) { return __builtin_convertvector(s, d16v); }

// ---- exp ---------------------------------------------------------------------------------------------

template <class T> struct ExpC;
template <> struct ExpC<float> {
  static constexpr float hi = 88.72283905206835f, lo = -103.0f;  // log(FLT_MAX); below lo the result is 0
  static constexpr float log2e = 1.44269504088896341f, ln2hi = 0.693359375f, ln2lo = -2.12194440e-4f;
};
template <> struct ExpC<double> {
  static constexpr double hi = 709.782712893383973096, lo = -746.0;  // log(DBL_MAX); exp(-746) rounds to 0
  static constexpr double log2e = 1.4426950408889634;
  static constexpr double ln2hi = 0.6931467056274414;  // 21 significant bits: n * ln2hi is exact
  static constexpr double ln2lo = 4.74932503903167232121e-7;
};

template <class T> inline typename Tr<T>::V exp_poly(typename Tr<T>::V r) {
  using V = typename Tr<T>::V;
  if constexpr (std::is_same_v<T, float>) {
    V p = splat<V>(1.9875691500e-4f);
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    return p * (r * r) + r + 1.0f;
  } else {
    // (exp(r) - 1 - r) / r^2 on |r| <= 0.3467, minimax degree 10 (error 2e-19 after the r^2)
    V p = splat<V>(2.0914707069612353372e-9);
    p = p * r + 2.51052451539013698547e-8;
    p = p * r + 2.75572735947994131866e-7;
    p = p * r + 2.75572553325544091049e-6;
    p = p * r + 2.48015873255858388769e-5;
    p = p * r + 1.98412698748739750757e-4;
    p = p * r + 1.38888888888837374045e-3;
    p = p * r + 8.33333333332611986197e-3;
    p = p * r + 4.16666666666666697628e-2;
    p = p * r + 1.66666666666666710021e-1;
    p = p * r + 0.5;
    return p * (r * r) + r + 1.0;
  }
}

template <class T> inline typename Tr<T>::V vexp(typename Tr<T>::V x) {
  using V = typename Tr<T>::V;
  using I = typename Tr<T>::I;
  using U = typename Tr<T>::U;
  using C = ExpC<T>;
  const V hi = splat<V>(C::hi), lo = splat<V>(C::lo), shift = splat<V>(Tr<T>::kShift);
  V xc = x > hi ? hi : x;
  xc = xc < lo ? lo : xc;
  const V t = xc * C::log2e + shift;
  const V n = t - shift;
  const I ni = bits<I>(t) - bits<I>(shift);  // n as an integer, no float->int conversion (UB for NaN)
  V r = xc - n * C::ln2hi;
  r = r - n * C::ln2lo;
  const V p = exp_poly<T>(r);
  const I n1 = ni >> 1;
  // unsigned shifts: the exponent of a NaN lane is garbage, and must not be signed overflow
  const V s1 = bits<V>(bits<U>(n1 + Tr<T>::kBias) << Tr<T>::kMant);
  const V s2 = bits<V>(bits<U>(ni - n1 + Tr<T>::kBias) << Tr<T>::kMant);
  V y = p * s1 * s2;
  y = x > hi ? splat<V>(std::numeric_limits<T>::infinity()) : y;
  return x < lo ? splat<V>(T(0)) : y;
}

template <class T> inline typename Tr<T>::V vsigmoid(typename Tr<T>::V x) {
  // exp(-x) overflowing to inf gives exactly 0: no NaN at the extremes (as m::sigmoid)
  return T(1) / (T(1) + vexp<T>(-x));
}

// ---- tanh --------------------------------------------------------------------------------------------

template <class T> inline typename Tr<T>::V vtanh(typename Tr<T>::V x) {
  using V = typename Tr<T>::V;
  using U = typename Tr<T>::U;
  const U sign = bits<U>(splat<V>(T(-0.0)));
  const V ax = bits<V>(bits<U>(x) & ~sign);
  const V z = x * x;
  V p;
  if constexpr (std::is_same_v<T, float>) {  // (tanh(x) - x) / x^3 in z = x^2 <= 0.390625, error 1.6e-9
    p = splat<V>(0.0022927448161781423431f);
    p = p * z - 0.008343945515839152048f;
    p = p * z + 0.021768918651028210152f;
    p = p * z - 0.053959259577204542744f;
    p = p * z + 0.13333303556915741766f;
    p = p * z - 0.33333333172140361638f;
  } else {  // error 3.9e-18
    p = splat<V>(6.48516348279311315e-6);
    p = p * z - 0.000031201101425797400033;
    p = p * z + 0.000092571161295567682707;
    p = p * z - 0.00023759064960555619551;
    p = p * z + 0.0005896606577757043347;
    p = p * z - 0.0014557754120478055104;
    p = p * z + 0.0035921217511549622695;
    p = p * z - 0.008863235103240877925;
    p = p * z + 0.021869488519008305756;
    p = p * z - 0.05396825396789699169;
    p = p * z + 0.13333333333333041602;
    p = p * z - 0.33333333333333332938;
  }
  const V small = x + x * z * p;  // keeps -0 and tiny/subnormal x exact
  const V e = vexp<T>(ax + ax);    // inf for large |x|: 2 / inf = 0 gives exactly 1
  V big = T(1) - T(2) / (e + T(1));
  big = bits<V>(bits<U>(big) | (bits<U>(x) & sign));
  const V y = ax < T(0.625) ? small : big;  // NaN: the exp branch, which propagates it
  return x == T(0) ? x : y;                  // -0: x + x^3 P rounds to +0
}

template <class T> inline typename Tr<T>::V vgelu_tanh(typename Tr<T>::V x) {
  const T k = T(0.79788456080286535588);  // sqrt(2/pi); same expression as m::gelu_tanh
  return T(0.5) * x * (T(1) + vtanh<T>(k * (x + T(0.044715) * x * x * x)));
}

// ---- log ---------------------------------------------------------------------------------------------

template <class T> inline typename Tr<T>::V vlog(typename Tr<T>::V x) {
  using V = typename Tr<T>::V;
  using I = typename Tr<T>::I;
  constexpr int M = Tr<T>::kMant;
  using S = std::remove_reference_t<decltype(I{}[0])>;
  const V tiny = splat<V>(std::numeric_limits<T>::min());
  const auto sub = x < tiny;  // subnormal (or <= 0: handled at the end): scale into the normal range
  const V xs = sub ? x * (static_cast<T>(S(1) << M)) : x;
  const I ib = bits<I>(xs);
  I e = ((ib >> M) & S((S(1) << (8 * sizeof(T) - 1 - M)) - 1)) - Tr<T>::kBias;
  e = sub ? e - M : e;
  V m = bits<V>((ib & ((S(1) << M) - 1)) | bits<I>(splat<V>(T(1))));  // mantissa in [1, 2)
  const auto big = m > T(1.4142135623730951);  // -> [sqrt(1/2), sqrt(2))
  m = big ? m * T(0.5) : m;
  e = big ? e + 1 : e;
  const V shift = splat<V>(Tr<T>::kShift);
  const V ef = bits<V>(bits<I>(shift) + e) - shift;  // int -> float without a conversion instruction
  const V f = m - T(1);
  const V s = f / (T(2) + f);
  const V z = s * s;
  V R;
  if constexpr (std::is_same_v<T, float>) {  // (2 atanh(s) - 2 s) / s^3, error 1.7e-11
    R = splat<V>(0.233305819382418938093f);
    R = R * z + 0.285508165997115486657f;
    R = R * z + 0.400001218769720014899f;
    R = R * z + 0.666666665544516463307f;
  } else {  // error 4.6e-18
    R = splat<V>(0.146165854248886219745);
    R = R * z + 0.153317106182107715692;
    R = R * z + 0.181828894556749460385;
    R = R * z + 0.22222211130259877029;
    R = R * z + 0.285714286260032687416;
    R = R * z + 0.399999999998994432332;
    R = R * z + 0.666666666666666968831;
  }
  R = R * z;
  const V hfsq = T(0.5) * f * f;
  // ln2 = ln2hi + ln2lo with e * ln2hi exact (the split exp uses)
  V y = ef * ExpC<T>::ln2hi - ((hfsq - (s * (hfsq + R) + ef * ExpC<T>::ln2lo)) - f);
  const V inf = splat<V>(std::numeric_limits<T>::infinity());
  y = x < T(0) ? splat<V>(std::numeric_limits<T>::quiet_NaN()) : y;
  y = x == T(0) ? -inf : y;  // both zeros
  y = x == inf ? inf : y;
  return x != x ? x : y;
}

// ---- row drivers ------------------------------------------------------------------------------------

// y[i] = F(x[i]): full vectors, then the tail padded with zeros into one more vector.
template <class T, class F> inline void map_row(const T* x, T* y, int64_t n, const F& f) {
  using V = typename Tr<T>::V;
  constexpr int L = sizeof(V) / sizeof(T);
  int64_t i = 0;
  for (; i + 2 * L <= n; i += 2 * L) {  // two vectors per trip: independent chains for the pipeline
    const V a = loadu<V>(x + i), b = loadu<V>(x + i + L);
    storeu(y + i, f(a));
    storeu(y + i + L, f(b));
  }
  for (; i + L <= n; i += L) storeu(y + i, f(loadu<V>(x + i)));
  if (i < n) {
    T buf[L] = {};
    std::memcpy(buf, x + i, (n - i) * sizeof(T));
    const V r = f(loadu<V>(buf));
    std::memcpy(y + i, &r, (n - i) * sizeof(T));
  }
}

template <class T> void exp_row(const T* x, T* y, int64_t n) { map_row(x, y, n, [](auto v) { return vexp<T>(v); }); }
template <class T> void sigmoid_row(const T* x, T* y, int64_t n) {
  map_row(x, y, n, [](auto v) { return vsigmoid<T>(v); });
}
template <class T> void silu_row(const T* x, T* y, int64_t n) {
  map_row(x, y, n, [](auto v) { return v * vsigmoid<T>(v); });
}
template <class T> void tanh_row(const T* x, T* y, int64_t n) { map_row(x, y, n, [](auto v) { return vtanh<T>(v); }); }
template <class T> void gelu_tanh_row(const T* x, T* y, int64_t n) {
  map_row(x, y, n, [](auto v) { return vgelu_tanh<T>(v); });
}
template <class T> void log_row(const T* x, T* y, int64_t n) { map_row(x, y, n, [](auto v) { return vlog<T>(v); }); }

template <class T> T row_max(const T* x, int64_t n) {
  using V = typename Tr<T>::V;
  constexpr int L = sizeof(V) / sizeof(T);
  const T ninf = -std::numeric_limits<T>::infinity();
  V m0 = splat<V>(ninf), m1 = m0;
  int64_t i = 0;
  for (; i + 2 * L <= n; i += 2 * L) {
    const V a = loadu<V>(x + i), b = loadu<V>(x + i + L);
    m0 = a > m0 ? a : m0;
    m1 = b > m1 ? b : m1;
  }
  T m = ninf;
  for (int k = 0; k < L; ++k) {
    m = m0[k] > m ? m0[k] : m;
    m = m1[k] > m ? m1[k] : m;
  }
  for (; i < n; ++i) m = x[i] > m ? x[i] : m;
  return m;
}

// Sum of y = exp(x - shift) in a lane structure fixed for every ISA. float32: 16 float lanes over blocks
// of 128 (8 terms each), each block's lanes added into 16 double lanes; float64: 8 double lanes.
template <class T> double exp_sum(const T* x, T* y, int64_t n, T shift) {
  using V = typename Tr<T>::V;
  constexpr int L = sizeof(V) / sizeof(T);
  constexpr int B = std::is_same_v<T, float> ? 128 : 64;
  T buf[B];
  std::conditional_t<std::is_same_v<T, float>, d16v, d8v> d = {};
  int64_t i = 0;
  for (; i + B <= n; i += B) {
    T* yb = y ? y + i : buf;
#pragma GCC unroll 2
    for (int b = 0; b < B; b += L) storeu(yb + b, vexp<T>(loadu<V>(x + i + b) - shift));
    if constexpr (std::is_same_v<T, float>) {
      d += widen(block128(yb));
    } else {
#pragma GCC unroll 8
      for (int b = 0; b < B; b += 8) d += loadu<d8v>(yb + b);
    }
  }
  double sum = 0;
  if (i < n) {  // the tail: exp as in the blocks, summed sequentially
    T tmp[B];
    for (int64_t k = i; k < n; ++k) tmp[k - i] = x[k] - shift;
    T* yt = y ? y + i : buf;
    exp_row<T>(tmp, yt, n - i);
    for (int64_t k = 0; k < n - i; ++k) sum += yt[k];
  }
  for (int k = 0; k < static_cast<int>(sizeof(d) / sizeof(double)); ++k) sum += d[k];
  return sum;
}

template <class T> void scale_row(T* y, int64_t n, T s) {
  for (int64_t i = 0; i < n; ++i) y[i] *= s;
}
template <class T> void sub2_row(const T* x, T* y, int64_t n, T a, T b) {
  // (x - a) - b, not x - (a + b): with large logits a + b would round
  for (int64_t i = 0; i < n; ++i) y[i] = (x[i] - a) - b;
}

// float32 sums: 16 float lanes over blocks of 128 elements (8 terms per lane), each block's lanes then
// added into double lanes. As accurate as double accumulation for practical purposes, at float SIMD width.
double sum_f32(const float* p, int64_t n) {
  d16v d = {};
  int64_t i = 0;
  for (; i + 256 <= n; i += 256) {  // two blocks per trip: independent add chains, same order per block
    const f16v a = block128(p + i), b = block128(p + i + 128);
    d += widen(a);
    d += widen(b);
  }
  for (; i + 128 <= n; i += 128) d += widen(block128(p + i));
  double r = 0;
  for (; i < n; ++i) r += p[i];
  double t[16];
  std::memcpy(t, &d, sizeof t);
  for (int w = 8; w > 0; w /= 2)
    for (int k = 0; k < w; ++k) t[k] += t[k + w];
  return t[0] + r;
}

// Columns: acc[j] += sum over nr rows of p[r * st + j], rows added 8 at a time in float, then in double.
void sum_rows_f32(double* acc, const float* p, int64_t st, int64_t nr, int64_t jl) {
  float t[256];
  int64_t r = 0;
  for (; r + 8 <= nr; r += 8) {
    const float* q = p + r * st;
    for (int64_t j = 0; j < jl; ++j) t[j] = q[j];
    for (int k = 1; k < 8; ++k) {
      const float* qk = q + k * st;
      for (int64_t j = 0; j < jl; ++j) t[j] += qk[j];
    }
    for (int64_t j = 0; j < jl; ++j) acc[j] += t[j];
  }
  for (; r < nr; ++r)
    for (int64_t j = 0; j < jl; ++j) acc[j] += p[r * st + j];
}


// ---- cross-entropy row pieces (csrc/cpu/loss.cpp) -------------------------------------------------------
template <int L> struct DVecOf;  // L double lanes (the widening of an L-lane float or double vector)
template <> struct DVecOf<2> { typedef double type __attribute__((vector_size(16))); };
template <> struct DVecOf<4> { typedef double type __attribute__((vector_size(32))); };
template <> struct DVecOf<8> { typedef double type __attribute__((vector_size(64))); };
template <> struct DVecOf<16> { typedef double type __attribute__((vector_size(128))); };
// exp(x) for the terms of a max-shifted sum (x <= 0 or NaN): x is clamped below at lo, where exp is
// still a normal number (and far below the sum's float resolution, as the sum holds exp(0) = 1), so 2^n
// is applied with one integer add to the exponent, and no overflow or subnormal handling is needed.
// About half the instructions of vexp; NaN propagates (the clamp's compare is false for NaN). Zero
// below lo: results under exp(-86) (float) flush to 0 (a softmax entry that small is 0 to any reader;
// -inf logits, i.e. masked classes, give exactly 0 as they should).
template <class T, bool Zero = false> inline typename Tr<T>::V vexp_shifted(typename Tr<T>::V x) {
  using V = typename Tr<T>::V;
  using I = typename Tr<T>::I;
  using U = typename Tr<T>::U;
  using C = ExpC<T>;
  constexpr T lo = std::is_same_v<T, float> ? T(-86) : T(-700);  // n >= -125 / -1010: 2^n p stays normal
  const V shift = splat<V>(Tr<T>::kShift);
  const V xc = x < lo ? splat<V>(lo) : x;
  const V t = xc * C::log2e + shift;
  const V n = t - shift;
  const I ni = bits<I>(t) - bits<I>(shift);
  V r = xc - n * C::ln2hi;
  r = r - n * C::ln2lo;
  const V p = exp_poly<T>(r);
  const V y = bits<V>(bits<U>(p) + (bits<U>(ni) << Tr<T>::kMant));
  if constexpr (Zero) return x < lo ? V{} : y;
  return y;
}

// ce_lse: *m = row max (NaN skipped), returns sum(exp(x - *m)). Two passes over the row, the second
// from L1/L2 (a row of 1000 floats is 4 KB), so memory sees a single read. Sums: float lanes over
// blocks of 8 vectors (4 terms per lane per chain, two chains), each block added into double lanes;
// the tail runs as one more, masked block, so no scalar loop is left.
// (A one-pass online variant, rescaling per-lane sums by an extra exp as the max grows, measured no
// faster: the row is in L1 for the second pass, so the re-read is nearly free, the extra exp is not.)
template <class T> double ce_lse(const T* x, int64_t n, T* mout) {
  using V = typename Tr<T>::V;
  constexpr int L = sizeof(V) / sizeof(T);
  constexpr int K = 8;
  constexpr int B = K * L;
  using DV = typename DVecOf<L>::type;
  const T m = row_max<T>(x, n);
  *mout = m;
  DV d = {};
  auto block = [&](const T* q, int64_t valid) {  // valid < B only for the tail
    V s0 = {}, s1 = {};
#pragma GCC unroll 4
    for (int k = 0; k < K; k += 2) {
      V e0 = vexp_shifted<T>(loadu<V>(q + k * L) - m), e1 = vexp_shifted<T>(loadu<V>(q + (k + 1) * L) - m);
      if (valid < B) {
        using I = typename Tr<T>::I;
        using S = std::remove_reference_t<decltype(I{}[0])>;
        I idx;
        for (int l = 0; l < L; ++l) idx[l] = static_cast<S>(k * L + l);
        const S nv = static_cast<S>(valid);
        e0 = idx < nv ? e0 : V{};
        e1 = idx + S(L) < nv ? e1 : V{};
      }
      s0 += e0;
      s1 += e1;
    }
    d += __builtin_convertvector(s0 + s1, DV);
  };
  int64_t i = 0;
  for (; i + B <= n; i += B) block(x + i, B);
  if (i < n) {
    // padded with the max (exp(0) = 1, then masked to 0): -inf padding would take the exp through a
    // subnormal product, which costs a microcode assist per vector on Intel
    alignas(64) T buf[B];
    for (int k = 0; k < B; ++k) buf[k] = m;
    std::memcpy(buf, x + i, (n - i) * sizeof(T));
    block(buf, n - i);
  }
  double sum = 0;
  for (int k = 0; k < L; ++k) sum += d[k];
  return sum;
}

// ce_exp_scale: y[i] = exp(x[i] - shift) * s (the softmax times the gradient's scale, one pass);
// shift is the row max, so x - shift <= 0 (vexp_shifted, flushing below exp(lo) to 0)
template <class T> void ce_exp_scale(const T* x, T* y, int64_t n, T shift, T s) {
  map_row(x, y, n, [shift, s](auto v) { return vexp_shifted<T, true>(v - shift) * s; });
}
}  // namespace

void fill_vmath(IsaKernels& k) {
  k.unary_f32[int(VecUnary::exp)] = exp_row<float>;
  k.unary_f32[int(VecUnary::sigmoid)] = sigmoid_row<float>;
  k.unary_f32[int(VecUnary::silu)] = silu_row<float>;
  k.unary_f32[int(VecUnary::tanh)] = tanh_row<float>;
  k.unary_f32[int(VecUnary::gelu_tanh)] = gelu_tanh_row<float>;
  k.unary_f32[int(VecUnary::log)] = log_row<float>;
  k.unary_f64[int(VecUnary::exp)] = exp_row<double>;
  k.unary_f64[int(VecUnary::sigmoid)] = sigmoid_row<double>;
  k.unary_f64[int(VecUnary::silu)] = silu_row<double>;
  k.unary_f64[int(VecUnary::tanh)] = tanh_row<double>;
  k.unary_f64[int(VecUnary::gelu_tanh)] = gelu_tanh_row<double>;
  k.unary_f64[int(VecUnary::log)] = log_row<double>;
  k.row_max_f32 = row_max<float>;
  k.row_max_f64 = row_max<double>;
  k.exp_sum_f32 = exp_sum<float>;
  k.exp_sum_f64 = exp_sum<double>;
  k.scale_f32 = scale_row<float>;
  k.scale_f64 = scale_row<double>;
  k.sub2_f32 = sub2_row<float>;
  k.sub2_f64 = sub2_row<double>;
  k.sum_f32 = sum_f32;
  k.sum_rows_f32 = sum_rows_f32;
  k.ce_lse_f32 = ce_lse<float>;
  k.ce_lse_f64 = ce_lse<double>;
  k.ce_exp_scale_f32 = ce_exp_scale<float>;
  k.ce_exp_scale_f64 = ce_exp_scale<double>;
}

}  // namespace tl::cpu::TL_ISA_NS
