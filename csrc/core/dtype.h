// Scalar types. The enum order is the promotion lattice: for the types we have (no int8), torch's
// promotion of two dtypes is simply the larger one.
#pragma once
#include <cstdint>
#include <cstddef>
#include <type_traits>
#include "check.h"

namespace tl {

enum class DType : int8_t { Bool = 0, UInt8 = 1, Int32 = 2, Int64 = 3, Float32 = 4, Float64 = 5 };
constexpr int kNumDTypes = 6;

inline size_t itemsize(DType t) {
  switch (t) {
    case DType::Bool: case DType::UInt8: return 1;
    case DType::Int32: case DType::Float32: return 4;
    case DType::Int64: case DType::Float64: return 8;
  }
  return 0;
}

inline const char* dtype_name(DType t) {
  switch (t) {
    case DType::Bool: return "bool";
    case DType::UInt8: return "uint8";
    case DType::Int32: return "int32";
    case DType::Int64: return "int64";
    case DType::Float32: return "float32";
    case DType::Float64: return "float64";
  }
  return "?";
}

// torch's names in error messages ("Float", "Long", ...).
inline const char* dtype_torch_name(DType t) {
  switch (t) {
    case DType::Bool: return "Bool";
    case DType::UInt8: return "Byte";
    case DType::Int32: return "Int";
    case DType::Int64: return "Long";
    case DType::Float32: return "Float";
    case DType::Float64: return "Double";
  }
  return "?";
}

// torch.get_default_dtype(): what Python floats, integer true division and int -> float math give.
DType default_float_dtype();
void set_default_float_dtype(DType t);

inline bool is_floating(DType t) { return t == DType::Float32 || t == DType::Float64; }
inline bool is_integral(DType t, bool include_bool) {
  return t == DType::UInt8 || t == DType::Int32 || t == DType::Int64 || (include_bool && t == DType::Bool);
}
inline DType promote(DType a, DType b) { return a > b ? a : b; }

template <class T> struct dtype_of;
template <> struct dtype_of<bool> { static constexpr DType value = DType::Bool; };
template <> struct dtype_of<uint8_t> { static constexpr DType value = DType::UInt8; };
template <> struct dtype_of<int32_t> { static constexpr DType value = DType::Int32; };
template <> struct dtype_of<int64_t> { static constexpr DType value = DType::Int64; };
template <> struct dtype_of<float> { static constexpr DType value = DType::Float32; };
template <> struct dtype_of<double> { static constexpr DType value = DType::Float64; };

// Accumulation type of reductions: double for float32 keeps long sums accurate (DESIGN section 4).
template <class T> struct acc_type { using type = T; };
template <> struct acc_type<float> { using type = double; };
template <> struct acc_type<bool> { using type = int64_t; };
template <> struct acc_type<uint8_t> { using type = int64_t; };
template <> struct acc_type<int32_t> { using type = int64_t; };

// Floating -> integer as torch does on x86, without C++'s undefined behaviour for NaN, inf or values
// out of range: int32 goes direct (out of range -> INT32_MIN, like cvttss2si), every other integer type
// through int64 (out of range -> INT64_MIN), so -1.0 -> 255 for uint8 wraps as in torch.
template <class To, class F>
constexpr To float_to_int(F v) {
  static_assert(std::is_integral_v<To> && std::is_floating_point_v<F>);
  if constexpr (std::is_same_v<To, int32_t>) {
    if (!(v >= F(-2147483648.0) && v < F(2147483648.0))) return INT32_MIN;
    return static_cast<int32_t>(v);
  } else {
    if (!(v >= F(-9223372036854775808.0) && v < F(9223372036854775808.0))) return static_cast<To>(INT64_MIN);
    return static_cast<To>(static_cast<int64_t>(v));
  }
}

// Kernels that only move elements need their width, not their type: f(tag) with tag an unsigned
// integer of the element's size (1/4/8 bytes), which keeps template instantiations few.
template <class F>
void dispatch_width(size_t isz, const F& f) {
  switch (isz) {
    case 1: f(uint8_t{}); return;
    case 4: f(uint32_t{}); return;
    case 8: f(uint64_t{}); return;
    default: TL_THROW(Runtime, "unsupported element size ", isz);
  }
}

}  // namespace tl

// Dispatch a lambda on a runtime dtype: inside it `scalar_t` is the C++ type.
//   TL_DISPATCH_ALL(t.dtype(), "add", [&] { kernel<scalar_t>(...); });
#define TL_DISPATCH_CASE_(ENUM, TYPE, ...) \
  case ::tl::DType::ENUM: { using scalar_t = TYPE; return __VA_ARGS__(); }
#define TL_DISPATCH_FAIL_(DT, NAME) \
  default: TL_THROW(Runtime, NAME, ": not implemented for '", ::tl::dtype_torch_name(DT), "'");

#define TL_DISPATCH_ALL(DT, NAME, ...)                       \
  [&] {                                                       \
    switch (DT) {                                             \
      TL_DISPATCH_CASE_(Bool, bool, __VA_ARGS__)              \
      TL_DISPATCH_CASE_(UInt8, uint8_t, __VA_ARGS__)          \
      TL_DISPATCH_CASE_(Int32, int32_t, __VA_ARGS__)          \
      TL_DISPATCH_CASE_(Int64, int64_t, __VA_ARGS__)          \
      TL_DISPATCH_CASE_(Float32, float, __VA_ARGS__)          \
      TL_DISPATCH_CASE_(Float64, double, __VA_ARGS__)         \
      TL_DISPATCH_FAIL_(DT, NAME)                             \
    }                                                         \
  }()

#define TL_DISPATCH_NUMERIC(DT, NAME, ...)                   \
  [&] {                                                       \
    switch (DT) {                                             \
      TL_DISPATCH_CASE_(UInt8, uint8_t, __VA_ARGS__)          \
      TL_DISPATCH_CASE_(Int32, int32_t, __VA_ARGS__)          \
      TL_DISPATCH_CASE_(Int64, int64_t, __VA_ARGS__)          \
      TL_DISPATCH_CASE_(Float32, float, __VA_ARGS__)          \
      TL_DISPATCH_CASE_(Float64, double, __VA_ARGS__)         \
      TL_DISPATCH_FAIL_(DT, NAME)                             \
    }                                                         \
  }()

#define TL_DISPATCH_FLOATING(DT, NAME, ...)                  \
  [&] {                                                       \
    switch (DT) {                                             \
      TL_DISPATCH_CASE_(Float32, float, __VA_ARGS__)          \
      TL_DISPATCH_CASE_(Float64, double, __VA_ARGS__)         \
      TL_DISPATCH_FAIL_(DT, NAME)                             \
    }                                                         \
  }()
