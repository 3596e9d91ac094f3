// softmax / log_softmax over one dim, fused and max-subtracted.
//   softmax(x, dim, dtype) -> y, x.shape; floating only (torch's NotImplementedError otherwise);
//   `dtype` casts the input first. A 0-d x takes dim 0 / -1.
//   *_backward(grad, y, dim) -> grad wrt x, given y = the forward output.
#pragma once
#include <optional>
#include "../core/tensor.h"

namespace tl {

Tensor softmax(const Tensor& x, int64_t dim, std::optional<DType> dtype);
Tensor log_softmax(const Tensor& x, int64_t dim, std::optional<DType> dtype);
Tensor softmax_backward(const Tensor& grad, const Tensor& y, int64_t dim);
Tensor log_softmax_backward(const Tensor& grad, const Tensor& y, int64_t dim);

}  // namespace tl
