// Scalar math shared by the elementwise table, compiled for the CPU loops and (csrc/cuda/elementwise*.cu)
// for the device, hence TL_HD. Each is written to be numerically safe at the extremes.
#pragma once
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <type_traits>

#if defined(__CUDACC__)
#define TL_HD __host__ __device__
#else
#define TL_HD
#endif

namespace tl::m {

// Elementwise op parameters (clamp bounds, slopes) arrive as double; host-side conversion to the
// kernel's compute type, shared by the CPU and CUDA kernels. Integral types saturate (NaN -> 0)
// instead of hitting the undefined behaviour of an out-of-range conversion.
template <class T> T op_param(double v) {
  if constexpr (std::is_same_v<T, bool>) return v != 0.0;
  else if constexpr (std::is_integral_v<T>) {
    if (std::isnan(v)) return 0;
    if (v <= static_cast<double>(std::numeric_limits<T>::lowest())) return std::numeric_limits<T>::lowest();
    if (v >= static_cast<double>(std::numeric_limits<T>::max())) return std::numeric_limits<T>::max();
    return static_cast<T>(v);
  } else return static_cast<T>(v);
}

// exp for float32 written branch-free (Cephes' expf: range reduction by ln2, degree-6 polynomial,
// scale by 2^n through the exponent bits) so that loops calling it vectorise; glibc's expf is a scalar
// call that made exp/sigmoid 20-30x slower than torch. ~1 ulp over the normal range, subnormal results
// kept (2^n applied in two halves), overflow gives inf, NaN propagates through the arithmetic.
// Vectorising the selects needs -fno-trapping-math (see csrc/cpu/elementwise.cpp).
TL_HD inline float exp_f32(float x) {
  const float hi = 88.72283905206835f, lo = -103.0f;  // log(FLT_MAX); below lo the result is 0
  float xc = x > hi ? hi : x;
  xc = xc < lo ? lo : xc;
  const float shift = 12582912.0f;  // 1.5 * 2^23: adding it rounds to an integer, kept in the low bits
  float t = xc * 1.44269504088896341f + shift;
  float n = t - shift;
  int32_t ni;
  {
    int32_t tb, sb;
    std::memcpy(&tb, &t, sizeof tb);
    std::memcpy(&sb, &shift, sizeof sb);
    ni = tb - sb;  // n as an integer without a float->int conversion (UB for NaN)
  }
  float r = xc - n * 0.693359375f;  // ln2 split in two for an exact reduction
  r = r - n * -2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * (r * r) + r + 1.0f;
  int32_t n1 = ni >> 1;
  int32_t b1 = (n1 + 127) << 23, b2 = (ni - n1 + 127) << 23;
  float s1, s2;
  std::memcpy(&s1, &b1, sizeof s1);
  std::memcpy(&s2, &b2, sizeof s2);
  float y = p * s1 * s2;
  y = x > hi ? std::numeric_limits<float>::infinity() : y;
  return x < lo ? 0.0f : y;
}
template <class T> TL_HD inline T exp(T x) {
#if defined(__CUDA_ARCH__)
  return std::exp(x);  // the device's expf is branch-free already (and ~1 ulp); no reason to emulate
#else
  if constexpr (std::is_same_v<T, float>) return exp_f32(x);
  else return std::exp(x);
#endif
}
template <class T> TL_HD inline T sigmoid(T x) {
  // exp(-x) overflowing to inf gives exactly 0: no NaN at the extremes, and no branch to block SIMD.
  return T(1) / (T(1) + m::exp(-x));
}
template <class T> TL_HD inline T relu(T x) { return x > T(0) ? x : T(0); }
template <class T> TL_HD inline T sign(T x) {
  if constexpr (std::is_same_v<T, bool>) return x;
  else if constexpr (std::is_unsigned_v<T>) return x > 0 ? T(1) : T(0);
  else return static_cast<T>((T(0) < x) - (x < T(0)));
}
template <class T> TL_HD inline T abs(T x) {
  if constexpr (std::is_same_v<T, bool> || std::is_unsigned_v<T>) return x;
  else return x < T(0) ? -x : x;
}
template <class T> TL_HD inline T gelu(T x) {
  return T(0.5) * x * (T(1) + std::erf(x * T(0.70710678118654752440)));
}
template <class T> TL_HD inline T gelu_tanh(T x) {
  const T k = T(0.79788456080286535588);  // sqrt(2/pi)
  return T(0.5) * x * (T(1) + std::tanh(k * (x + T(0.044715) * x * x * x)));
}
template <class T> TL_HD inline T softplus(T x, T beta, T threshold) {
  // torch: x when beta*x > threshold, else log1p(exp(beta*x))/beta.
  T bx = beta * x;
  return bx > threshold ? x : std::log1p(std::exp(bx)) / beta;
}
template <class T> TL_HD inline T elu(T x, T alpha) { return x > T(0) ? x : alpha * std::expm1(x); }
// celu(x, alpha) = elu with the input scaled by 1/alpha on the negative side.
template <class T> TL_HD inline T celu(T x, T alpha) { return x > T(0) ? x : alpha * std::expm1(x / alpha); }
template <class T> TL_HD inline T selu(T x) {
  return T(1.0507009873554804934193349852946) * elu(x, T(1.6732632423543772848170429916717));
}
template <class T> TL_HD inline T clamp(T x, T lo, T hi) {
  if constexpr (std::is_floating_point_v<T>) {
    if (std::isnan(x)) return x;  // torch propagates NaN through clamp
  }
  // min first, then max: when lo > hi every element becomes hi, as in torch.
  T r = x < lo ? lo : x;
  return r > hi ? hi : r;
}
template <class T> TL_HD inline T rsqrt(T x) { return T(1) / std::sqrt(x); }

template <class T> TL_HD inline T ipow(T base, T exp) {
  // Integer power by squaring. A negative scalar exponent is rejected by the op layer; a negative
  // element of an exponent tensor gives torch's answers: 1 for base 1, +-1 for base -1, else 0.
  if constexpr (std::is_signed_v<T>) {
    if (exp < 0) {
      if (base == 1) return 1;
      if (base == -1) return (exp & 1) ? T(-1) : T(1);
      return 0;
    }
  }
  T r = 1;
  while (exp > 0) {
    if (exp & 1) r = static_cast<T>(r * base);
    base = static_cast<T>(base * base);
    exp >>= 1;
  }
  return r;
}
template <class T> TL_HD inline T pow(T a, T b) {
  if constexpr (std::is_same_v<T, bool>) return a || !b;
  else if constexpr (std::is_integral_v<T>) return ipow(a, b);
  else return std::pow(a, b);
}
template <class T> TL_HD inline T maximum(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    if (std::isnan(a) || std::isnan(b)) return std::numeric_limits<T>::quiet_NaN();
  }
  return a > b ? a : b;
}
template <class T> TL_HD inline T minimum(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    if (std::isnan(a) || std::isnan(b)) return std::numeric_limits<T>::quiet_NaN();
  }
  return a < b ? a : b;
}
// Python semantics: the result has the sign of the divisor.
template <class T> TL_HD inline T remainder(T a, T b) {
  if constexpr (std::is_same_v<T, bool>) return a && !b ? a : false;
  else if constexpr (std::is_floating_point_v<T>) {
    T r = std::fmod(a, b);
    if (r != T(0) && ((r < T(0)) != (b < T(0)))) r += b;
    return r;
  } else if constexpr (std::is_unsigned_v<T>) {
    return a % b;
  } else {
    if (b == T(-1)) return T(0);  // INT_MIN % -1 overflows (SIGFPE on x86); the answer is 0
    T r = a % b;
    if (r != 0 && ((r < 0) != (b < 0))) r += b;
    return r;
  }
}
template <class T> TL_HD inline T floor_divide(T a, T b) {
  if constexpr (std::is_same_v<T, bool>) return a;
  else if constexpr (std::is_floating_point_v<T>) {
    // torch's div_floor: exact quotient from fmod, so that e.g. 1 // 0.1 gives 9 (as Python does),
    // not floor(1 / 0.1) = 10.
    if (b == T(0)) return a / b;
    T mod = std::fmod(a, b);
    T div = (a - mod) / b;
    if (mod != T(0) && ((b < T(0)) != (mod < T(0)))) div -= T(1);
    T fl;
    if (div != T(0)) {
      fl = std::floor(div);
      if (div - fl > T(0.5)) fl += T(1);
    } else {
      fl = std::copysign(T(0), a / b);
    }
    return fl;
  }
  else if constexpr (std::is_unsigned_v<T>) return a / b;
  else {
    // INT_MIN / -1 overflows (SIGFPE on x86); torch wraps it back to INT_MIN
    if (b == T(-1)) return static_cast<T>(T(0) - static_cast<std::make_unsigned_t<T>>(a));
    T q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
    return q;
  }
}
// C's fmod: the result has the sign of the dividend.
template <class T> TL_HD inline T fmod(T a, T b) {
  if constexpr (std::is_same_v<T, bool>) return a;
  else if constexpr (std::is_floating_point_v<T>) return std::fmod(a, b);
  else if constexpr (std::is_signed_v<T>) return b == T(-1) ? T(0) : static_cast<T>(a % b);  // INT_MIN % -1
  else return static_cast<T>(a % b);
}
// fmax/fmin ignore a NaN operand (NaN only when both are).
template <class T> TL_HD inline T fmax(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) return std::fmax(a, b);
  else return a > b ? a : b;
}
template <class T> TL_HD inline T fmin(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) return std::fmin(a, b);
  else return a < b ? a : b;
}
template <class T> TL_HD inline T round_half_even(T x) {
  if constexpr (std::is_floating_point_v<T>) return std::nearbyint(x);
  else return x;
}
template <class T> TL_HD inline T floor(T x) { if constexpr (std::is_floating_point_v<T>) return std::floor(x); else return x; }
template <class T> TL_HD inline T ceil(T x) { if constexpr (std::is_floating_point_v<T>) return std::ceil(x); else return x; }
template <class T> TL_HD inline T trunc(T x) { if constexpr (std::is_floating_point_v<T>) return std::trunc(x); else return x; }
template <class T> TL_HD inline bool isnan(T x) { if constexpr (std::is_floating_point_v<T>) return std::isnan(x); else return false; }
template <class T> TL_HD inline bool isinf(T x) { if constexpr (std::is_floating_point_v<T>) return std::isinf(x); else return false; }
template <class T> TL_HD inline bool isfinite(T x) { if constexpr (std::is_floating_point_v<T>) return std::isfinite(x); else return true; }
template <class T> TL_HD inline T bitwise_not(T x) {
  if constexpr (std::is_same_v<T, bool>) return !x;
  else if constexpr (std::is_integral_v<T>) return static_cast<T>(~x);
  else return x;  // rejected by the op layer
}
template <class T> TL_HD inline T bit_and(T a, T b) { if constexpr (std::is_integral_v<T>) return static_cast<T>(a & b); else return a; }
template <class T> TL_HD inline T bit_or(T a, T b) { if constexpr (std::is_integral_v<T>) return static_cast<T>(a | b); else return a; }
template <class T> TL_HD inline T bit_xor(T a, T b) { if constexpr (std::is_integral_v<T>) return static_cast<T>(a ^ b); else return a; }

// ---- special functions (the review's additions; torch's algorithms, computed in double) ----------------
// erfinv: Giles' single-precision rational start, then two Newton steps on erf (quadratic convergence
// gives full double precision); +-1 -> +-inf, |x| > 1 -> NaN, as torch.
template <class T> TL_HD inline T erfinv(T xt) {
  const double x = static_cast<double>(xt);
  if (std::isnan(x) || x < -1.0 || x > 1.0) return std::numeric_limits<T>::quiet_NaN();
  if (x == 1.0) return std::numeric_limits<T>::infinity();
  if (x == -1.0) return -std::numeric_limits<T>::infinity();
  double w = -std::log((1.0 - x) * (1.0 + x)), p;
  if (w < 5.0) {
    w -= 2.5;
    p = 2.81022636e-08; p = 3.43273939e-07 + p * w; p = -3.5233877e-06 + p * w; p = -4.39150654e-06 + p * w;
    p = 0.00021858087 + p * w; p = -0.00125372503 + p * w; p = -0.00417768164 + p * w; p = 0.246640727 + p * w;
    p = 1.50140941 + p * w;
  } else {
    w = std::sqrt(w) - 3.0;
    p = -0.000200214257; p = 0.000100950558 + p * w; p = 0.00134934322 + p * w; p = -0.00367342844 + p * w;
    p = 0.00573950773 + p * w; p = -0.0076224613 + p * w; p = 0.00943887047 + p * w; p = 1.00167406 + p * w;
    p = 2.83297682 + p * w;
  }
  double y = p * x;
  const double two_over_sqrt_pi = 1.1283791670955126;
  for (int i = 0; i < 2; ++i) y -= (std::erf(y) - x) / (two_over_sqrt_pi * std::exp(-y * y));
  return static_cast<T>(y);
}
// digamma (Cephes psi, as torch): reflection below 0, recurrence up to 10, asymptotic series above;
// 0 -> -inf with the sign of -x, negative integers -> NaN.
template <class T> TL_HD inline T digamma(T xt) {
  double x = static_cast<double>(xt);
  const double pi = 3.14159265358979323846;
  if (x == 0) return static_cast<T>(std::copysign(std::numeric_limits<double>::infinity(), -x));
  if (std::isnan(x)) return xt;
  double result = 0;
  if (x < 0) {
    if (x == std::trunc(x)) return std::numeric_limits<T>::quiet_NaN();
    double q, r = std::modf(x, &q);
    result = -pi / std::tan(pi * r);
    x = 1 - x;
  }
  while (x < 10) { result -= 1 / x; x += 1; }
  if (x == 10) return static_cast<T>(result + 2.25175258906672110764);
  double y = 0;
  if (x < 1.0e17) {
    const double z = 1.0 / (x * x);
    y = z * (8.33333333333333333333E-2 + z * (-8.33333333333333333333E-3 + z * (3.96825396825396825397E-3 +
        z * (-4.16666666666666666667E-3 + z * (7.57575757575757575758E-3 + z * (-2.10927960927960927961E-2 +
        z * 8.33333333333333333333E-2))))));
  }
  return static_cast<T>(result + std::log(x) - 0.5 / x - y);
}
// trigamma (torch's series): the derivative of digamma, for digamma's backward.
template <class T> TL_HD inline T trigamma(T xt) {
  double x = static_cast<double>(xt), sign = 1, result = 0;
  const double pi = 3.14159265358979323846;
  if (x < 0.5) {
    sign = -1;
    const double s = std::sin(pi * x);
    result -= pi * pi / (s * s);
    x = 1 - x;
  }
  for (int i = 0; i < 6; ++i) { result += 1 / (x * x); x += 1; }
  const double ixx = 1 / (x * x);
  result += (1 + 1 / (2 * x) + ixx * (1.0 / 6 - ixx * (1.0 / 30 - ixx * (1.0 / 42)))) / x;
  return static_cast<T>(sign * result);
}
template <class T> TL_HD inline bool signbit(T x) {
  if constexpr (std::is_floating_point_v<T>) return std::signbit(x);
  else if constexpr (std::is_signed_v<T>) return x < 0;
  else return false;
}
template <class T> TL_HD inline bool isposinf(T x) { if constexpr (std::is_floating_point_v<T>) return x == std::numeric_limits<T>::infinity(); else return false; }
template <class T> TL_HD inline bool isneginf(T x) { if constexpr (std::is_floating_point_v<T>) return x == -std::numeric_limits<T>::infinity(); else return false; }
// log(exp(a) + exp(b)) without overflow; equal infinities return themselves (inf - inf would be NaN).
template <class T> TL_HD inline T logaddexp(T a, T b) {
  if (std::isinf(a) && a == b) return a;
  const T m = a > b ? a : b;
  if (std::isnan(a) || std::isnan(b)) return std::numeric_limits<T>::quiet_NaN();
  return m + std::log1p(std::exp(-std::abs(a - b)));
}
template <class T> TL_HD inline T logaddexp2(T a, T b) {
  if (std::isinf(a) && a == b) return a;
  const T m = a > b ? a : b;
  if (std::isnan(a) || std::isnan(b)) return std::numeric_limits<T>::quiet_NaN();
  return m + std::log1p(std::exp2(-std::abs(a - b))) / T(0.693147180559945309417);
}
// x * log(y) with 0 * log(anything but NaN) = 0, as torch.
template <class T> TL_HD inline T xlogy(T x, T y) {
  if (std::isnan(y)) return y;
  if (x == 0) return T(0);
  return x * std::log(y);
}

}  // namespace tl::m
