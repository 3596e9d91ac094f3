// Validation and dispatch for the indexing family; contracts in index.h. Index tensors are checked
// here once (dtype, rank, range) so the kernels in cpu/index.cpp and cuda/index.cu can trust every
// index.
//
// Devices: index tensors (and masks) may live on the CPU or on self's device, as torch accepts lists
// and CPU index tensors for a CUDA tensor; they are moved to self's device. Data operands (src,
// values) must be on self's device (a 0-d CPU value is a scalar, as in torch). Host reads of index
// values (range-error reports, advanced-indexing offsets) go through to_host; the range check itself
// is a kernel that returns a flag, and compaction counts come back from the device (torch syncs there
// too).
#include "index.h"
#include "copy.h"
#include "dispatch.h"
#include "../cpu/index.h"
#ifdef TL_WITH_CUDA
#include "../cuda/index.h"
#endif

namespace tl {

namespace {

bool is_index_dtype(DType t) { return t == DType::Int64 || t == DType::Int32; }

// 0-d tensors behave as (1,) for the dim-wise ops, as torch.
Tensor as_1d_if_scalar(const Tensor& t) {
  if (t.dim() > 0) return t;
  return Tensor(t.storage(), {1}, {1}, t.offset(), t.dtype());
}

// An index tensor or mask on `self`'s device (moved from the CPU when needed) with dtype `dt`. An
// operand on another accelerator is torch's mixed-device error.
Tensor on_device_of(const Tensor& t, const Tensor& self, DType dt, const char* op) {
  if (t.device() != self.device() && !t.device().is_cpu()) check_same_device(op, {&self, &t});
  return to_device(t, self.device(), dt);
}
Tensor index_for(const Tensor& idx, const Tensor& self, const char* op) {
  return on_device_of(idx, self, DType::Int64, op);
}

// Visits every value of an int64 tensor (any strides, any device) in row-major order, on the host.
template <class F>
void for_each_index(const Tensor& idx_any, const F& f) {
  const Tensor idx = to_host(idx_any);
  const int64_t* p = idx.data<int64_t>();
  if (idx.is_contiguous()) {
    for (int64_t i = 0, n = idx.numel(); i < n; ++i) f(p[i]);
    return;
  }
  for (int64_t o : cpu::enumerate_offsets(idx.sizes(), idx.strides())) f(p[o]);
}

bool in_range(const Tensor& idx, int64_t size) { return TL_KERNEL(idx.device(), indices_in_range, idx, size); }

// Range check for gather/scatter/index_add: torch raises RuntimeError and does not wrap negatives.
// A vectorised pass (a flag kernel on a device) first; the offending value is looked up only on failure.
void check_range_runtime(const Tensor& idx, int64_t size, int64_t dim) {
  if (in_range(idx, size)) return;
  for_each_index(idx, [&](int64_t v) {
    if (v < 0 || v >= size) TL_THROW(Runtime, "index ", v, " is out of bounds for dimension ", dim, " with size ", size);
  });
}

// idx.size(d) <= self.size(d) for d != dim (and <= src.size(d) for every d): torch's scatter/gather rule.
void check_gather_scatter_shapes(const char* op, const Tensor& self, int64_t dim, const Tensor& idx, const Tensor* src) {
  if (src) {
    bool ok = true;
    for (int64_t d = 0; d < self.dim(); ++d) {
      if (d != dim && idx.sizes()[d] > self.sizes()[d]) ok = false;
      if (idx.sizes()[d] > src->sizes()[d]) ok = false;
    }
    if (!ok)
      TL_THROW(Runtime, op, "(): Expected index ", shape_str(idx.sizes()), " to be no larger than self ",
               shape_str(self.sizes()), " apart from dimension ", dim, " and to be no larger size than src ",
               shape_str(src->sizes()));
    return;
  }
  for (int64_t d = 0; d < self.dim(); ++d)
    if (d != dim && idx.sizes()[d] > self.sizes()[d])
      TL_THROW(Runtime, op, "(): Size does not match at dimension ", d, " expected index ", shape_str(idx.sizes()),
               " to be no larger than self ", shape_str(self.sizes()), " apart from dimension ", dim);
}

}  // namespace

Tensor index_select(const Tensor& x_in, int64_t dim, const Tensor& idx_in) {
  TL_CHECK_INDEX(idx_in.dim() <= 1, "index_select(): Index is supposed to be a vector");
  TL_CHECK(is_index_dtype(idx_in.dtype()), "index_select(): Expected dtype int32 or int64 for index");
  dim = wrap_dim(dim, x_in.dim());
  if (x_in.dim() == 0)
    TL_CHECK(idx_in.numel() == 1, "index_select(): Index to scalar can have only 1 value, got ", idx_in.numel(),
             " value(s)");
  Tensor x = as_1d_if_scalar(x_in).contiguous();
  Tensor idx = index_for(idx_in, x, "index_select");
  const int64_t size = x.sizes()[dim];
  if (!in_range(idx, size))
    for_each_index(idx, [&](int64_t v) {
      TL_CHECK_INDEX(v >= 0 && v < size, "index_select(): index ", v, " is out of bounds for dimension ", dim,
                     " with size ", size, " (index out of range in self)");
    });
  Shape out_shape = x.sizes();
  out_shape[dim] = idx.numel();
  Tensor out = Tensor::empty(out_shape, x.dtype(), x.device());
  if (out.numel() > 0) TL_KERNEL(out.device(), index_select_kernel, out, x, dim, idx);
  if (x_in.dim() == 0) return Tensor(out.storage(), {}, {}, 0, out.dtype());
  return out;
}

Tensor gather(const Tensor& x_in, int64_t dim, const Tensor& idx_in) {
  TL_CHECK(is_index_dtype(idx_in.dtype()), "gather(): Expected dtype int32/int64 for index");
  dim = wrap_dim(dim, x_in.dim());
  TL_CHECK(std::max<int64_t>(x_in.dim(), 1) == std::max<int64_t>(idx_in.dim(), 1),
           "gather(): Index tensor must have the same number of dimensions as input tensor (input ",
           shape_str(x_in.sizes()), ", index ", shape_str(idx_in.sizes()), ")");
  Tensor x = as_1d_if_scalar(x_in), idx = as_1d_if_scalar(index_for(idx_in, x_in, "gather"));
  check_gather_scatter_shapes("gather", x, dim, idx, nullptr);
  Tensor out = Tensor::empty(idx.sizes(), x.dtype(), x.device());
  // The kernel checks the range as it reads; on failure the slow check finds the value to report.
  if (!TL_KERNEL(out.device(), gather_kernel, out, x, dim, idx)) {
    check_range_runtime(idx, x.sizes()[dim], dim);
    TL_THROW(Runtime, "gather(): index out of bounds for dimension ", dim);  // not reached
  }
  if (idx_in.dim() == 0) return Tensor(out.storage(), {}, {}, 0, out.dtype());
  return out;
}

namespace {
Tensor prepare_scatter(const char* op, const Tensor& self, int64_t& dim, const Tensor& idx_in, const Tensor* src) {
  TL_CHECK(is_index_dtype(idx_in.dtype()), op, "(): Expected dtype int32/int64 for index");
  dim = wrap_dim(dim, self.dim());
  TL_CHECK(std::max<int64_t>(self.dim(), 1) == std::max<int64_t>(idx_in.dim(), 1),
           op, "(): Index tensor must have the same number of dimensions as self tensor (self ",
           shape_str(self.sizes()), ", index ", shape_str(idx_in.sizes()), ")");
  if (src) {
    TL_CHECK(src->dtype() == self.dtype(), op, "(): Expected self.dtype to be equal to src.dtype (got ",
             dtype_torch_name(self.dtype()), " and ", dtype_torch_name(src->dtype()), ")");
    TL_CHECK(std::max<int64_t>(src->dim(), 1) == std::max<int64_t>(idx_in.dim(), 1),
             op, "(): Index tensor must have the same number of dimensions as src tensor (src ",
             shape_str(src->sizes()), ", index ", shape_str(idx_in.sizes()), ")");
  }
  check_writable(self, op);
  check_same_device(op, {&self, src});
  return as_1d_if_scalar(index_for(idx_in, self, op));
}
}  // namespace

void scatter_(const Tensor& self_in, int64_t dim, const Tensor& idx_in, const Tensor& src_in, bool add) {
  const char* op = add ? "scatter_add" : "scatter";
  Tensor idx = prepare_scatter(op, self_in, dim, idx_in, &src_in);
  Tensor self = as_1d_if_scalar(self_in), src = as_1d_if_scalar(src_in);
  check_gather_scatter_shapes(op, self, dim, idx, &src);
  check_range_runtime(idx, self.sizes()[dim], dim);
  // src may alias self (x.scatter_(0, i, x)): read from a private copy then.
  if (src.storage() == self.storage()) src = src.clone();
  TL_KERNEL(self.device(), scatter_kernel, self, dim, idx, src, add);
}

void scatter_value_(const Tensor& self_in, int64_t dim, const Tensor& idx_in, const Scalar& value) {
  Tensor idx = prepare_scatter("scatter", self_in, dim, idx_in, nullptr);
  Tensor self = as_1d_if_scalar(self_in);
  check_gather_scatter_shapes("scatter", self, dim, idx, nullptr);
  check_range_runtime(idx, self.sizes()[dim], dim);
  TL_KERNEL(self.device(), scatter_fill_kernel, self, dim, idx, value);
}

void index_add_(const Tensor& self_in, int64_t dim, const Tensor& idx_in, const Tensor& src_in, const Scalar& alpha) {
  TL_CHECK_INDEX(idx_in.dim() <= 1, "index_add_(): Index is supposed to be a vector, but got dim: ", idx_in.dim(),
                 " with type: ", dtype_torch_name(idx_in.dtype()), " and size: ", shape_str(idx_in.sizes()));
  TL_CHECK(is_index_dtype(idx_in.dtype()), "index_add_(): Expected dtype int32/int64 for index but got: ",
           dtype_torch_name(idx_in.dtype()));
  dim = wrap_dim(dim, self_in.dim());
  TL_CHECK(self_in.dtype() == src_in.dtype(), "index_add_(): self (", dtype_torch_name(self_in.dtype()),
           ") and source (", dtype_torch_name(src_in.dtype()), ") must have the same scalar type");
  check_same_device("index_add_", {&self_in, &src_in});
  Tensor self = as_1d_if_scalar(self_in), src = as_1d_if_scalar(src_in);
  Tensor idx = index_for(idx_in, self, "index_add_");
  bool shape_ok = self.dim() == src.dim();
  for (int64_t d = 0; shape_ok && d < self.dim(); ++d)
    if (d != dim && self.sizes()[d] != src.sizes()[d]) shape_ok = false;
  TL_CHECK(shape_ok, "index_add_(): source tensor shape must match self tensor shape, excluding the specified "
           "dimension. Got self.shape = ", shape_str(self_in.sizes()), " source.shape = ", shape_str(src_in.sizes()));
  TL_CHECK(idx.numel() == src.sizes()[dim], "index_add_(): Number of indices (", idx.numel(),
           ") should be equal to source.size(dim): (", src.sizes()[dim], "), for dim: ", dim);
  check_range_runtime(idx, self.sizes()[dim], dim);
  check_writable(self, "index_add_");
  // The kernel wants contiguous operands: work on a contiguous copy when self is a strided view.
  Tensor work = self.is_contiguous() ? self : self.clone();
  Tensor srcc = (src.storage() == self.storage()) ? src.clone() : src.contiguous();
  TL_KERNEL(work.device(), index_add_kernel, work, dim, idx, srcc, alpha);
  if (!(work.storage() == self.storage())) copy_(self, work);
}

Tensor masked_select(const Tensor& x, const Tensor& mask) {
  TL_CHECK(mask.dtype() == DType::Bool, "masked_select: expected BoolTensor for mask");
  Shape shape = broadcast_shapes(x.sizes(), mask.sizes());
  Tensor xc = x, mc = on_device_of(mask, x, DType::Bool, "masked_select");
  if (!(x.sizes() == shape && x.is_contiguous())) {
    xc = Tensor::empty(shape, x.dtype(), x.device());
    copy_(xc, x);
  }
  if (!(mc.sizes() == shape && mc.is_contiguous())) {
    Tensor m = Tensor::empty(shape, DType::Bool, x.device());
    copy_(m, mc);
    mc = m;
  }
  auto counts = TL_KERNEL(mc.device(), nonzero_chunk_counts, mc);
  std::vector<int64_t> starts(counts.size());
  int64_t total = 0;
  for (size_t c = 0; c < counts.size(); ++c) { starts[c] = total; total += counts[c]; }
  Tensor out = Tensor::empty({total}, x.dtype(), x.device());
  if (total > 0) TL_KERNEL(out.device(), masked_select_kernel, out, xc, mc, starts);
  return out;
}

Tensor nonzero(const Tensor& x_in) {
  Tensor x = x_in.contiguous();
  auto counts = TL_KERNEL(x.device(), nonzero_chunk_counts, x);
  std::vector<int64_t> starts(counts.size());
  int64_t total = 0;
  for (size_t c = 0; c < counts.size(); ++c) { starts[c] = total; total += counts[c]; }
  Tensor out = Tensor::empty({total, x.dim()}, DType::Int64, x.device());
  if (total > 0 && x.dim() > 0) TL_KERNEL(out.device(), nonzero_kernel, out, x, starts);
  return out;
}

namespace {

struct IndexPlan {
  Shape head;                   // x.shape[:start]
  Shape bshape;                 // broadcast shape of the index tensors
  Shape tail;                   // x.shape[start + k:]
  std::vector<int64_t> offs;    // element offset into x of each (head, index) position
  std::vector<int64_t> toffs;   // element offset of each tail position
};

IndexPlan plan_index(const Tensor& x, const std::vector<Tensor>& indices, int64_t start) {
  const int64_t k = static_cast<int64_t>(indices.size());
  TL_CHECK_INDEX(k >= 1, "index: expected at least one index tensor");
  TL_CHECK_INDEX(start >= 0 && start + k <= x.dim(), "too many indices for tensor of dimension ", x.dim());
  IndexPlan plan;
  for (const Tensor& t : indices)
    TL_CHECK_INDEX(is_index_dtype(t.dtype()), "tensors used as indices must be long, int, byte or bool tensors");
  Shape b = indices[0].sizes();
  for (int64_t j = 1; j < k; ++j) {
    try {
      b = broadcast_shapes(b, indices[j].sizes());
    } catch (const Error&) {
      std::string shapes;
      for (int64_t i = 0; i < k; ++i) shapes += (i ? ", " : "") + shape_str(indices[i].sizes());
      TL_THROW(Index, "shape mismatch: indexing tensors could not be broadcast together with shapes ", shapes);
    }
  }
  plan.bshape = b;
  const int64_t P = shape_numel(b);
  plan.head.assign(x.sizes().begin(), x.sizes().begin() + start);
  plan.tail.assign(x.sizes().begin() + start + k, x.sizes().end());
  // torch checks bounds per element of the result: with an empty result nothing is checked.
  const bool check = P * shape_numel(plan.head) * shape_numel(plan.tail) > 0;
  std::vector<int64_t> ioffs(static_cast<size_t>(P), 0);
  for (int64_t j = 0; j < k; ++j) {
    // Offsets are computed on the host: index values come over once (torch syncs on masks anyway).
    TL_CHECK(indices[j].device().is_cpu() || indices[j].device() == x.device(),
             "indices should be either on cpu or on the same device as the indexed tensor (", x.device().str(), ")");
    Tensor ij = to_host(indices[j]);
    if (ij.sizes() != b || ij.dtype() != DType::Int64 || !ij.is_contiguous()) {
      Tensor e = Tensor::empty(b, DType::Int64, ij.device());
      copy_(e, ij);
      ij = e;
    }
    const int64_t* p = ij.data<int64_t>();
    const int64_t size = x.sizes()[start + j], stride = x.strides()[start + j];
    // ...except that indexing into a dim of size 0 always fails, as in torch
    TL_CHECK_INDEX(size > 0 || P == 0, "index is out of bounds for dimension with size 0");
    if (!check) continue;
    for (int64_t i = 0; i < P; ++i) {
      int64_t v = p[i];
      TL_CHECK_INDEX(v >= -size && v < size, "index ", v, " is out of bounds for dimension ", start + j,
                     " with size ", size);
      if (v < 0) v += size;
      ioffs[i] += v * stride;
    }
  }
  if (start == 0) {
    plan.offs = std::move(ioffs);
  } else {
    Shape hstrides(x.strides().begin(), x.strides().begin() + start);
    const std::vector<int64_t> hoffs = cpu::enumerate_offsets(plan.head, hstrides);
    plan.offs.resize(hoffs.size() * ioffs.size());
    size_t w = 0;
    for (int64_t h : hoffs)
      for (int64_t o : ioffs) plan.offs[w++] = h + o;
  }
  Shape tstrides(x.strides().begin() + start + k, x.strides().end());
  plan.toffs = cpu::enumerate_offsets(plan.tail, tstrides);
  return plan;
}

Shape result_shape(const IndexPlan& plan) {
  Shape r = plan.head;
  r.insert(r.end(), plan.bshape.begin(), plan.bshape.end());
  r.insert(r.end(), plan.tail.begin(), plan.tail.end());
  return r;
}

}  // namespace

Tensor index(const Tensor& x, const std::vector<Tensor>& indices, int64_t start) {
  IndexPlan plan = plan_index(x, indices, start);
  Tensor out = Tensor::empty(result_shape(plan), x.dtype(), x.device());
  if (out.numel() > 0) TL_KERNEL(out.device(), index_kernel, out, x, plan.offs, plan.toffs);
  return out;
}

void index_put_(const Tensor& x, const std::vector<Tensor>& indices, const Tensor& values, bool accumulate,
                int64_t start) {
  // A CPU value that is one element (0-d, or broadcast from one: the Python layer expands values to
  // the result's shape) is a scalar, which torch moves to x's device; other values must live there.
  bool one_value = values.device().is_cpu();
  for (int64_t d = 0; d < values.dim() && one_value; ++d)
    one_value = values.sizes()[d] <= 1 || values.strides()[d] == 0;
  if (!one_value) check_same_device("index_put_", {&x, &values});
  IndexPlan plan = plan_index(x, indices, start);
  if (x.numel() > 0) check_writable(x, "index_put_");  // empty tensors may carry stride-0 dims
  Shape rshape = result_shape(plan);
  bool ok = true;
  try {
    ok = broadcast_shapes(rshape, values.sizes()) == rshape;
  } catch (const Error&) {
    ok = false;
  }
  TL_CHECK(ok, "shape mismatch: value tensor of shape ", shape_str(values.sizes()),
           " cannot be broadcast to indexing result of shape ", shape_str(rshape));
  if (shape_numel(rshape) == 0) return;
  // A private contiguous copy in x's dtype: broadcasts the values and protects against values that
  // alias x (x[i] = x[j]).
  Tensor v = values;
  if (!(values.sizes() == rshape && values.dtype() == x.dtype() && values.is_contiguous() &&
        values.device() == x.device() && values.storage() != x.storage())) {
    v = Tensor::empty(rshape, x.dtype(), x.device());
    copy_(v, values);
  }
  TL_KERNEL(x.device(), index_put_kernel, x, plan.offs, plan.toffs, v, accumulate);
}

void masked_fill_(const Tensor& x, const Tensor& mask, const Scalar& value) {
  TL_CHECK(mask.dtype() == DType::Bool, "masked_fill_ only supports boolean masks, but got mask with dtype ",
           dtype_torch_name(mask.dtype()));
  TL_CHECK(mask.sizes() == x.sizes(), "masked_fill_: mask ", shape_str(mask.sizes()), " must have the shape of self ",
           shape_str(x.sizes()));
  if (x.numel() == 0) return;
  check_writable(x, "masked_fill_");
  const Tensor m = on_device_of(mask, x, DType::Bool, "masked_fill_");
  TL_KERNEL(x.device(), masked_fill_kernel, x, m, value);
}

std::optional<Tensor> basic_view(const Tensor& x, const std::vector<BasicIndexItem>& items) {
  const int64_t nd = x.dim();
  int64_t consumed = 0, ellipses = 0;
  for (const auto& it : items) {
    if (it.kind == BasicIndexItem::Int || it.kind == BasicIndexItem::Slice) ++consumed;
    if (it.kind == BasicIndexItem::Ellipsis) ++ellipses;
  }
  if (consumed > nd || ellipses > 1) return std::nullopt;
  Shape sizes, strides;
  int64_t offset = x.offset(), d = 0;
  for (const auto& it : items) {
    switch (it.kind) {
      case BasicIndexItem::NewAxis:
        sizes.push_back(1);
        strides.push_back(0);
        break;
      case BasicIndexItem::Ellipsis:
        for (int64_t n = nd - consumed; n > 0; --n, ++d) {
          sizes.push_back(x.sizes()[d]);
          strides.push_back(x.strides()[d]);
        }
        break;
      case BasicIndexItem::Int: {
        const int64_t size = x.sizes()[d];
        int64_t i = it.start;
        if (i < -size || i >= size) return std::nullopt;
        if (i < 0) i += size;
        offset += i * x.strides()[d];
        ++d;
        break;
      }
      case BasicIndexItem::Slice: {
        // Python's slice clamping, as views.py's _norm_slice.
        const int64_t size = x.sizes()[d];
        if (it.step <= 0) return std::nullopt;
        int64_t start = it.has_start ? it.start : 0, stop = it.has_stop ? it.stop : size;
        if (start < 0) start += size;
        if (stop < 0) stop += size;
        start = std::min(std::max<int64_t>(start, 0), size);
        stop = std::min(std::max(stop, start), size);
        const int64_t length = (stop - start + it.step - 1) / it.step;
        if (length > 0) offset += start * x.strides()[d];
        sizes.push_back(length);
        strides.push_back(x.strides()[d] * it.step);
        ++d;
        break;
      }
    }
  }
  for (; d < nd; ++d) {
    sizes.push_back(x.sizes()[d]);
    strides.push_back(x.strides()[d]);
  }
  return Tensor(x.storage(), sizes, strides, offset, x.dtype());
}

}  // namespace tl
