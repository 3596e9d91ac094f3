// CUDA data movement of the shape family; same contract as csrc/cpu/shape.h.
#pragma once
#include <vector>
#include "../core/tensor.h"

namespace tl::cuda {
void cat_rows_kernel(const Tensor& out, const std::vector<const Tensor*>& inputs,
                     const std::vector<int64_t>& widths, int64_t outer);
}  // namespace tl::cuda
