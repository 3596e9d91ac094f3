// Reduction and scan kernels. Shapes are validated and outputs allocated by csrc/ops/reduce.cpp.
//
//   reduce_kernel(op, out, in)        in (d0..dn-1, any strides) -> out (keepdim shape, contiguous)
//     A dim d is reduced when out.size(d) != in.size(d) (out.size(d) == 1 then). Every output element
//     is reduced by one thread in an order fixed by the shapes alone, so results never depend on the
//     thread count. out dtype == in dtype, except All/Any (bool out).
//     param: Var/Std take the mean, LogSumExp the (inf-masked) max, both shaped and laid out like out.
//     p: the correction for Var/Std, the order for NormP.
//   arg_reduce_kernel(op, values, indices, in)   same contract, exactly one reduced dim (or in flattened
//     to 1-D): indices (int64) of the first extreme element, NaN counting as the extreme as in torch.
//   cumsum_kernel(out, in, dim, reverse)   in, out contiguous, same shape and dtype (reverse: suffix sums).
#pragma once
#include "../core/tensor.h"

namespace tl::cpu {

enum class ReduceOp {
  Sum, Mean, Prod, Max, Min, All, Any,
  Norm0, Norm1, Norm2, NormInf, NormNegInf, NormP,
  Var, Std, LogSumExp,
};

void reduce_kernel(ReduceOp op, const Tensor& out, const Tensor& in, double p = 0.0, const Tensor* param = nullptr);

enum class ArgReduceOp { Max, Min };
void arg_reduce_kernel(ArgReduceOp op, const Tensor* values, const Tensor& indices, const Tensor& in);

void cumsum_kernel(const Tensor& out, const Tensor& in, int64_t dim, bool reverse);

// scan_kernel(op, out, indices, in, dim): in, out contiguous, same shape and dtype; indices (int64, same
// shape) only for Max/Min. Prod accumulates in acc_type; LogSumExp is floating only.
enum class ScanOp { Prod, Max, Min, LogSumExp };
void scan_kernel(ScanOp op, const Tensor& out, const Tensor* indices, const Tensor& in, int64_t dim);

}  // namespace tl::cpu
