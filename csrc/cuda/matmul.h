// CUDA matrix products; same contract as csrc/cpu/matmul.h (GemmArgs::device names the device).
#pragma once
#include "../core/scalar.h"
#include "../cpu/matmul.h"

namespace tl::cuda {
using cpu::GemmArgs;
void gemm(DType dt, const GemmArgs& g, const Scalar& alpha, const Scalar& beta);
}  // namespace tl::cuda
