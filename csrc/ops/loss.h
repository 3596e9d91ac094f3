// Fused softmax cross-entropy (the loss kernel family; the other losses are Python composites).
//   cross_entropy_forward(input, target, weight, reduction, ignore_index, label_smoothing)
//       -> (loss, stats, total_weight)
//     input  (C,) | (N, C) | (N, C, d1, ...), float32/float64
//     target class indices, int64, input's shape without the class dim; or class probabilities, the
//            input's shape and a floating dtype (torch tells the two apart by shape, so do we)
//     weight (C,) or undefined; reduction 0 none / 1 mean / 2 sum (torch's Reduction enum)
//     loss   the input's shape without the class dim (none) or 0-d; stats (rows, 2) = per row the max
//            and log(sum(exp(x - max))), for backward; total_weight 0-d = the divisor of 'mean'
//   cross_entropy_backward(grad, input, target, weight, stats, total_weight, ...) -> grad wrt input
// Semantics, errors and wording are torch's (aten/src/ATen/native/LossNLL.cpp).
#pragma once
#include <optional>
#include <tuple>
#include "../core/tensor.h"

namespace tl {

std::tuple<Tensor, Tensor, Tensor> cross_entropy_forward(const Tensor& input, const Tensor& target,
                                                         const std::optional<Tensor>& weight, int64_t reduction,
                                                         int64_t ignore_index, double label_smoothing);
Tensor cross_entropy_backward(const Tensor& grad, const Tensor& input, const Tensor& target,
                              const std::optional<Tensor>& weight, const Tensor& stats, const Tensor& total_weight,
                              int64_t reduction, int64_t ignore_index, double label_smoothing);

}  // namespace tl
