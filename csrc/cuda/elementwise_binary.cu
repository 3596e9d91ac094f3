// Binary elementwise kernels, generated from ops/elementwise.def (the same table lines as
// csrc/cpu/elementwise_binary.cpp).
//   out (broadcast shape, compute dtype or bool) <- f(a, b), a and b already in the compute dtype
// Integer division and remainder go through the same m:: functions as the CPU (Python's signs, the
// INT_MIN / -1 cases); a zero integer divisor never reaches here (the op layer raises first).
#include <cmath>
#include "../core/math.h"
#include "elementwise.cuh"
#include "elementwise.h"

namespace tl::cuda {

namespace {

// One functor per table line; T is the compute type, TO the output type (T, or bool for CMP/LOGICAL).
#define TL_BINARY(NAME, KIND, EXPR)                                                            \
  template <class T, class TO>                                                                 \
  struct B_##NAME {                                                                            \
    __device__ __forceinline__ TO operator()(T a, T b) const { return static_cast<TO>(EXPR); } \
  };
#include "../ops/elementwise.def"

template <class TO, class T, template <class, class> class Fn>
void run_binary(const Tensor& out, const Tensor& a, const Tensor& b, const char* what) {
  launch_elementwise<2, TO, T>(out, {&a, &b}, Fn<T, TO>{}, what);
}

}  // namespace

#define TL_BINARY_ARITH_(NAME) \
  TL_DISPATCH_ALL(a.dtype(), #NAME, [&] { run_binary<scalar_t, scalar_t, B_##NAME>(out, a, b, #NAME); })
#define TL_BINARY_DIV_(NAME) \
  TL_DISPATCH_FLOATING(a.dtype(), #NAME, [&] { run_binary<scalar_t, scalar_t, B_##NAME>(out, a, b, #NAME); })
#define TL_BINARY_CMP_(NAME) \
  TL_DISPATCH_ALL(a.dtype(), #NAME, [&] { run_binary<bool, scalar_t, B_##NAME>(out, a, b, #NAME); })
#define TL_BINARY_LOGICAL_(NAME) TL_BINARY_CMP_(NAME)

void binary_kernel(BinaryOp op, const Tensor& out, const Tensor& a, const Tensor& b) {
  DeviceGuard guard(out);
  switch (op) {
#define TL_BINARY(NAME, KIND, EXPR) \
  case BinaryOp::NAME: TL_BINARY_##KIND##_(NAME); break;
#include "../ops/elementwise.def"
  }
}

}  // namespace tl::cuda
