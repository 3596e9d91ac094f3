#pragma once
#include "../core/scalar.h"
#include "../core/tensor.h"

namespace tl::cpu {
void copy_kernel(const Tensor& dst, const Tensor& src);  // shapes validated, src broadcastable to dst
void fill_kernel(const Tensor& t, const Scalar& value);
}  // namespace tl::cpu
