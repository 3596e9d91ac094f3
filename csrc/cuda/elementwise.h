// CUDA elementwise kernels; same contract as csrc/cpu/elementwise.h (generated from the same table,
// ops/elementwise.def). Defined in elementwise.cu (unary, where, any_zero) and elementwise_binary.cu.
#pragma once
#include "../core/tensor.h"
#include "../ops/elementwise.h"

namespace tl::cuda {
// Inputs already cast to the compute dtype and broadcastable to out; out allocated by the op layer.
void unary_kernel(UnaryOp op, const Tensor& out, const Tensor& in, double p0, double p1);
void binary_kernel(BinaryOp op, const Tensor& out, const Tensor& a, const Tensor& b);
// True when some element of t is zero (integer divisors; the op layer raises before dividing).
// Synchronises the stream: the host needs the answer.
bool any_zero(const Tensor& t);
void where_kernel(const Tensor& out, const Tensor& cond, const Tensor& a, const Tensor& b);
}  // namespace tl::cuda
