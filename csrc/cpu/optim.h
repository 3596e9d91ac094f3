// Fused optimizer updates: each kernel reads a parameter, its gradient and its state once and writes
// the new parameter and state in the same pass. Validation, step counting and bias corrections live
// in csrc/ops/optim.cpp; the kernels only see contiguous tensors of one shape, dtype and device.
//   sgd_kernel(p, g, buf, fresh, ...)              buf undefined when momentum == 0; fresh: buf <- g
//   adam_kernel(p, g, m, v, vmax, step_size, bc2_sqrt, ...)   vmax undefined unless amsgrad
//   adagrad_kernel(p, g, sum, clr, ...)
//   rmsprop_kernel(p, g, sq, gavg, buf, ...)       gavg undefined unless centered, buf unless momentum > 0
// Scalars arrive as doubles and are rounded to the parameter dtype before use, as torch's tensor-scalar
// ops do, and every expression follows the order of torch's single-tensor (for-loop) implementation.
#pragma once
#include "../core/tensor.h"

namespace tl::cpu {

void sgd_kernel(const Tensor& param, const Tensor& grad, const Tensor& buf, bool fresh, double lr, double momentum,
                double dampening, double weight_decay, bool nesterov, bool maximize);
void adam_kernel(const Tensor& param, const Tensor& grad, const Tensor& exp_avg, const Tensor& exp_avg_sq,
                 const Tensor& max_exp_avg_sq, double step_size, double bc2_sqrt, double lr, double beta1, double beta2,
                 double eps, double weight_decay, bool maximize, bool decoupled);
void adagrad_kernel(const Tensor& param, const Tensor& grad, const Tensor& sum, double clr, double weight_decay,
                    double eps, bool maximize);
void rmsprop_kernel(const Tensor& param, const Tensor& grad, const Tensor& square_avg, const Tensor& grad_avg,
                    const Tensor& buf, double lr, double alpha, double eps, double weight_decay, double momentum,
                    bool maximize);

}  // namespace tl::cpu
