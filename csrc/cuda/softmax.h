// CUDA softmax / log_softmax and their backward; same contracts as csrc/cpu/softmax.h.
#pragma once
#include <cstdint>
#include "../core/tensor.h"

namespace tl::cuda {

void softmax_kernel(const Tensor& out, const Tensor& in, int64_t dim, bool log);
void softmax_backward_kernel(const Tensor& grad_in, const Tensor& grad_out, const Tensor& out, int64_t dim, bool log);

}  // namespace tl::cuda
