#include "elementwise.h"
#include "copy.h"
#include "../cpu/elementwise.h"
#include "dispatch.h"
#ifdef TL_WITH_CUDA
#include "../cuda/elementwise.h"
#endif

namespace tl {

const char* op_name(UnaryOp op) {
  switch (op) {
#define TL_UNARY(name, kind, expr) case UnaryOp::name: return #name;
#include "elementwise.def"
  }
  return "?";
}
const char* op_name(BinaryOp op) {
  switch (op) {
#define TL_BINARY(name, kind, expr) case BinaryOp::name: return #name;
#include "elementwise.def"
  }
  return "?";
}
UnaryKind op_kind(UnaryOp op) {
  switch (op) {
#define TL_UNARY(name, kind, expr) case UnaryOp::name: return UnaryKind::kind;
#include "elementwise.def"
  }
  return UnaryKind::SAME;
}
BinaryKind op_kind(BinaryOp op) {
  switch (op) {
#define TL_BINARY(name, kind, expr) case BinaryOp::name: return BinaryKind::kind;
#include "elementwise.def"
  }
  return BinaryKind::ARITH;
}

namespace {

constexpr int kUndef = -1;

struct Promotion {
  int dim = kUndef, zero = kUndef, wrapped = kUndef;
  void add(const Tensor& t) {
    int& slot = t.dim() > 0 ? dim : zero;
    slot = std::max(slot, static_cast<int>(t.dtype()));
  }
  void add(const Scalar& s) { wrapped = std::max(wrapped, static_cast<int>(s.dtype())); }
  static int combine(int higher, int lower) {
    if (higher == kUndef) return lower;
    if (lower == kUndef) return higher;
    if (is_floating(static_cast<DType>(higher))) return higher;
    if (higher == static_cast<int>(DType::Bool) || is_floating(static_cast<DType>(lower)))
      return std::max(higher, lower);
    return higher;
  }
  DType result() const { return static_cast<DType>(combine(dim, combine(zero, wrapped))); }
};

DType compute_dtype(BinaryOp op, DType promoted) {
  // hypot/logaddexp: integer operands are rejected (check_binary_dtypes), not promoted
  const bool float_only = op == BinaryOp::hypot || op == BinaryOp::logaddexp || op == BinaryOp::logaddexp2;
  if (op_kind(op) == BinaryKind::DIV && !is_floating(promoted) && !float_only) return default_float_dtype();
  return promoted;
}

DType output_dtype(BinaryOp op, DType compute) {
  BinaryKind k = op_kind(op);
  return (k == BinaryKind::CMP || k == BinaryKind::LOGICAL) ? DType::Bool : compute;
}

// torch raises NotImplementedError for a dtype its kernel is not compiled for, naming the kernel.
[[noreturn]] void not_implemented(const char* kernel, DType t) {
  TL_THROW(NotImplemented, "\"", kernel, "\" not implemented for '", dtype_torch_name(t), "'");
}

// The kernel name torch puts in that message: "<op>_cpu" or "<op>_cuda" by the operands' device.
std::string kname(const char* op, bool cuda) { return str_cat(op, cuda ? "_cuda" : "_cpu"); }

void check_binary_dtypes(BinaryOp op, DType a, DType b, DType compute, bool cuda) {
  if (op == BinaryOp::sub && a == DType::Bool && b == DType::Bool)
    TL_THROW(Runtime, "Subtraction, the `-` operator, with two bool tensors is not supported. "
             "Use the `^` or `logical_xor()` operator instead.");
  // any bool tensor operand, whatever the other one is (int64 - bool raises in torch too); Python scalars
  // arrive here already converted to the promoted dtype, so `x - True` stays allowed
  if (op == BinaryOp::sub && (a == DType::Bool || b == DType::Bool))
    TL_THROW(Runtime, "Subtraction, the `-` operator, with a bool tensor is not supported. "
             "If you are trying to invert a mask, use the `~` or `logical_not()` operator instead.");
  if ((op == BinaryOp::bitwise_and || op == BinaryOp::bitwise_or || op == BinaryOp::bitwise_xor) && is_floating(compute))
    not_implemented(kname(op_name(op), cuda).c_str(), compute);
  // torch compiles these for floating types only (its DIV-like promotion does not apply to them)
  if ((op == BinaryOp::hypot || op == BinaryOp::logaddexp || op == BinaryOp::logaddexp2) && !is_floating(compute))
    not_implemented(kname(op_name(op), cuda).c_str(), compute);
  if (compute == DType::Bool) {
    switch (op) {
      case BinaryOp::remainder: not_implemented(kname("remainder", cuda).c_str(), compute);
      case BinaryOp::floor_divide: not_implemented(kname("div_floor", cuda).c_str(), compute);
      case BinaryOp::fmod: not_implemented(kname("fmod", cuda).c_str(), compute);
      case BinaryOp::pow: not_implemented("pow", compute);
      default: break;
    }
  }
}

void check_unary_dtype(UnaryOp op, DType t, bool cuda) {
  UnaryKind k = op_kind(op);
  if (k == UnaryKind::FLOATONLY && !is_floating(t))
    not_implemented(op == UnaryOp::gelu || op == UnaryOp::gelu_tanh ? (cuda ? "GeluCUDAKernelImpl" : "GeluKernelImpl")
                    : op == UnaryOp::selu || op == UnaryOp::celu ? kname("elu", cuda).c_str()
                                                                  : kname(op_name(op), cuda).c_str(),
                    t);
  if (op == UnaryOp::neg && t == DType::Bool)
    TL_THROW(Runtime, "Negation, the `-` operator, on a bool tensor is not supported. If you are trying to invert "
             "a mask, use the `~` or `logical_not()` operator instead.");
  if (op == UnaryOp::bitwise_not && is_floating(t)) not_implemented(kname("bitwise_not", cuda).c_str(), t);
  if (t != DType::Bool) return;
  switch (op) {
    case UnaryOp::relu: TL_THROW(Runtime, "Boolean inputs not supported for relu");
    case UnaryOp::abs: not_implemented(kname("abs", cuda).c_str(), t);
    case UnaryOp::floor: not_implemented(cuda ? "floor_cuda" : "floor_vml_cpu", t);
    case UnaryOp::ceil: not_implemented(cuda ? "ceil_cuda" : "ceil_vml_cpu", t);
    case UnaryOp::round: not_implemented(cuda ? "round_cuda" : "round_vml_cpu", t);
    case UnaryOp::trunc: not_implemented(cuda ? "trunc_cuda" : "trunc_vml_cpu", t);
    default: break;
  }
}

// Integer division by zero is undefined behaviour in C++ (SIGFPE on x86); torch reports it instead.
void check_int_divisor(BinaryOp op, const Tensor& divisor) {
  if (op != BinaryOp::remainder && op != BinaryOp::floor_divide && op != BinaryOp::fmod) return;
  if (!is_integral(divisor.dtype(), false)) return;
  if (TL_KERNEL(divisor.device(), any_zero, divisor)) TL_THROW(Runtime, "ZeroDivisionError");
}

}  // namespace

DType result_type(const Tensor& a, const Tensor& b) {
  Promotion p;
  p.add(a);
  p.add(b);
  return p.result();
}

DType result_type(const Tensor& a, const Scalar& b) {
  Promotion p;
  p.add(a);
  p.add(b);
  return p.result();
}

bool can_cast(DType from, DType to) {
  if (is_floating(from) && !is_floating(to)) return false;
  if (from != DType::Bool && to == DType::Bool) return false;
  return true;
}

Tensor unary(UnaryOp op, const Tensor& x, double p0, double p1) {
  check_unary_dtype(op, x.dtype(), x.device().is_cuda());
  UnaryKind k = op_kind(op);
  Tensor in = (k == UnaryKind::FLOAT && !is_floating(x.dtype())) ? to_dtype(x, default_float_dtype()) : x;
  DType out_dt = k == UnaryKind::BOOLOUT ? DType::Bool : in.dtype();
  Tensor out = Tensor::empty(x.sizes(), out_dt, x.device());
  if (out.numel()) TL_KERNEL(out.device(), unary_kernel, op, out, in, p0, p1);
  return out;
}

void unary_(UnaryOp op, const Tensor& x, double p0, double p1) {
  check_unary_dtype(op, x.dtype(), x.device().is_cuda());
  UnaryKind k = op_kind(op);
  DType res = k == UnaryKind::BOOLOUT ? DType::Bool : (k == UnaryKind::FLOAT && !is_floating(x.dtype()) ? default_float_dtype() : x.dtype());
  if (!can_cast(res, x.dtype()))
    TL_THROW(Runtime, "result type ", dtype_torch_name(res), " can't be cast to the desired output type ",
             dtype_torch_name(x.dtype()));
  check_writable(x, op_name(op));
  if (x.numel() == 0) return;
  if (res == x.dtype()) {
    TL_KERNEL(x.device(), unary_kernel, op, x, x, p0, p1);
  } else {
    copy_(x, unary(op, x, p0, p1));
  }
}

namespace {

// torch lets a zero-dim CPU tensor take part in an op on another device, as if it were a Python scalar:
// it is copied to the other operand's device. Any other mix of devices is an error.
Tensor on_device_of(const Tensor& t, const Tensor& other) {
  if (t.device() != other.device() && t.device().is_cpu() && t.dim() == 0) return to_device(t, other.device(), t.dtype());
  return t;
}

Tensor run_binary(BinaryOp op, const Tensor& a_in, const Tensor& b_in, DType promoted, const Tensor* out_opt) {
  const Tensor& dev_of = out_opt ? *out_opt : (a_in.dim() == 0 && a_in.device().is_cpu() ? b_in : a_in);
  const Tensor a = on_device_of(a_in, dev_of), b = on_device_of(b_in, dev_of);
  check_same_device(op_name(op), {out_opt, &a, &b});
  // torch reports a shape mismatch before a dtype it has no kernel for
  Shape shape = broadcast_shapes(a.sizes(), b.sizes());
  DType compute = compute_dtype(op, promoted);
  check_binary_dtypes(op, a.dtype(), b.dtype(), compute, a.device().is_cuda());
  DType out_dt = output_dtype(op, compute);
  Tensor ac = to_dtype(a, compute), bc = to_dtype(b, compute);
  if (shape_numel(shape) > 0) check_int_divisor(op, bc);  // an empty result divides nothing (torch: no error)
  if (out_opt) {
    const Tensor& self = *out_opt;
    if (shape != self.sizes())
      TL_THROW(Runtime, "output with shape ", shape_str(self.sizes()), " doesn't match the broadcast shape ",
               shape_str(shape));
    if (!can_cast(out_dt, self.dtype()))
      TL_THROW(Runtime, "result type ", dtype_torch_name(out_dt), " can't be cast to the desired output type ",
               dtype_torch_name(self.dtype()));
    check_writable(self, op_name(op));
    if (self.numel() == 0) return self;
    if (out_dt == self.dtype()) {
      TL_KERNEL(self.device(), binary_kernel, op, self, input_for_write(self, ac), input_for_write(self, bc));
    } else {
      Tensor tmp = Tensor::empty(shape, out_dt, self.device());
      TL_KERNEL(tmp.device(), binary_kernel, op, tmp, ac, bc);
      copy_(self, tmp);
    }
    return self;
  }
  Tensor out = Tensor::empty(shape, out_dt, a.device());
  if (out.numel()) TL_KERNEL(out.device(), binary_kernel, op, out, ac, bc);
  return out;
}

Tensor scalar_tensor(const Scalar& s, DType dt, Device device) { return full({}, s, dt, device); }

void check_int_pow(BinaryOp op, DType compute, const Scalar& exponent) {
  if (op == BinaryOp::pow && is_integral(compute, false) && exponent.kind != Scalar::Kind::Float && exponent.i < 0)
    TL_THROW(Runtime, "Integers to negative integer powers are not allowed.");
}

}  // namespace

Tensor binary(BinaryOp op, const Tensor& a, const Tensor& b) {
  return run_binary(op, a, b, result_type(a, b), nullptr);
}

Tensor binary(BinaryOp op, const Tensor& a, const Scalar& b, bool reverse) {
  DType promoted = result_type(a, b);
  if (!reverse) check_int_pow(op, promoted, b);
  // torch rejects a Python bool operand of `-` too, before it becomes a tensor of the promoted dtype
  if (b.dtype() == DType::Bool)
    check_binary_dtypes(op, a.dtype(), DType::Bool, compute_dtype(op, promoted), a.device().is_cuda());
  Tensor bt = scalar_tensor(b, promoted, a.device());
  return reverse ? run_binary(op, bt, a, promoted, nullptr) : run_binary(op, a, bt, promoted, nullptr);
}

void binary_(BinaryOp op, const Tensor& self, const Tensor& other) {
  run_binary(op, self, other, result_type(self, other), &self);
}

void binary_(BinaryOp op, const Tensor& self, const Scalar& other) {
  DType promoted = result_type(self, other);
  check_int_pow(op, promoted, other);
  if (other.dtype() == DType::Bool)
    check_binary_dtypes(op, self.dtype(), DType::Bool, compute_dtype(op, promoted), self.device().is_cuda());
  run_binary(op, self, scalar_tensor(other, promoted, self.device()), promoted, &self);
}

Tensor where(const Tensor& cond_in, const Tensor& a_in, const Tensor& b_in) {
  TL_CHECK(cond_in.dtype() == DType::Bool || cond_in.dtype() == DType::UInt8,
           "where expected condition to be a boolean tensor, but got a tensor with dtype ",
           dtype_torch_name(cond_in.dtype()));
  DType dt = result_type(a_in, b_in);
  const Tensor& dev_of = cond_in.dim() == 0 && cond_in.device().is_cpu() ? (a_in.dim() == 0 && a_in.device().is_cpu() ? b_in : a_in) : cond_in;
  const Tensor cond = on_device_of(cond_in, dev_of), a = on_device_of(a_in, dev_of), b = on_device_of(b_in, dev_of);
  check_same_device("where", {&cond, &a, &b});
  Shape shape = broadcast_shapes(cond.sizes(), broadcast_shapes(a.sizes(), b.sizes()));
  Tensor out = Tensor::empty(shape, dt, cond.device());
  if (out.numel()) TL_KERNEL(out.device(), where_kernel, out, to_dtype(cond, DType::Bool), to_dtype(a, dt), to_dtype(b, dt));
  return out;
}

}  // namespace tl
