// Sorting kernels along one dim; inputs validated by csrc/ops/sort.cpp.
#pragma once
#include "../core/tensor.h"

namespace tl::cpu {
// values, indices (int64) and x share a shape; any strides. Stable; NaN sorts as the largest value.
void sort_kernel(const Tensor& values, const Tensor& indices, const Tensor& x, int64_t dim, bool descending);
// values, indices: x.shape with shape[dim] = k. Ties between equal values go to the lower index.
void topk_kernel(const Tensor& values, const Tensor& indices, const Tensor& x, int64_t dim, int64_t k,
                 bool largest, bool sorted);
}  // namespace tl::cpu
