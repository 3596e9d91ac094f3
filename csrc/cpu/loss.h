// Fused softmax cross-entropy kernels. Validation and allocation live in csrc/ops/loss.cpp.
// The input is viewed as (N, C, inner), contiguous: row r = n * inner + j holds x[n, c, j] at
// n*C*inner + c*inner + j (stride `inner` between classes; 1 for the (N, C) fast path).
//   forward:  out (rows,) [reduction none] or () ; stats (rows, 2) = {max, log sum exp(x - max)};
//             total_weight () = sum of target weights of non-ignored rows (class indices) or rows
//             (probabilities): the divisor of 'mean'. Returns the first out-of-range target (in row
//             order), or nullopt when all are valid; the op raises torch's IndexError with it.
//   backward: grad_in (N, C, inner) = scale_r * (softmax - target distribution), with scale_r from
//             grad_out ((rows,) for none, () otherwise) and, for mean, / total_weight.
// target: int64 (rows,) or T (N, C, inner); weight: T (C,) or undefined. All contiguous, T = input's.
#pragma once
#include <cstdint>
#include <optional>
#include "../core/tensor.h"

namespace tl {

struct CrossEntropyArgs {
  int64_t N = 0, C = 0, inner = 1;
  int64_t reduction = 1;  // 0 none, 1 mean, 2 sum
  int64_t ignore_index = -100;
  double label_smoothing = 0;
  bool prob = false;  // target holds class probabilities
};

namespace cpu {
std::optional<int64_t> cross_entropy_forward_kernel(const Tensor& out, const Tensor& stats, const Tensor& total_weight,
                                                    const Tensor& input, const Tensor& target, const Tensor& weight,
                                                    const CrossEntropyArgs& a);
void cross_entropy_backward_kernel(const Tensor& grad_in, const Tensor& grad_out, const Tensor& input,
                                   const Tensor& target, const Tensor& weight, const Tensor& stats,
                                   const Tensor& total_weight, const CrossEntropyArgs& a);
}  // namespace cpu

}  // namespace tl
