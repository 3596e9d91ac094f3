// Matrix products: validation, output allocation and the mapping of every torch matrix-product op onto
// the one strided, batched GEMM kernel (csrc/cpu/matmul.h, csrc/cuda/matmul.h). Messages follow torch's wording.
//   mm      a (M, K) @ b (K, N) -> (M, N)
//   addmm   beta * self + alpha * a @ b, self broadcast to (M, N)
//   bmm     a (B, M, K) @ b (B, K, N) -> (B, M, N);  baddbmm adds beta * self broadcast to (B, M, N)
//   mv      a (M, K) @ x (K,) -> (M,);   dot  x (K,) . y (K,) -> ()
//   matmul  torch.matmul: 1-D operands promoted and removed, batch dims broadcast
//   linear  x (..., in) @ w (out, in)^T + bias (broadcast to (..., out)), bias fused as beta = 1
// `out` (torch's out=): written in place instead of allocating; it must already have the result's shape,
// dtype and device and share no memory with the operands (the Python layer resizes or goes through a
// temporary otherwise).
#pragma once
#include <optional>
#include "../core/scalar.h"
#include "../core/tensor.h"

namespace tl {

Tensor mm(const Tensor& a, const Tensor& b, const std::optional<Tensor>& out = std::nullopt);
Tensor addmm(const Tensor& self, const Tensor& a, const Tensor& b, const Scalar& beta, const Scalar& alpha,
             const std::optional<Tensor>& out = std::nullopt);
Tensor bmm(const Tensor& a, const Tensor& b, const std::optional<Tensor>& out = std::nullopt);
Tensor baddbmm(const Tensor& self, const Tensor& a, const Tensor& b, const Scalar& beta, const Scalar& alpha,
               const std::optional<Tensor>& out = std::nullopt);
Tensor mv(const Tensor& a, const Tensor& x, const std::optional<Tensor>& out = std::nullopt);
Tensor dot(const Tensor& x, const Tensor& y, const std::optional<Tensor>& out = std::nullopt);
Tensor matmul(const Tensor& a, const Tensor& b);
Tensor linear(const Tensor& x, const Tensor& w, const std::optional<Tensor>& bias);

}  // namespace tl
