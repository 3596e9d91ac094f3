// CUDA fused optimizer updates; same contracts as csrc/cpu/optim.h (one grid-stride kernel per tensor).
#pragma once
#include "../core/tensor.h"

namespace tl::cuda {

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

}  // namespace tl::cuda
