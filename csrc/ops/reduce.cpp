// Reductions: dim parsing, torch's dtype rules and error messages, output allocation on the input's
// device, dispatch (TL_KERNEL: csrc/cpu/reduce.cpp or csrc/cuda/reduce.cu). No tensor memory is read
// here. The kernels always write a contiguous keepdim-shaped output; keepdim=false is a view of
// it with the reduced dims dropped (same memory order, since those dims have size 1).
#include "reduce.h"
#include <cmath>
#include <limits>
#include "copy.h"
#include "elementwise.h"
#include "dispatch.h"
#include "../cpu/reduce.h"
#ifdef TL_WITH_CUDA
#include "../cuda/reduce.h"
#endif

namespace tl {

namespace {

struct Plan {
  std::vector<bool> mask;  // reduced dims
  Shape keep_shape, out_shape;
  int64_t n_red = 1;
  bool all_dims = false;   // no dim was named (torch's dim=None)
};

// empty_means_all: torch reduces every dim for dim=[] in sum/mean/amax/...; all/any reduce none.
Plan make_plan(const Tensor& x, const OptDims& dims, bool keepdim, const char* op, bool empty_means_all = true) {
  const int64_t nd = x.dim();
  Plan p;
  p.mask.assign(nd, false);
  if (!dims || (dims->empty() && empty_means_all)) {
    p.all_dims = true;
    p.mask.assign(nd, true);
  } else {
    std::vector<bool> seen(std::max<int64_t>(nd, 1), false);
    for (int64_t d : *dims) {
      int64_t w = wrap_dim(d, nd);
      if (seen[w]) TL_THROW(Runtime, "dim ", w, " appears multiple times in the list of dims");
      seen[w] = true;
      if (nd > 0) p.mask[w] = true;
    }
  }
  for (int64_t d = 0; d < nd; ++d) {
    int64_t s = x.sizes()[d];
    if (p.mask[d]) {
      p.n_red *= s;
      p.keep_shape.push_back(1);
      if (keepdim) p.out_shape.push_back(1);
    } else {
      p.keep_shape.push_back(s);
      p.out_shape.push_back(s);
    }
  }
  return p;
}

Tensor finish(const Tensor& out_keep, const Plan& p) {
  if (out_keep.sizes() == p.out_shape) return out_keep;
  return out_keep.as_strided(p.out_shape, contiguous_strides(p.out_shape), out_keep.offset());
}

// amax/max/argmax have no identity: torch's errors for empty reductions.
void check_nonempty(const Tensor& x, const Plan& p, const char* op) {
  if (x.numel() != 0) return;
  if (p.all_dims)
    TL_THROW(Runtime, op, "(): Expected reduction dim to be specified for input.numel() == 0. Specify the "
             "reduction dim with the 'dim' argument.");
  for (int64_t d = 0; d < x.dim(); ++d)
    if (p.mask[d] && x.sizes()[d] == 0)
      TL_THROW(Index, op, "(): Expected reduction dim ", d, " to have non-zero size.");
}

DType sum_dtype(const Tensor& x, std::optional<DType> dtype) {
  if (dtype) return *dtype;
  return is_integral(x.dtype(), true) ? DType::Int64 : x.dtype();
}

Tensor simple(cpu::ReduceOp op, const Tensor& x, const Plan& p, DType out_dt, double arg = 0.0,
              const Tensor* param = nullptr) {
  Tensor out = Tensor::empty(p.keep_shape, out_dt, x.device());
  if (out.numel()) TL_KERNEL(out.device(), reduce_kernel, op, out, x, arg, param);
  return finish(out, p);
}

Tensor extreme(const Tensor& x, const OptDims& dims, bool keepdim, bool is_max, const char* op) {
  Plan p = make_plan(x, dims, keepdim, op);
  check_nonempty(x, p, op);
  return simple(is_max ? cpu::ReduceOp::Max : cpu::ReduceOp::Min, x, p, x.dtype());
}

std::pair<Tensor, Tensor> extreme_dim(const Tensor& x, int64_t dim, bool keepdim, bool is_max) {
  const char* op = is_max ? "max" : "min";
  Plan p = make_plan(x, std::vector<int64_t>{dim}, keepdim, op);
  check_nonempty(x, p, op);
  Tensor values = Tensor::empty(p.keep_shape, x.dtype(), x.device());
  Tensor indices = Tensor::empty(p.keep_shape, DType::Int64, x.device());
  if (values.numel())
    TL_KERNEL(x.device(), arg_reduce_kernel, is_max ? cpu::ArgReduceOp::Max : cpu::ArgReduceOp::Min, &values, indices, x);
  return {finish(values, p), finish(indices, p)};
}

Tensor arg_extreme(const Tensor& x, std::optional<int64_t> dim, bool keepdim, bool is_max) {
  const char* op = is_max ? "argmax" : "argmin";
  TL_CHECK(x.dtype() != DType::Bool, op, "(): does not support bool input");
  auto kind = is_max ? cpu::ArgReduceOp::Max : cpu::ArgReduceOp::Min;
  if (!dim) {
    if (x.numel() == 0)
      TL_THROW(Index, op, "(): Expected reduction dim to be specified for input.numel() == 0.");
    Tensor flat = x.contiguous();
    flat = flat.as_strided({x.numel()}, {1}, flat.offset());
    Tensor idx = Tensor::empty({1}, DType::Int64, x.device());
    TL_KERNEL(x.device(), arg_reduce_kernel, kind, nullptr, idx, flat);
    Shape shape = keepdim ? Shape(x.dim(), 1) : Shape{};
    return idx.as_strided(shape, contiguous_strides(shape), 0);
  }
  Plan p = make_plan(x, std::vector<int64_t>{*dim}, keepdim, op);
  check_nonempty(x, p, op);
  Tensor idx = Tensor::empty(p.keep_shape, DType::Int64, x.device());
  if (idx.numel()) TL_KERNEL(x.device(), arg_reduce_kernel, kind, nullptr, idx, x);
  return finish(idx, p);
}

Tensor var_impl(const Tensor& x, const OptDims& dims, double correction, bool keepdim, bool take_sqrt) {
  const char* op = take_sqrt ? "std" : "var";
  TL_CHECK(is_floating(x.dtype()), "std and var only support floating point and complex dtypes");  // before dims, as torch
  Plan p = make_plan(x, dims, keepdim, op);
  Tensor out = Tensor::empty(p.keep_shape, x.dtype(), x.device());
  if (out.numel() == 0) return finish(out, p);
  Tensor shift;
  if (p.n_red > 0) {
    shift = Tensor::empty(p.keep_shape, x.dtype(), x.device());
    TL_KERNEL(x.device(), reduce_kernel, cpu::ReduceOp::Mean, shift, x, 0.0, nullptr);
  }
  TL_KERNEL(x.device(), reduce_kernel, take_sqrt ? cpu::ReduceOp::Std : cpu::ReduceOp::Var, out, x, correction,
                     p.n_red > 0 ? &shift : nullptr);
  return finish(out, p);
}

Tensor all_any(const Tensor& x, const OptDims& dims, bool keepdim, bool is_all) {
  Plan p = make_plan(x, dims, keepdim, is_all ? "all" : "any", /*empty_means_all=*/false);
  Tensor r = simple(is_all ? cpu::ReduceOp::All : cpu::ReduceOp::Any, x, p, DType::Bool);
  return x.dtype() == DType::UInt8 ? to_dtype(r, DType::UInt8) : r;
}

}  // namespace

Tensor sum(const Tensor& x, const OptDims& dims, bool keepdim, std::optional<DType> dtype) {
  Plan p = make_plan(x, dims, keepdim, "sum");
  DType dt = sum_dtype(x, dtype);
  TL_CHECK(dt != DType::Bool, "sum: not implemented for 'Bool' output");
  return simple(cpu::ReduceOp::Sum, to_dtype(x, dt), p, dt);
}

Tensor prod(const Tensor& x, const OptDims& dims, bool keepdim, std::optional<DType> dtype) {
  Plan p = make_plan(x, dims, keepdim, "prod");
  DType dt = sum_dtype(x, dtype);
  TL_CHECK(dt != DType::Bool, "prod: not implemented for 'Bool' output");
  return simple(cpu::ReduceOp::Prod, to_dtype(x, dt), p, dt);
}

Tensor mean(const Tensor& x, const OptDims& dims, bool keepdim, std::optional<DType> dtype) {
  if (dtype) {
    TL_CHECK(is_floating(*dtype), "mean(): could not infer output dtype. Optional dtype must be either a floating "
             "point or complex dtype. Got: ", dtype_torch_name(*dtype));
  } else {
    TL_CHECK(is_floating(x.dtype()), "mean(): could not infer output dtype. Input dtype must be either a floating "
             "point or complex dtype. Got: ", dtype_torch_name(x.dtype()));
  }
  Plan p = make_plan(x, dims, keepdim, "mean");  // after the dtype check, as torch
  DType dt = dtype ? *dtype : x.dtype();
  return simple(cpu::ReduceOp::Mean, to_dtype(x, dt), p, dt);
}

Tensor amax(const Tensor& x, const OptDims& dims, bool keepdim) { return extreme(x, dims, keepdim, true, "amax"); }
Tensor amin(const Tensor& x, const OptDims& dims, bool keepdim) { return extreme(x, dims, keepdim, false, "amin"); }
Tensor max_all(const Tensor& x) { return extreme(x, std::nullopt, false, true, "max"); }
Tensor min_all(const Tensor& x) { return extreme(x, std::nullopt, false, false, "min"); }

std::pair<Tensor, Tensor> max_dim(const Tensor& x, int64_t dim, bool keepdim) { return extreme_dim(x, dim, keepdim, true); }
std::pair<Tensor, Tensor> min_dim(const Tensor& x, int64_t dim, bool keepdim) { return extreme_dim(x, dim, keepdim, false); }

Tensor argmax(const Tensor& x, std::optional<int64_t> dim, bool keepdim) { return arg_extreme(x, dim, keepdim, true); }
Tensor argmin(const Tensor& x, std::optional<int64_t> dim, bool keepdim) { return arg_extreme(x, dim, keepdim, false); }

Tensor var(const Tensor& x, const OptDims& dims, double correction, bool keepdim) {
  return var_impl(x, dims, correction, keepdim, false);
}
Tensor stddev(const Tensor& x, const OptDims& dims, double correction, bool keepdim) {
  return var_impl(x, dims, correction, keepdim, true);
}

Tensor norm(const Tensor& x, double p, const OptDims& dims, bool keepdim) {
  Plan pl = make_plan(x, dims, keepdim, "linalg.vector_norm");
  TL_CHECK(is_floating(x.dtype()), "linalg.vector_norm: Expected a floating point or complex tensor as input. Got ",
           dtype_torch_name(x.dtype()));
  const bool no_identity = p < 0 || std::isinf(p);
  if (no_identity && x.numel() == 0) {
    if (pl.all_dims) {
      TL_CHECK(false, "linalg.vector_norm cannot compute the ", p, " norm on an empty tensor because the operation "
               "does not have an identity");
    }
    for (int64_t d = 0; d < x.dim(); ++d)
      TL_CHECK(!(pl.mask[d] && x.sizes()[d] == 0), "linalg.vector_norm cannot compute the ", p,
               " norm on the dimension ", d, "because this dimension is empty and the operation does not have an "
               "identity");
  }
  cpu::ReduceOp op = p == 0.0 ? cpu::ReduceOp::Norm0
                     : p == 1.0 ? cpu::ReduceOp::Norm1
                     : p == 2.0 ? cpu::ReduceOp::Norm2
                     : (std::isinf(p) && p > 0) ? cpu::ReduceOp::NormInf
                     : std::isinf(p) ? cpu::ReduceOp::NormNegInf
                     : cpu::ReduceOp::NormP;
  return simple(op, x, pl, x.dtype(), p);
}

Tensor all(const Tensor& x, const OptDims& dims, bool keepdim) { return all_any(x, dims, keepdim, true); }
Tensor any(const Tensor& x, const OptDims& dims, bool keepdim) { return all_any(x, dims, keepdim, false); }

Tensor logsumexp(const Tensor& x, const OptDims& dims, bool keepdim) {
  Plan p = make_plan(x, dims, keepdim, "logsumexp");
  Tensor xf = is_floating(x.dtype()) ? x : to_dtype(x, default_float_dtype());
  Tensor out = Tensor::empty(p.keep_shape, xf.dtype(), x.device());
  if (out.numel() == 0) return finish(out, p);
  if (p.n_red == 0) {
    TL_KERNEL(x.device(), reduce_kernel, cpu::ReduceOp::LogSumExp, out, xf, 0.0, nullptr);
    return finish(out, p);
  }
  // Subtracting the max keeps exp in range; an infinite max is replaced by 0 (as torch) so that
  // +inf inputs give +inf and all -inf inputs give -inf instead of NaN.
  Tensor m = Tensor::empty(p.keep_shape, xf.dtype(), x.device());
  TL_KERNEL(x.device(), reduce_kernel, cpu::ReduceOp::Max, m, xf, 0.0, nullptr);
  m = where(unary(UnaryOp::isinf, m), full({}, Scalar::from_double(0.0), xf.dtype(), x.device()), m);
  TL_KERNEL(x.device(), reduce_kernel, cpu::ReduceOp::LogSumExp, out, xf, 0.0, &m);
  return finish(out, p);
}

Tensor cumsum(const Tensor& x, int64_t dim, std::optional<DType> dtype, bool reverse) {
  int64_t d = wrap_dim(dim, x.dim());
  DType dt = sum_dtype(x, dtype);
  TL_CHECK(dt != DType::Bool, "cumsum: not implemented for 'Bool' output");
  Tensor in = to_dtype(x, dt).contiguous();
  Tensor out = Tensor::empty(x.sizes(), dt, x.device());
  TL_KERNEL(x.device(), cumsum_kernel, out, in, d, reverse);
  return out;
}

Tensor cumprod(const Tensor& x, int64_t dim, std::optional<DType> dtype) {
  int64_t d = wrap_dim(dim, x.dim());
  DType dt = sum_dtype(x, dtype);
  TL_CHECK(dt != DType::Bool, "cumprod: not implemented for 'Bool' output");
  Tensor in = to_dtype(x, dt).contiguous();
  Tensor out = Tensor::empty(x.sizes(), dt, x.device());
  TL_KERNEL(x.device(), scan_kernel, cpu::ScanOp::Prod, out, nullptr, in, d);
  return out;
}

namespace {
std::pair<Tensor, Tensor> cum_extreme(const Tensor& x, int64_t dim, bool is_max) {
  int64_t d = wrap_dim(dim, x.dim());
  Tensor in = x.contiguous();
  Tensor out = Tensor::empty(x.sizes(), x.dtype(), x.device());
  Tensor idx = Tensor::empty(x.sizes(), DType::Int64, x.device());
  TL_KERNEL(x.device(), scan_kernel, is_max ? cpu::ScanOp::Max : cpu::ScanOp::Min, out, &idx, in, d);
  return {out, idx};
}
}  // namespace

std::pair<Tensor, Tensor> cummax(const Tensor& x, int64_t dim) { return cum_extreme(x, dim, true); }
std::pair<Tensor, Tensor> cummin(const Tensor& x, int64_t dim) { return cum_extreme(x, dim, false); }

Tensor logcumsumexp(const Tensor& x, int64_t dim) {
  int64_t d = wrap_dim(dim, x.dim());
  if (!is_floating(x.dtype()))
    TL_THROW(NotImplemented, "\"logcumsumexp_out_cpu\" not implemented for '", dtype_torch_name(x.dtype()), "'");
  Tensor in = x.contiguous();
  Tensor out = Tensor::empty(x.sizes(), x.dtype(), x.device());
  TL_KERNEL(x.device(), scan_kernel, cpu::ScanOp::LogSumExp, out, nullptr, in, d);
  return out;
}

}  // namespace tl
