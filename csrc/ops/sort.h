// Sorting. Contracts (dim wrapped as torch; a 0-d x behaves as (1,)):
//   sort(x, dim, descending)            -> (values x.shape, indices x.shape int64); always stable,
//                                          NaN sorts as the largest value (torch's order)
//   topk(x, k, dim, largest, sorted)    -> (values, indices), x.shape with shape[dim] = k; ties go to
//                                          the lower index; results always come sorted
#pragma once
#include <utility>
#include "../core/tensor.h"

namespace tl {
std::pair<Tensor, Tensor> sort(const Tensor& x, int64_t dim, bool descending);
std::pair<Tensor, Tensor> topk(const Tensor& x, int64_t k, int64_t dim, bool largest, bool sorted);
}  // namespace tl
