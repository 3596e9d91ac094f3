// Data-movement kernels of the shape family (cat). Validation and allocation live in ops/shape.cpp.
#pragma once
#include <vector>
#include "../core/tensor.h"

namespace tl::cpu {

// out (outer, sum_i n_i * inner) <- inputs[i] (outer, n_i * inner) placed side by side, every operand
// contiguous with out's dtype; `widths[i]` = n_i * inner elements per row of input i.
void cat_rows_kernel(const Tensor& out, const std::vector<const Tensor*>& inputs,
                     const std::vector<int64_t>& widths, int64_t outer);

}  // namespace tl::cpu
