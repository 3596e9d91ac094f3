// Range factories: arange, linspace, logspace, eye. Contract:
//   arange(start, end, step, dtype) -> (ceil((end - start) / step),)   torch's size rule per dtype
//   linspace(start, end, steps, dtype) -> (steps,);  logspace(...) -> base ** linspace(...)
//   eye(n, m, dtype) -> (n, m), ones on the main diagonal
#pragma once
#include "../core/scalar.h"
#include "../core/tensor.h"

namespace tl {

Tensor arange(const Scalar& start, const Scalar& end, const Scalar& step, DType dtype, Device device = cpu_device());
Tensor linspace(const Scalar& start, const Scalar& end, int64_t steps, DType dtype, Device device = cpu_device());
Tensor logspace(const Scalar& start, const Scalar& end, int64_t steps, double base, DType dtype, Device device = cpu_device());
Tensor eye(int64_t n, int64_t m, DType dtype, Device device = cpu_device());

}  // namespace tl
