// CUDA range factories; same contract as csrc/cpu/creation.h.
#pragma once
#include "../core/tensor.h"

namespace tl::cuda {
void arange_kernel(const Tensor& out, double start_d, double step_d, int64_t start_i, int64_t step_i);
void linspace_kernel(const Tensor& out, double start, double end, bool is_log, double base);
void eye_kernel(const Tensor& out);
}  // namespace tl::cuda
