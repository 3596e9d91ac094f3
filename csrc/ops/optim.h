// Fused multi-tensor optimizer steps: one call updates every parameter of a param group in place, one
// fused kernel per parameter (see csrc/cpu/optim.h for the math). Lists are parallel: entry i of every
// state list belongs to params[i]; an optional state list is empty when the option is off.
//   sgd_step_(params, grads, bufs, fresh, ...)       bufs empty when momentum == 0; fresh[i]: first step
//   adam_step_(params, grads, exp_avgs, exp_avg_sqs, max_exp_avg_sqs, steps, ...)
//   adagrad_step_(params, grads, sums, steps, ...)
//   rmsprop_step_(params, grads, square_avgs, grad_avgs, bufs, steps, ...)
// `steps` are torch's per-parameter step counters: one-element float tensors on the host, incremented
// here; the bias corrections come from them in double, with the same libm calls as torch's Python
// (1 - beta ** step, bias_correction2 ** 0.5), so they are bitwise what torch computes.
#pragma once
#include <vector>
#include "../core/tensor.h"

namespace tl {

void sgd_step_(const std::vector<Tensor>& params, const std::vector<Tensor>& grads, const std::vector<Tensor>& bufs,
               const std::vector<bool>& fresh, double lr, double momentum, double dampening, double weight_decay,
               bool nesterov, bool maximize);
void adam_step_(const std::vector<Tensor>& params, const std::vector<Tensor>& grads,
                const std::vector<Tensor>& exp_avgs, const std::vector<Tensor>& exp_avg_sqs,
                const std::vector<Tensor>& max_exp_avg_sqs, const std::vector<Tensor>& steps, double lr, double beta1,
                double beta2, double eps, double weight_decay, bool maximize, bool decoupled);
void adagrad_step_(const std::vector<Tensor>& params, const std::vector<Tensor>& grads,
                   const std::vector<Tensor>& sums, const std::vector<Tensor>& steps, double lr, double lr_decay,
                   double weight_decay, double eps, bool maximize);
void rmsprop_step_(const std::vector<Tensor>& params, const std::vector<Tensor>& grads,
                   const std::vector<Tensor>& square_avgs, const std::vector<Tensor>& grad_avgs,
                   const std::vector<Tensor>& bufs, const std::vector<Tensor>& steps, double lr, double alpha,
                   double eps, double weight_decay, double momentum, bool maximize);

}  // namespace tl
