// CUDA sort/topk along one dim; same contracts as csrc/cpu/sort.h.
#pragma once
#include "../core/tensor.h"

namespace tl::cuda {
void sort_kernel(const Tensor& values, const Tensor& indices, const Tensor& x, int64_t dim, bool descending);
void topk_kernel(const Tensor& values, const Tensor& indices, const Tensor& x, int64_t dim, int64_t k,
                 bool largest, bool sorted);
}  // namespace tl::cuda
