// Softmax kernels over one dim, viewed as (outer, D, inner). Validation and allocation live in
// csrc/ops/softmax.cpp.
//   softmax_kernel(out, in, dim, log)                      in, out contiguous, same shape, float dtype
//   softmax_backward_kernel(gin, gout, out, dim, log)      all contiguous, same shape and dtype:
//     softmax:     gin = y * (g - sum(g * y))        log_softmax: gin = g - exp(y) * sum(g)
#pragma once
#include <cstdint>
#include "../core/tensor.h"

namespace tl::cpu {

void softmax_kernel(const Tensor& out, const Tensor& in, int64_t dim, bool log);
void softmax_backward_kernel(const Tensor& grad_in, const Tensor& grad_out, const Tensor& out, int64_t dim, bool log);

}  // namespace tl::cpu
