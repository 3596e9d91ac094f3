// CUDA random fills; same contract as csrc/cpu/random.h (and the same numbers, see random.cu).
#pragma once
#include <cstdint>
#include "../core/tensor.h"

namespace tl::cuda {
void uniform_kernel(const Tensor& out, double lo, double hi, uint64_t offset, uint64_t seed);
void normal_kernel(const Tensor& out, double mean, double std, uint64_t offset, uint64_t seed);
void randint_kernel(const Tensor& out, int64_t lo, int64_t hi, uint64_t offset, uint64_t seed);
void bernoulli_kernel(const Tensor& out_f64, const Tensor& p_f64, uint64_t offset, uint64_t seed);
}  // namespace tl::cuda
