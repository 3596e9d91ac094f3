// Fused softmax cross-entropy: torch's shape/dtype checks (and their wording), contiguous operands for
// the kernels, device dispatch (TL_KERNEL), and the IndexError for an out-of-range class target, whose
// value the kernel reports (it is the only layer that reads target memory).
#include "loss.h"
#include "copy.h"
#include "dispatch.h"
#include "../cpu/loss.h"
#ifdef TL_WITH_CUDA
#include "../cuda/loss.h"
#endif

namespace tl {

namespace {

struct Prep {
  CrossEntropyArgs a;
  Tensor x, t, w;
  Shape out_shape;  // the input's shape without the class dim
};

Prep prepare(const Tensor& input, const Tensor& target, const std::optional<Tensor>& weight, int64_t reduction,
             int64_t ignore_index, double label_smoothing) {
  check_same_device("cross_entropy", {&input, &target, weight ? &*weight : nullptr});
  TL_CHECK(reduction >= 0 && reduction <= 2, "cross_entropy: reduction must be 0 (none), 1 (mean) or 2 (sum), got ",
           reduction);
  TL_CHECK(label_smoothing >= 0.0 && label_smoothing <= 1.0, "label_smoothing must be between 0.0 and 1.0. Got: ",
           label_smoothing);
  Prep p;
  p.a.reduction = reduction;
  p.a.ignore_index = ignore_index;
  p.a.label_smoothing = label_smoothing;
  const Shape& xs = input.sizes();
  const Shape& ts = target.sizes();
  p.a.prob = xs == ts;
  if (p.a.prob) {
    TL_CHECK(is_floating(target.dtype()), "Expected floating point type for target with class probabilities, got ",
             dtype_torch_name(target.dtype()));
    TL_CHECK(ignore_index < 0, "ignore_index is not supported for floating point target");
  }
  TL_CHECK(input.dim() >= 1, "cross_entropy: Expected 1 or more dimensions (got ", input.dim(), ")");
  if (!is_floating(input.dtype()))
    TL_THROW(NotImplemented, "\"log_softmax_lastdim_kernel_impl\" not implemented for '",
             dtype_torch_name(input.dtype()), "'");
  if (input.dim() == 1) {
    p.a.N = 1;
    p.a.C = xs[0];
  } else {
    p.a.N = xs[0];
    p.a.C = xs[1];
    for (size_t d = 2; d < xs.size(); ++d) p.a.inner *= xs[d];
  }
  for (size_t d = 0; d < xs.size(); ++d)
    if (d != (input.dim() == 1 ? 0u : 1u)) p.out_shape.push_back(xs[d]);
  if (!p.a.prob) {
    if (input.dim() == 1) {
      TL_CHECK(target.dim() <= 1, "0D or 1D target tensor expected, multi-target not supported");
      TL_CHECK_VALUE(target.dim() == 0 || ts[0] == 1,
                     "For 1D input, 1D target must have size 1, but got target size: ", ts[0]);
    } else {
      const int64_t tb = target.dim() == 0 ? 0 : ts[0];  // torch reports a 0-d target as batch size 0
      TL_CHECK_VALUE(tb == xs[0], "Expected input batch_size (", xs[0], ") to match target batch_size (", tb, ").");
      if (input.dim() == 2) {
        TL_CHECK(target.dim() == 1, "0D or 1D target tensor expected, multi-target not supported");
      } else {
        TL_CHECK(ts == p.out_shape, "Expected target size ", shape_str(p.out_shape), ", got ", shape_str(ts));
      }
    }
    // after the shape checks, as torch orders them; Byte class indices are widened for the kernels
    TL_CHECK(target.dtype() == DType::Int64 || target.dtype() == DType::UInt8,
             "expected target dtype to be Long or Byte, but got ", dtype_torch_name(target.dtype()));
  }
  if (weight && weight->defined()) {
    TL_CHECK(weight->dim() == 1 && weight->numel() == p.a.C, "weight tensor should be defined either for all ",
             p.a.C, " classes or no classes but got weight tensor of shape: ", shape_str(weight->sizes()));
    TL_CHECK(weight->dtype() == input.dtype(), "expected scalar type ", dtype_torch_name(input.dtype()),
             " but found ", dtype_torch_name(weight->dtype()));
    p.w = weight->contiguous();
  }
  p.x = input.contiguous();
  p.t = to_dtype(target, p.a.prob ? input.dtype() : DType::Int64).contiguous();
  return p;
}

}  // namespace

std::tuple<Tensor, Tensor, Tensor> cross_entropy_forward(const Tensor& input, const Tensor& target,
                                                         const std::optional<Tensor>& weight, int64_t reduction,
                                                         int64_t ignore_index, double label_smoothing) {
  Prep p = prepare(input, target, weight, reduction, ignore_index, label_smoothing);
  const DType dt = input.dtype();
  const Device dev = input.device();
  const int64_t rows = p.a.N * p.a.inner;
  Tensor out = Tensor::empty(reduction == 0 ? p.out_shape : Shape{}, dt, dev);
  Tensor stats = Tensor::empty({rows, 2}, dt, dev);
  Tensor tw = Tensor::empty({}, dt, dev);
  std::optional<int64_t> bad = TL_KERNEL(dev, cross_entropy_forward_kernel, out, stats, tw, p.x, p.t, p.w, p.a);
  TL_CHECK_INDEX(!bad, "Target ", bad ? *bad : 0, " is out of bounds.");
  return {out, stats, tw};
}

Tensor cross_entropy_backward(const Tensor& grad, const Tensor& input, const Tensor& target,
                              const std::optional<Tensor>& weight, const Tensor& stats, const Tensor& total_weight,
                              int64_t reduction, int64_t ignore_index, double label_smoothing) {
  Prep p = prepare(input, target, weight, reduction, ignore_index, label_smoothing);
  check_same_device("cross_entropy_backward", {&grad, &input, &stats, &total_weight});
  const int64_t rows = p.a.N * p.a.inner;
  TL_CHECK(stats.sizes() == (Shape{rows, 2}) && stats.dtype() == input.dtype() && total_weight.numel() == 1 &&
               total_weight.dtype() == input.dtype(),
           "cross_entropy_backward: saved statistics ", shape_str(stats.sizes()), " do not match input ",
           shape_str(input.sizes()));
  const Shape gshape = reduction == 0 ? p.out_shape : Shape{};
  TL_CHECK(grad.sizes() == gshape, "cross_entropy_backward: grad shape ", shape_str(grad.sizes()),
           " does not match loss shape ", shape_str(gshape));
  Tensor g = to_dtype(grad, input.dtype()).contiguous();
  Tensor gin = Tensor::empty(input.sizes(), input.dtype(), input.device());
  TL_KERNEL(gin.device(), cross_entropy_backward_kernel, gin, g, p.x, p.t, p.w, stats.contiguous(),
            total_weight.contiguous(), p.a);
  return gin;
}

}  // namespace tl
