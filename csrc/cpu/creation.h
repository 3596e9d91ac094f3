#pragma once
#include "../core/tensor.h"

namespace tl::cpu {
// out (n,) contiguous: out[i] = start + step * i, computed in acc (double for floats, int64 for ints).
void arange_kernel(const Tensor& out, double start_d, double step_d, int64_t start_i, int64_t step_i);
// out (n,) contiguous: start + step * i for the first half, end - step * (n - 1 - i) for the second,
// so both ends are exact; `is_log` turns it into base ** value (logspace).
void linspace_kernel(const Tensor& out, double start, double end, bool is_log, double base);
// out (n, m) contiguous, zero-filled: ones on the diagonal.
void eye_kernel(const Tensor& out);
}  // namespace tl::cpu
