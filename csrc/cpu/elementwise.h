#pragma once
#include "../core/tensor.h"
#include "../ops/elementwise.h"

namespace tl::cpu {
// Inputs already cast to the compute dtype and broadcastable to out; out allocated by the op layer.
void unary_kernel(UnaryOp op, const Tensor& out, const Tensor& in, double p0, double p1);
void binary_kernel(BinaryOp op, const Tensor& out, const Tensor& a, const Tensor& b);
// True when some element of t is zero (integer divisors; the op layer raises before dividing).
bool any_zero(const Tensor& t);
void where_kernel(const Tensor& out, const Tensor& cond, const Tensor& a, const Tensor& b);
}  // namespace tl::cpu
