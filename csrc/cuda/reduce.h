// CUDA reductions and scans; same contracts as csrc/cpu/reduce.h (the op enums are shared with it).
#pragma once
#include "../core/tensor.h"
#include "../cpu/reduce.h"

namespace tl::cuda {

using ::tl::cpu::ArgReduceOp;
using ::tl::cpu::ReduceOp;
using ::tl::cpu::ScanOp;

void reduce_kernel(ReduceOp op, const Tensor& out, const Tensor& in, double p = 0.0, const Tensor* param = nullptr);
void arg_reduce_kernel(ArgReduceOp op, const Tensor* values, const Tensor& indices, const Tensor& in);
void cumsum_kernel(const Tensor& out, const Tensor& in, int64_t dim, bool reverse);
void scan_kernel(ScanOp op, const Tensor& out, const Tensor* indices, const Tensor& in, int64_t dim);

}  // namespace tl::cuda
