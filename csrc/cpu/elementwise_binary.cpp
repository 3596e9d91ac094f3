// Binary elementwise kernels, generated from ops/elementwise.def (a file of its own so the two
// halves of the table compile in parallel).
//   out (broadcast shape, compute dtype or bool) <- f(a, b), a and b already in the compute dtype
#include <atomic>
#include <cmath>
#include "../core/math.h"
#include "elementwise.h"
#include "loops.h"

#pragma GCC diagnostic ignored "-Wbool-operation"
#pragma GCC diagnostic ignored "-Wint-in-bool-context"

namespace tl::cpu {

#define TL_BINARY_RUN_(EXPR, TO)                                                       \
  [&] {                                                                               \
    using T = scalar_t;                                                               \
    binary_loop<TO, T>(out, ta, tb, [](T a, T b) -> TO { return static_cast<TO>(EXPR); }); \
  }
#define TL_BINARY_ARITH_(NAME, EXPR) TL_DISPATCH_ALL(ta.dtype(), #NAME, TL_BINARY_RUN_(EXPR, T))
#define TL_BINARY_DIV_(NAME, EXPR) TL_DISPATCH_FLOATING(ta.dtype(), #NAME, TL_BINARY_RUN_(EXPR, T))
#define TL_BINARY_CMP_(NAME, EXPR) TL_DISPATCH_ALL(ta.dtype(), #NAME, TL_BINARY_RUN_(EXPR, bool))
#define TL_BINARY_LOGICAL_(NAME, EXPR) TL_BINARY_CMP_(NAME, EXPR)

void binary_kernel(BinaryOp op, const Tensor& out, const Tensor& ta, const Tensor& tb) {
  switch (op) {
#define TL_BINARY(NAME, KIND, EXPR) \
  case BinaryOp::NAME: TL_BINARY_##KIND##_(NAME, EXPR); break;
#include "../ops/elementwise.def"
  }
}

bool any_zero(const Tensor& t) {
  if (t.numel() == 0) return false;
  std::atomic<bool> found{false};
  TL_DISPATCH_ALL(t.dtype(), "any_zero", [&] {
    using T = scalar_t;
    auto g = make_geometry<1>(t.sizes(), {&t});
    strided_loop<1>(g, {static_cast<char*>(t.data_ptr())}, [&](char** p, const int64_t* s, int64_t n) {
      bool z = false;
      for (int64_t i = 0; i < n; ++i) z |= *reinterpret_cast<const T*>(p[0] + i * s[0]) == T(0);
      if (z) found.store(true, std::memory_order_relaxed);
    });
  });
  return found.load();
}

}  // namespace tl::cpu
