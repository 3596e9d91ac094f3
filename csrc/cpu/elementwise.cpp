// Unary elementwise kernels and where(), generated from ops/elementwise.def.
//   out (shape S, compute dtype or bool) <- f(in (shape S, compute dtype), p0, p1)
// Transcendentals on contiguous float32/float64 go to the run-time ISA table (csrc/cpu/isa/vmath.cpp):
// this file is built for baseline x86-64, where the same loops would only get SSE2.
// No FP traps are ever enabled here, so GCC may turn the selects of m::exp_f32, clamp, relu, ... into
// vector blends; with -ftrapping-math (its default) it refuses and the loops stay scalar.
#pragma GCC optimize("no-trapping-math")
#include "elementwise.h"
#include <cmath>
#include <limits>
#include <type_traits>
#include "../core/math.h"
#include "../core/parallel.h"
#include "isa/isa.h"
#include "loops.h"

#pragma GCC diagnostic ignored "-Wbool-operation"
#pragma GCC diagnostic ignored "-Wint-in-bool-context"

namespace tl::cpu {

namespace {

// The ops with a row kernel in the ISA table, or -1.
int vec_unary_index(UnaryOp op) {
  switch (op) {
    case UnaryOp::exp: return static_cast<int>(VecUnary::exp);
    case UnaryOp::sigmoid: return static_cast<int>(VecUnary::sigmoid);
    case UnaryOp::silu: return static_cast<int>(VecUnary::silu);
    case UnaryOp::tanh: return static_cast<int>(VecUnary::tanh);
    case UnaryOp::gelu_tanh: return static_cast<int>(VecUnary::gelu_tanh);
    case UnaryOp::log: return static_cast<int>(VecUnary::log);
    default: return -1;
  }
}

// Contiguous, same-shape float32/float64: the ISA row kernel on fixed element ranges. Each element's
// value depends only on its input, so the split across threads cannot change results.
bool unary_vec(UnaryOp op, const Tensor& out, const Tensor& in) {
  const int k = vec_unary_index(op);
  if (k < 0 || in.dtype() != out.dtype() || in.sizes() != out.sizes() || !in.is_contiguous() ||
      !out.is_contiguous())
    return false;
  const int64_t n = out.numel();
  if (in.dtype() == DType::Float32) {
    const auto f = isa().unary_f32[k];
    const float* x = in.data<float>();
    float* y = out.data<float>();
    parallel_for(0, n, kGrainSize, [&](int64_t b, int64_t e) { f(x + b, y + b, e - b); });
    return true;
  }
  if (in.dtype() == DType::Float64) {
    const auto f = isa().unary_f64[k];
    const double* x = in.data<double>();
    double* y = out.data<double>();
    parallel_for(0, n, kGrainSize, [&](int64_t b, int64_t e) { f(x + b, y + b, e - b); });
    return true;
  }
  return false;
}
}  // namespace

#define TL_UNARY_RUN_(EXPR, TO)                                                 \
  [&] {                                                                        \
    using T = scalar_t;                                                        \
    const T p0 = m::op_param<T>(dp0), p1 = m::op_param<T>(dp1);                            \
    (void)p0; (void)p1;                                                        \
    unary_loop<TO, T>(out, in, [=](T x) -> TO { return static_cast<TO>(EXPR); }); \
  }
#define TL_UNARY_FLOAT_(NAME, EXPR) TL_DISPATCH_FLOATING(in.dtype(), #NAME, TL_UNARY_RUN_(EXPR, T))
#define TL_UNARY_FLOATONLY_(NAME, EXPR) TL_UNARY_FLOAT_(NAME, EXPR)
#define TL_UNARY_SAME_(NAME, EXPR) TL_DISPATCH_ALL(in.dtype(), #NAME, TL_UNARY_RUN_(EXPR, T))
#define TL_UNARY_BOOLOUT_(NAME, EXPR) TL_DISPATCH_ALL(in.dtype(), #NAME, TL_UNARY_RUN_(EXPR, bool))

void unary_kernel(UnaryOp op, const Tensor& out, const Tensor& in, double dp0, double dp1) {
  if (unary_vec(op, out, in)) return;
  switch (op) {
#define TL_UNARY(NAME, KIND, EXPR) \
  case UnaryOp::NAME: TL_UNARY_##KIND##_(NAME, EXPR); break;
#include "../ops/elementwise.def"
  }
}

void where_kernel(const Tensor& out, const Tensor& cond, const Tensor& a, const Tensor& b) {
  TL_DISPATCH_ALL(out.dtype(), "where", [&] {
    using T = scalar_t;
    auto g = make_geometry<4>(out.sizes(), {&out, &cond, &a, &b});
    strided_loop<4>(g,
                    {static_cast<char*>(out.data_ptr()), static_cast<char*>(cond.data_ptr()),
                     static_cast<char*>(a.data_ptr()), static_cast<char*>(b.data_ptr())},
                    [&](char** p, const int64_t* s, int64_t n) {
                      for (int64_t i = 0; i < n; ++i)
                        *reinterpret_cast<T*>(p[0] + i * s[0]) =
                            *reinterpret_cast<const bool*>(p[1] + i * s[1]) ? *reinterpret_cast<const T*>(p[2] + i * s[2])
                                                                            : *reinterpret_cast<const T*>(p[3] + i * s[3]);
                    });
  });
}

}  // namespace tl::cpu
