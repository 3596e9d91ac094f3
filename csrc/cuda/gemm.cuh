// The fast float32/float64 GEMM of csrc/cuda/gemm.cu, called by matmul.cu (which keeps the gemv and
// integer kernels and the batch-offset upload) for every shape that is not a matrix-vector product.
#pragma once
#include <cuda_runtime.h>
#include <cstdint>
#include "matmul.h"

namespace tl::cuda {

// C = alpha * A @ B + beta * C for float or double, same contract as tl::cpu::gemm. a, b, c are the base
// pointers: with offs_dev == nullptr (one batch item) they already include item 0's offsets; otherwise
// offs_dev holds [A offsets, B offsets, C offsets] (3 * g.batch int64 on the device) and g's host copies
// of them decide whether 16-byte vector access stays aligned for every item.
template <class T>
void gemm_fast(const GemmArgs& g, const T* a, const T* b, T* c, const int64_t* offs_dev, T alpha, T beta,
               cudaStream_t stream);

}  // namespace tl::cuda
