// Shape ops that move data. Contracts:
//   cat([t_0 ..], dim)  -> sizes of the inputs with sizes[dim] summed; dtype = promotion of all
//                          inputs; 1-D empty (0,) inputs are skipped in the shape checks (torch's legacy rule)
//   flip(x, dims)       -> x.shape, reversed along each of dims (a copy, as torch)
#pragma once
#include <vector>
#include "../core/tensor.h"

namespace tl {
Tensor cat(const std::vector<Tensor>& tensors, int64_t dim);
Tensor flip(const Tensor& x, const std::vector<int64_t>& dims);
}  // namespace tl
