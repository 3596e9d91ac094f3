// softmax / log_softmax: dtype handling, dim wrapping, contiguous inputs for the fused kernels, device
// dispatch (TL_KERNEL); outputs on the input's device, no tensor memory read here.
#include "softmax.h"
#include "copy.h"
#include "dispatch.h"
#include "../cpu/softmax.h"
#ifdef TL_WITH_CUDA
#include "../cuda/softmax.h"
#endif

namespace tl {

namespace {

Tensor run(const Tensor& x, int64_t dim, std::optional<DType> dtype, bool log) {
  const char* kname = log ? "log_softmax_lastdim_kernel_impl" : "softmax_lastdim_kernel_impl";
  int64_t d = wrap_dim(dim, x.dim());
  Tensor in = dtype ? to_dtype(x, *dtype) : x;
  if (!is_floating(in.dtype()) && in.numel() != 0)  // torch lets an empty integer input through
    TL_THROW(NotImplemented, "\"", kname, "\" not implemented for '", dtype_torch_name(in.dtype()), "'");
  in = in.contiguous();
  Tensor out = Tensor::empty(x.sizes(), in.dtype(), x.device());
  if (is_floating(in.dtype())) TL_KERNEL(out.device(), softmax_kernel, out, in, d, log);
  return out;
}

Tensor run_backward(const Tensor& grad, const Tensor& y, int64_t dim, bool log) {
  const char* op = log ? "log_softmax_backward" : "softmax_backward";
  check_same_device(op, {&grad, &y});
  TL_CHECK(grad.sizes() == y.sizes(), op, ": grad shape ", shape_str(grad.sizes()), " does not match output shape ",
           shape_str(y.sizes()));
  TL_CHECK(is_floating(y.dtype()), op, ": expected a floating output, got '", dtype_torch_name(y.dtype()), "'");
  int64_t d = wrap_dim(dim, y.dim());
  Tensor g = to_dtype(grad, y.dtype()).contiguous();
  Tensor yc = y.contiguous();
  Tensor gin = Tensor::empty(y.sizes(), y.dtype(), y.device());
  TL_KERNEL(gin.device(), softmax_backward_kernel, gin, g, yc, d, log);
  return gin;
}

}  // namespace

Tensor softmax(const Tensor& x, int64_t dim, std::optional<DType> dtype) { return run(x, dim, dtype, false); }
Tensor log_softmax(const Tensor& x, int64_t dim, std::optional<DType> dtype) { return run(x, dim, dtype, true); }
Tensor softmax_backward(const Tensor& grad, const Tensor& y, int64_t dim) { return run_backward(grad, y, dim, false); }
Tensor log_softmax_backward(const Tensor& grad, const Tensor& y, int64_t dim) {
  return run_backward(grad, y, dim, true);
}

}  // namespace tl
