// CUDA copy/cast and fill kernels; same contract as csrc/cpu/copy.h.
#pragma once
#include "../core/scalar.h"
#include "../core/tensor.h"

namespace tl::cuda {
void copy_kernel(const Tensor& dst, const Tensor& src);  // same device; src broadcastable to dst, any dtypes
void fill_kernel(const Tensor& t, const Scalar& value);
}  // namespace tl::cuda
