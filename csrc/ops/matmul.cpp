// Matrix-product ops: validate once, allocate the output on the operands' device, describe the operands
// to gemm (the CPU or CUDA kernel, via TL_KERNEL) as strided matrices (a transposed or sliced input is
// only a different pair of strides; nothing is copied) with per-batch offsets (a broadcast batch dim is
// offset 0 for every item, so nothing is expanded either). No tensor memory is read here.
#include "matmul.h"
#include "copy.h"
#include "dispatch.h"
#include "../cpu/matmul.h"
#ifdef TL_WITH_CUDA
#include "../cuda/matmul.h"
#endif

namespace tl {

namespace {

// torch's mm messages name C++ types ("float != double").
const char* cpp_type_name(DType t) {
  switch (t) {
    case DType::Bool: return "bool";
    case DType::UInt8: return "unsigned char";
    case DType::Int32: return "int";
    case DType::Int64: return "long int";
    case DType::Float32: return "float";
    case DType::Float64: return "double";
  }
  return "?";
}

// torch names the device's kernel in its dtype error ("addmm_impl_cpu_" / "addmm_cuda").
void check_not_bool(const Tensor& t, const char* cpu_name, const char* cuda_name) {
  if (t.dtype() == DType::Bool)
    TL_THROW(NotImplemented, "\"", t.device().is_cuda() ? cuda_name : cpu_name, "\" not implemented for 'Bool'");
}

// torch's expand() message when `from` cannot be broadcast to `to` (addmm's self, linear's bias).
void check_expandable(const Shape& from, const Shape& to) {
  const int64_t nf = static_cast<int64_t>(from.size()), nt = static_cast<int64_t>(to.size());
  TL_CHECK(nf <= nt, "The number of sizes provided (", nt, ") must be greater or equal to the number of dimensions "
           "in the tensor (", nf, ")");
  for (int64_t i = 0; i < nf; ++i) {
    int64_t d = nt - nf + i;
    TL_CHECK(from[i] == to[d] || from[i] == 1, "The expanded size of the tensor (", to[d],
             ") must match the existing size (", from[i], ") at non-singleton dimension ", d,
             ".  Target sizes: ", shape_str(to), ".  Tensor sizes: ", shape_str(from));
  }
}

bool is_zero(const Scalar& s) { return s.kind == Scalar::Kind::Float ? s.d == 0.0 : s.i == 0; }

Tensor unsqueeze(const Tensor& t, int64_t d) {
  Shape sz = t.sizes(), st = t.strides();
  int64_t s = d < t.dim() ? sz[d] * st[d] : 1;
  sz.insert(sz.begin() + d, 1);
  st.insert(st.begin() + d, s);
  return t.as_strided(sz, st, t.offset());
}

// Drops a size-1 dim of a tensor (a view).
Tensor squeeze(const Tensor& t, int64_t d) {
  Shape sz = t.sizes(), st = t.strides();
  sz.erase(sz.begin() + d);
  st.erase(st.begin() + d);
  return t.as_strided(sz, st, t.offset());
}

// t (..., K) as a (P, K) matrix: a view when the leading dims collapse into one stride (torch's
// reshape would not copy either), else a contiguous copy.
Tensor fold_rows(const Tensor& t) {
  const int64_t nd = t.dim();
  int64_t P = 1;
  for (int64_t d = 0; d + 1 < nd; ++d) P *= t.sizes()[d];
  int64_t stride = 0, span = 0;  // stride of the collapsed group and its size so far
  bool ok = true;
  for (int64_t d = nd - 2; d >= 0; --d) {
    int64_t s = t.sizes()[d];
    if (s == 1) continue;
    if (span == 0) { stride = t.strides()[d]; span = s; continue; }
    if (t.strides()[d] != stride * span) { ok = false; break; }
    span *= s;
  }
  if (span == 0) stride = t.dim() ? t.sizes().back() : 1;
  const int64_t K = nd ? t.sizes().back() : 1;
  const int64_t ks = nd ? t.strides().back() : 1;
  if (ok || P == 0) return t.as_strided({P, K}, {stride, ks}, t.offset());
  Tensor c = t.contiguous();
  return c.as_strided({P, K}, {K, 1}, c.offset());
}

// Element offsets of each batch item of t (..., r, c) whose batch dims broadcast to `bs`.
std::vector<int64_t> batch_offsets(const Tensor& t, const Shape& bs) {
  const int64_t nb = static_cast<int64_t>(bs.size());
  const int64_t tb = t.dim() - 2;
  Shape st(nb, 0);
  for (int64_t i = 0; i < tb; ++i)
    if (t.sizes()[i] != 1) st[nb - tb + i] = t.strides()[i];
  const int64_t n = shape_numel(bs);
  std::vector<int64_t> off(static_cast<size_t>(n), 0);
  Shape idx(nb, 0);
  int64_t cur = 0;
  for (int64_t i = 0; i < n; ++i) {
    off[i] = cur;
    for (int64_t d = nb - 1; d >= 0; --d) {  // odometer increment
      cur += st[d];
      if (++idx[d] < bs[d]) break;
      cur -= st[d] * bs[d];
      idx[d] = 0;
    }
  }
  return off;
}

// c (bs..., M, N) = alpha * a (..., M, K) @ b (..., K, N) + beta * c; a and b batch dims broadcast to bs.
void run_gemm(const Shape& bs, const Tensor& a, const Tensor& b, const Tensor& c, const Scalar& alpha,
              const Scalar& beta) {
  cpu::GemmArgs g;
  g.batch = shape_numel(bs);
  g.M = a.sizes()[a.dim() - 2];
  g.K = a.sizes()[a.dim() - 1];
  g.N = b.sizes()[b.dim() - 1];
  if (g.batch == 0 || g.M == 0 || g.N == 0) return;
  g.a = a.data_ptr();
  g.b = b.data_ptr();
  g.c = c.data_ptr();
  g.a_off = batch_offsets(a, bs);
  g.b_off = batch_offsets(b, bs);
  g.c_off = batch_offsets(c, bs);
  g.rsa = a.strides()[a.dim() - 2];
  g.csa = a.strides()[a.dim() - 1];
  g.rsb = b.strides()[b.dim() - 2];
  g.csb = b.strides()[b.dim() - 1];
  g.rsc = c.strides()[c.dim() - 2];
  g.csc = c.strides()[c.dim() - 1];
  g.device = c.device().index;
  TL_KERNEL(c.device(), gemm, c.dtype(), g, alpha, beta);
}

const Scalar kOne = Scalar::from_int(1);
const Scalar kZero = Scalar::from_int(0);

std::string mat_str(int64_t r, int64_t c) { return str_cat(r, "x", c); }

void check_mm_shapes(const Tensor& a, const Tensor& b) {
  TL_CHECK(a.sizes()[1] == b.sizes()[0], "mat1 and mat2 shapes cannot be multiplied (",
           mat_str(a.sizes()[0], a.sizes()[1]), " and ", mat_str(b.sizes()[0], b.sizes()[1]), ")");
}

void check_bmm_shapes(int64_t batch, int64_t ka, int64_t batch_b, int64_t kb) {
  TL_CHECK(batch == batch_b && ka == kb, "Expected size for first two dimensions of batch2 tensor to be: [", batch,
           ", ", ka, "] but got: [", batch_b, ", ", kb, "].");
}


// The caller's out= tensor, written in place, or a fresh output. The Python layer has already applied
// torch's out= rules (dtype/device errors, resize_output, aliased or self-overlapping outs go through a
// temporary), so these checks only keep a direct caller of _C from getting a silently wrong answer: the
// GEMM reads its operands while writing C, so C must not share memory with them.
Tensor out_or_empty(const std::optional<Tensor>& dst, const Shape& s, DType dt, Device dev,
                    std::initializer_list<const Tensor*> inputs) {
  if (!dst) return Tensor::empty(s, dt, dev);
  TL_CHECK(dst->dtype() == dt, "Expected out tensor to have dtype ", cpp_type_name(dt), ", but got ",
           cpp_type_name(dst->dtype()), " instead");
  TL_CHECK(dst->device() == dev, "Expected out tensor to have device ", dev.str(), ", but got ", dst->device().str(),
           " instead");
  TL_CHECK(dst->sizes() == s, "out tensor has shape ", shape_str(dst->sizes()), " but the result has shape ",
           shape_str(s));
  for (int64_t d = 0; d < dst->dim(); ++d)
    TL_CHECK(dst->sizes()[d] <= 1 || dst->strides()[d] != 0, "unsupported operation: more than one element of the "
             "written-to tensor refers to a single memory location. Please clone() the tensor before performing "
             "the operation.");
  for (const Tensor* t : inputs)
    TL_CHECK(t->storage() != dst->storage(), "out= tensor shares memory with an input of the product; pass a "
             "separate tensor");
  return *dst;
}

}  // namespace

Tensor mm(const Tensor& a, const Tensor& b, const std::optional<Tensor>& dst) {
  check_same_device("mm", {&a, &b});
  TL_CHECK(a.dim() == 2, "self must be a matrix");
  TL_CHECK(b.dim() == 2, "mat2 must be a matrix");
  TL_CHECK(a.dtype() == b.dtype(), "expected m1 and m2 to have the same dtype, but got: ", cpp_type_name(a.dtype()),
           " != ", cpp_type_name(b.dtype()));
  check_mm_shapes(a, b);
  check_not_bool(a, "addmm_impl_cpu_", "addmm_cuda");
  Tensor out = out_or_empty(dst, {a.sizes()[0], b.sizes()[1]}, a.dtype(), a.device(), {&a, &b});
  run_gemm({}, a, b, out, kOne, kZero);
  return out;
}

Tensor addmm(const Tensor& self, const Tensor& a, const Tensor& b, const Scalar& beta, const Scalar& alpha,
             const std::optional<Tensor>& dst) {
  check_same_device("addmm", {&self, &a, &b});
  TL_CHECK(a.dim() == 2, "mat1 must be a matrix, got ", a.dim(), "-D tensor");
  TL_CHECK(b.dim() == 2, "mat2 must be a matrix, got ", b.dim(), "-D tensor");
  check_mm_shapes(a, b);
  TL_CHECK(a.dtype() == b.dtype(), "mat1 and mat2 must have the same dtype, but got ", dtype_torch_name(a.dtype()),
           " and ", dtype_torch_name(b.dtype()));
  TL_CHECK(self.dtype() == b.dtype(), "self and mat2 must have the same dtype, but got ",
           dtype_torch_name(self.dtype()), " and ", dtype_torch_name(b.dtype()));
  check_not_bool(a, "addmm_impl_cpu_", "addmm_cuda");
  Shape os{a.sizes()[0], b.sizes()[1]};
  check_expandable(self.sizes(), os);
  Tensor out = out_or_empty(dst, os, a.dtype(), a.device(), {&self, &a, &b});
  const bool use_self = !is_zero(beta);
  if (use_self) copy_(out, self);
  if (a.sizes()[1] == 0 && !use_self) {  // K == 0 and beta == 0: zeros, whatever alpha is
    fill_(out, kZero);
    return out;
  }
  run_gemm({}, a, b, out, alpha, use_self ? beta : kZero);
  return out;
}

Tensor bmm(const Tensor& a, const Tensor& b, const std::optional<Tensor>& dst) {
  check_same_device("bmm", {&a, &b});
  TL_CHECK(a.dim() == 3, "batch1 must be a 3D tensor");
  TL_CHECK(b.dim() == 3, "batch2 must be a 3D tensor");
  TL_CHECK(a.dtype() == b.dtype(), "expected scalar type ", dtype_torch_name(a.dtype()), " but found ",
           dtype_torch_name(b.dtype()));
  check_bmm_shapes(a.sizes()[0], a.sizes()[2], b.sizes()[0], b.sizes()[1]);
  check_not_bool(a, "bmm", "bmm_cuda");
  Tensor out = out_or_empty(dst, {a.sizes()[0], a.sizes()[1], b.sizes()[2]}, a.dtype(), a.device(), {&a, &b});
  run_gemm({a.sizes()[0]}, a, b, out, kOne, kZero);
  return out;
}

Tensor baddbmm(const Tensor& self, const Tensor& a, const Tensor& b, const Scalar& beta, const Scalar& alpha,
               const std::optional<Tensor>& dst) {
  check_same_device("baddbmm", {&self, &a, &b});
  TL_CHECK(a.dim() == 3, "batch1 must be a 3D tensor");
  TL_CHECK(b.dim() == 3, "batch2 must be a 3D tensor");
  TL_CHECK(a.dtype() == b.dtype() && self.dtype() == a.dtype(), "expected scalar type ", dtype_torch_name(a.dtype()),
           " but found ", dtype_torch_name(self.dtype() != a.dtype() ? self.dtype() : b.dtype()));
  check_bmm_shapes(a.sizes()[0], a.sizes()[2], b.sizes()[0], b.sizes()[1]);
  check_not_bool(a, "baddbmm", "baddbmm_cuda");
  Shape os{a.sizes()[0], a.sizes()[1], b.sizes()[2]};
  check_expandable(self.sizes(), os);
  Tensor out = out_or_empty(dst, os, a.dtype(), a.device(), {&self, &a, &b});
  const bool use_self = !is_zero(beta);
  if (use_self) copy_(out, self);
  if (a.sizes()[2] == 0 && !use_self) {
    fill_(out, kZero);
    return out;
  }
  run_gemm({a.sizes()[0]}, a, b, out, alpha, use_self ? beta : kZero);
  return out;
}

Tensor mv(const Tensor& a, const Tensor& x, const std::optional<Tensor>& dst) {
  check_same_device("mv", {&a, &x});
  TL_CHECK(a.dim() == 2 && x.dim() == 1, "vector + matrix @ vector expected, got 1, ", a.dim(), ", ", x.dim());
  TL_CHECK(a.dtype() == x.dtype(), "addmv input tensors must have the same dtype, but got ",
           dtype_torch_name(x.dtype()), ", ", dtype_torch_name(a.dtype()), ", and ", dtype_torch_name(x.dtype()));
  TL_CHECK(a.sizes()[1] == x.sizes()[0], "size mismatch, got input (", a.sizes()[0], "), mat (",
           mat_str(a.sizes()[0], a.sizes()[1]), "), vec (", x.sizes()[0], ")");
  check_not_bool(a, "addmv_impl_cpu", "addmv_impl_cuda");
  Tensor out = out_or_empty(dst, {a.sizes()[0]}, a.dtype(), a.device(), {&a, &x});
  run_gemm({}, a, unsqueeze(x, 1), unsqueeze(out, 1), kOne, kZero);
  return out;
}

Tensor dot(const Tensor& x, const Tensor& y, const std::optional<Tensor>& dst) {
  check_same_device("dot", {&x, &y});
  TL_CHECK(x.dim() == 1 && y.dim() == 1, "1D tensors expected, but got ", x.dim(), "D and ", y.dim(), "D tensors");
  TL_CHECK(x.dtype() == y.dtype(), "dot : expected both vectors to have same dtype, but found ",
           dtype_torch_name(x.dtype()), " and ", dtype_torch_name(y.dtype()));
  TL_CHECK(x.sizes()[0] == y.sizes()[0], "inconsistent tensor size, expected tensor [", x.sizes()[0],
           "] and src [", y.sizes()[0], "] to have the same number of elements, but got ", x.sizes()[0], " and ",
           y.sizes()[0], " elements respectively");
  check_not_bool(x, "dot", "dot");
  Tensor out = out_or_empty(dst, {}, x.dtype(), x.device(), {&x, &y});
  Tensor o2 = out.as_strided({1, 1}, {1, 1}, out.offset());
  run_gemm({}, unsqueeze(x, 0), unsqueeze(y, 1), o2, kOne, kZero);
  return out;
}

Tensor matmul(const Tensor& a, const Tensor& b) {
  check_same_device("matmul", {&a, &b});
  const int64_t da = a.dim(), db = b.dim();
  TL_CHECK(da > 0 && db > 0, "both arguments to matmul need to be at least 1D, but they are ", da, "D and ", db, "D");
  if (da == 1 && db == 1) return dot(a, b);
  if (da == 2 && db == 1) return mv(a, b);
  if (da == 1 && db == 2) return squeeze(mm(unsqueeze(a, 0), b), 0);
  if (da == 2 && db == 2) return mm(a, b);
  if (da >= 3 && db <= 2) {
    // Fold the batch into M: one big GEMM instead of many small ones (torch does the same).
    Tensor a2 = fold_rows(a);
    Tensor r = db == 1 ? mv(a2, b) : mm(a2, b);
    Shape os(a.sizes().begin(), a.sizes().end() - 1);
    if (db == 2) os.push_back(b.sizes()[1]);
    return r.as_strided(os, contiguous_strides(os), r.offset());
  }
  // Batched, with broadcasting of the batch dims.
  const Tensor a1 = da == 1 ? unsqueeze(a, 0) : a;
  const Tensor b1 = db == 1 ? unsqueeze(b, 1) : b;
  const int64_t M = a1.sizes()[a1.dim() - 2], K = a1.sizes()[a1.dim() - 1];
  const int64_t K2 = b1.sizes()[b1.dim() - 2], N = b1.sizes()[b1.dim() - 1];
  Shape bs = broadcast_shapes(Shape(a1.sizes().begin(), a1.sizes().end() - 2),
                              Shape(b1.sizes().begin(), b1.sizes().end() - 2));
  TL_CHECK(a.dtype() == b.dtype(), "expected scalar type ", dtype_torch_name(a.dtype()), " but found ",
           dtype_torch_name(b.dtype()));
  const int64_t P = shape_numel(bs);
  check_bmm_shapes(P, K, P, K2);
  check_not_bool(a, "bmm", "bmm_cuda");
  Shape os = bs;
  os.push_back(M);
  os.push_back(N);
  Tensor out = Tensor::empty(os, a.dtype(), a.device());
  if (K == 0) fill_(out, kZero);
  else run_gemm(bs, a1, b1, out, kOne, kZero);
  if (da == 1) out = squeeze(out, out.dim() - 2);
  if (db == 1) out = squeeze(out, out.dim() - 1);
  return out;
}

Tensor linear(const Tensor& x, const Tensor& w, const std::optional<Tensor>& bias) {
  check_same_device("linear", {&x, &w, bias ? &*bias : nullptr});
  if (w.dim() == 1 && !bias) return matmul(x, w);
  TL_CHECK(w.dim() == 2, "mat2 must be a matrix, got ", w.dim(), "-D tensor");
  TL_CHECK(x.dim() > 0, "both arguments to matmul need to be at least 1D, but they are 0D and 2D");
  const Tensor wt = w.as_strided({w.sizes()[1], w.sizes()[0]}, {w.strides()[1], w.strides()[0]}, w.offset());
  const Tensor x2 = fold_rows(x);
  TL_CHECK(x.dtype() == w.dtype(), "expected m1 and m2 to have the same dtype, but got: ", cpp_type_name(x.dtype()),
           " != ", cpp_type_name(w.dtype()));
  check_mm_shapes(x2, wt);
  check_not_bool(x, "addmm_impl_cpu_", "addmm_cuda");
  Shape os(x.sizes().begin(), x.sizes().end() - 1);
  os.push_back(w.sizes()[0]);
  if (bias) {
    TL_CHECK(bias->dtype() == w.dtype(), "self and mat2 must have the same dtype, but got ",
             dtype_torch_name(bias->dtype()), " and ", dtype_torch_name(w.dtype()));
    check_expandable(bias->sizes(), os);
  }
  Tensor out = Tensor::empty(os, x.dtype(), x.device());
  const int64_t P = x2.sizes()[0], O = w.sizes()[0];
  Tensor out2 = out.as_strided({P, O}, {O, 1}, out.offset());
  if (bias) copy_(out, *bias);
  if (x2.sizes()[1] == 0 && !bias) {
    fill_(out, kZero);
    return out;
  }
  run_gemm({}, x2, wt, out2, kOne, bias ? kOne : kZero);
  return out;
}

}  // namespace tl
