// A Python number on its way into a kernel: keeps whether it was a bool, an int or a float, which
// decides type promotion (torch's "wrapped number" rules).
#pragma once
#include <cstdint>
#include "dtype.h"

namespace tl {

struct Scalar {
  enum class Kind : int8_t { Bool, Int, Float } kind = Kind::Float;
  double d = 0.0;
  int64_t i = 0;

  Scalar() = default;
  static Scalar from_double(double v) { Scalar s; s.kind = Kind::Float; s.d = v; s.i = float_to_int<int64_t>(v); return s; }
  static Scalar from_int(int64_t v) { Scalar s; s.kind = Kind::Int; s.i = v; s.d = static_cast<double>(v); return s; }
  static Scalar from_bool(bool v) { Scalar s; s.kind = Kind::Bool; s.i = v; s.d = v; return s; }

  // The dtype torch gives a wrapped number: float -> the default dtype, int -> int64, bool -> bool.
  DType dtype() const {
    return kind == Kind::Float ? default_float_dtype() : kind == Kind::Int ? DType::Int64 : DType::Bool;
  }
  template <class T> T to() const {
    if constexpr (std::is_same_v<T, bool>) return kind == Kind::Float ? d != 0.0 : i != 0;
    else if constexpr (std::is_floating_point_v<T>) return static_cast<T>(kind == Kind::Float ? d : static_cast<double>(i));
    else return kind == Kind::Float ? float_to_int<T>(d) : static_cast<T>(i);
  }
};

}  // namespace tl
