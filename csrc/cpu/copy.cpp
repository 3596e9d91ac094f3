// dst (any strides, any dtype) <- src (broadcast to dst's shape, any strides, any dtype)
#include "copy.h"
#include <cmath>
#include <type_traits>
#include "loops.h"

namespace tl::cpu {

// Float -> integer: float_to_int (dtype.h) matches torch on x86 and is never undefined behaviour.
template <class To, class Ti>
inline To cast_value(Ti v) {
  if constexpr (std::is_same_v<To, bool>) return v != Ti(0);
  else if constexpr (std::is_integral_v<To> && std::is_floating_point_v<Ti>) {
    return float_to_int<To>(v);
  } else return static_cast<To>(v);
}

void copy_kernel(const Tensor& dst, const Tensor& src) {
  if (dst.dtype() == src.dtype() && dst.is_contiguous() && src.is_contiguous() && dst.sizes() == src.sizes()) {
    const size_t isz = dst.itemsize();
    char* d = static_cast<char*>(dst.data_ptr());
    const char* s = static_cast<const char*>(src.data_ptr());
    parallel_for(0, dst.numel(), 4 * kGrainSize, [&](int64_t b, int64_t e) {
      std::memcpy(d + b * isz, s + b * isz, (e - b) * isz);
    });
    return;
  }
  TL_DISPATCH_ALL(dst.dtype(), "copy_", [&] {
    using To = scalar_t;
    TL_DISPATCH_ALL(src.dtype(), "copy_", [&] {
      using Ti = scalar_t;
      unary_loop<To, Ti>(dst, src, [](Ti v) { return cast_value<To, Ti>(v); });
    });
  });
}

void fill_kernel(const Tensor& t, const Scalar& value) {
  TL_DISPATCH_ALL(t.dtype(), "fill_", [&] {
    const scalar_t v = value.to<scalar_t>();
    Tensor dummy = t;  // unary_loop wants an input; reading t itself is harmless
    unary_loop<scalar_t, scalar_t>(t, dummy, [v](scalar_t) { return v; });
  });
}

}  // namespace tl::cpu
