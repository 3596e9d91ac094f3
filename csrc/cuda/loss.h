// CUDA fused softmax cross-entropy; same contracts as csrc/cpu/loss.h.
#pragma once
#include <cstdint>
#include <optional>
#include "../core/tensor.h"
#include "../cpu/loss.h"

namespace tl::cuda {

std::optional<int64_t> cross_entropy_forward_kernel(const Tensor& out, const Tensor& stats, const Tensor& total_weight,
                                                    const Tensor& input, const Tensor& target, const Tensor& weight,
                                                    const CrossEntropyArgs& a);
void cross_entropy_backward_kernel(const Tensor& grad_in, const Tensor& grad_out, const Tensor& input,
                                   const Tensor& target, const Tensor& weight, const Tensor& stats,
                                   const Tensor& total_weight, const CrossEntropyArgs& a);

}  // namespace tl::cuda
