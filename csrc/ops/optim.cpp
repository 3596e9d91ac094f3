// Multi-tensor optimizer steps: validate every parameter and its state first (so a bad entry changes
// nothing), then count steps, derive the per-parameter scalars and run one fused kernel per parameter on
// its device (TL_KERNEL). Step counters are host tensors, as in torch's non-capturable optimizers, and
// are the only tensor memory touched here.
#include "optim.h"
#include <cmath>
#include "copy.h"
#include "dispatch.h"
#include "../cpu/optim.h"
#ifdef TL_WITH_CUDA
#include "../cuda/optim.h"
#endif

namespace tl {

namespace {

using TList = std::vector<Tensor>;

// Lists must be parallel to params; an optional list may be empty (the option is off).
void check_list(const char* op, const char* what, const TList& l, size_t n, bool optional) {
  TL_CHECK(l.size() == n || (optional && l.empty()), op, ": expected ", n, " ", what, ", got ", l.size());
}

void check_param(const char* op, size_t i, const Tensor& p) {
  TL_CHECK(is_floating(p.dtype()), op, ": parameter ", i, " must be a floating tensor (float32 or float64), got '",
           dtype_torch_name(p.dtype()), "'");
  check_writable(p, op);
}

// grad and state tensors: same shape, dtype and device as their parameter.
void check_like(const char* op, const char* what, size_t i, const Tensor& p, const Tensor& t) {
  TL_CHECK(t.defined(), op, ": ", what, " of parameter ", i, " is missing");
  check_same_device(op, {&p, &t});
  TL_CHECK(t.sizes() == p.sizes(), op, ": ", what, " of parameter ", i, " has shape ", shape_str(t.sizes()),
           " but the parameter has shape ", shape_str(p.sizes()));
  TL_CHECK(t.dtype() == p.dtype(), op, ": ", what, " of parameter ", i, " has dtype '", dtype_torch_name(t.dtype()),
           "' but the parameter has dtype '", dtype_torch_name(p.dtype()), "'");
}

void check_step(const char* op, size_t i, const Tensor& s) {
  TL_CHECK(s.defined() && s.device().is_cpu() && s.numel() == 1 && is_floating(s.dtype()), op, ": 'step' of parameter ",
           i, " must be a one-element float tensor on the CPU");
}

// torch's `step_t += 1; step = step_t.item()`, in the counter's own dtype.
double bump_step(const Tensor& s) {
  if (s.dtype() == DType::Float32) {
    float* q = s.data<float>();
    *q = *q + 1.0f;
    return static_cast<double>(*q);
  }
  double* q = s.data<double>();
  *q = *q + 1.0;
  return *q;
}

// A tensor the kernel may address as a flat array: itself when contiguous, else a contiguous copy
// that is written back once the kernel has run.
struct Flat {
  Tensor orig, flat;
  bool copied = false;
  explicit Flat(const Tensor& t) : orig(t) {
    if (!t.defined() || t.is_contiguous()) {
      flat = t;
    } else {
      flat = t.contiguous();
      copied = true;
    }
  }
  // Also bumps the version counter, as torch's in-place updates do (autograd's saved-tensor check).
  void write_back() const {
    if (copied) copy_(orig, flat);
    if (orig.defined()) orig.bump_version();
  }
};

const Tensor kNone;

const Tensor& at_or_none(const TList& l, size_t i) { return l.empty() ? kNone : l[i]; }

}  // namespace

void sgd_step_(const TList& params, const TList& grads, const TList& bufs, const std::vector<bool>& fresh, double lr,
               double momentum, double dampening, double weight_decay, bool nesterov, bool maximize) {
  const char* op = "sgd_step_";
  const size_t n = params.size();
  check_list(op, "grads", grads, n, false);
  check_list(op, "momentum buffers", bufs, n, true);
  TL_CHECK(fresh.size() == bufs.size(), op, ": expected ", bufs.size(), " fresh flags, got ", fresh.size());
  TL_CHECK(momentum == 0 || !bufs.empty(), op, ": momentum buffers are required when momentum != 0");
  for (size_t i = 0; i < n; ++i) {
    check_param(op, i, params[i]);
    check_like(op, "grad", i, params[i], grads[i]);
    if (!bufs.empty()) check_like(op, "momentum_buffer", i, params[i], bufs[i]);
  }
  const bool use_buf = momentum != 0;
  for (size_t i = 0; i < n; ++i) {
    Flat p(params[i]), b(use_buf ? bufs[i] : kNone);
    const Tensor g = grads[i].contiguous();
    TL_KERNEL(params[i].device(), sgd_kernel, p.flat, g, b.flat, use_buf && fresh[i], lr, momentum, dampening,
              weight_decay, nesterov, maximize);
    p.write_back();
    b.write_back();
  }
}

void adam_step_(const TList& params, const TList& grads, const TList& exp_avgs, const TList& exp_avg_sqs,
                const TList& max_exp_avg_sqs, const TList& steps, double lr, double beta1, double beta2, double eps,
                double weight_decay, bool maximize, bool decoupled) {
  const char* op = "adam_step_";
  const size_t n = params.size();
  check_list(op, "grads", grads, n, false);
  check_list(op, "exp_avgs", exp_avgs, n, false);
  check_list(op, "exp_avg_sqs", exp_avg_sqs, n, false);
  check_list(op, "max_exp_avg_sqs", max_exp_avg_sqs, n, true);
  check_list(op, "steps", steps, n, false);
  for (size_t i = 0; i < n; ++i) {
    check_param(op, i, params[i]);
    check_like(op, "grad", i, params[i], grads[i]);
    check_like(op, "exp_avg", i, params[i], exp_avgs[i]);
    check_like(op, "exp_avg_sq", i, params[i], exp_avg_sqs[i]);
    if (!max_exp_avg_sqs.empty()) check_like(op, "max_exp_avg_sq", i, params[i], max_exp_avg_sqs[i]);
    check_step(op, i, steps[i]);
  }
  for (size_t i = 0; i < n; ++i) {
    const double step = bump_step(steps[i]);
    const double bias_correction1 = 1 - std::pow(beta1, step);
    const double bias_correction2 = 1 - std::pow(beta2, step);
    const double step_size = lr / bias_correction1;
    const double bc2_sqrt = std::pow(bias_correction2, 0.5);
    Flat p(params[i]), m(exp_avgs[i]), v(exp_avg_sqs[i]), vmax(at_or_none(max_exp_avg_sqs, i));
    const Tensor g = grads[i].contiguous();
    TL_KERNEL(params[i].device(), adam_kernel, p.flat, g, m.flat, v.flat, vmax.flat, step_size, bc2_sqrt, lr, beta1,
              beta2, eps, weight_decay, maximize, decoupled);
    for (const Flat* f : {&p, &m, &v, &vmax}) f->write_back();
  }
}

void adagrad_step_(const TList& params, const TList& grads, const TList& sums, const TList& steps, double lr,
                   double lr_decay, double weight_decay, double eps, bool maximize) {
  const char* op = "adagrad_step_";
  const size_t n = params.size();
  check_list(op, "grads", grads, n, false);
  check_list(op, "sums", sums, n, false);
  check_list(op, "steps", steps, n, false);
  for (size_t i = 0; i < n; ++i) {
    check_param(op, i, params[i]);
    check_like(op, "grad", i, params[i], grads[i]);
    check_like(op, "sum", i, params[i], sums[i]);
    check_step(op, i, steps[i]);
  }
  for (size_t i = 0; i < n; ++i) {
    const double step = bump_step(steps[i]);
    const double clr = lr / (1 + (step - 1) * lr_decay);
    Flat p(params[i]), s(sums[i]);
    const Tensor g = grads[i].contiguous();
    TL_KERNEL(params[i].device(), adagrad_kernel, p.flat, g, s.flat, clr, weight_decay, eps, maximize);
    p.write_back();
    s.write_back();
  }
}

void rmsprop_step_(const TList& params, const TList& grads, const TList& square_avgs, const TList& grad_avgs,
                   const TList& bufs, const TList& steps, double lr, double alpha, double eps, double weight_decay,
                   double momentum, bool maximize) {
  const char* op = "rmsprop_step_";
  const size_t n = params.size();
  check_list(op, "grads", grads, n, false);
  check_list(op, "square_avgs", square_avgs, n, false);
  check_list(op, "grad_avgs", grad_avgs, n, true);
  check_list(op, "momentum buffers", bufs, n, true);
  check_list(op, "steps", steps, n, false);
  TL_CHECK(!(momentum > 0) || !bufs.empty(), op, ": momentum buffers are required when momentum > 0");
  for (size_t i = 0; i < n; ++i) {
    check_param(op, i, params[i]);
    check_like(op, "grad", i, params[i], grads[i]);
    check_like(op, "square_avg", i, params[i], square_avgs[i]);
    if (!grad_avgs.empty()) check_like(op, "grad_avg", i, params[i], grad_avgs[i]);
    if (!bufs.empty()) check_like(op, "momentum_buffer", i, params[i], bufs[i]);
    check_step(op, i, steps[i]);
  }
  const bool use_buf = momentum > 0;
  for (size_t i = 0; i < n; ++i) {
    bump_step(steps[i]);
    Flat p(params[i]), sq(square_avgs[i]), ga(at_or_none(grad_avgs, i)), b(use_buf ? bufs[i] : kNone);
    const Tensor g = grads[i].contiguous();
    TL_KERNEL(params[i].device(), rmsprop_kernel, p.flat, g, sq.flat, ga.flat, b.flat, lr, alpha, eps, weight_decay,
              momentum, maximize);
    for (const Flat* f : {&p, &sq, &ga, &b}) f->write_back();
  }
}

}  // namespace tl
