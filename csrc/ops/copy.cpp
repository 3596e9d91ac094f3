#include "copy.h"
#include "../core/runtime.h"
#include "../cpu/copy.h"
#include "dispatch.h"
#ifdef TL_WITH_CUDA
#include "../cuda/copy.h"
#endif
#include <algorithm>
#include <utility>
#include <vector>

namespace tl {

Shape broadcast_shapes(const Shape& a, const Shape& b) {
  size_t n = std::max(a.size(), b.size());
  Shape out(n);
  for (size_t i = 0; i < n; ++i) {
    int64_t da = i < n - a.size() ? 1 : a[i - (n - a.size())];
    int64_t db = i < n - b.size() ? 1 : b[i - (n - b.size())];
    if (da != db && da != 1 && db != 1)
      TL_THROW(Runtime, "The size of tensor a (", da, ") must match the size of tensor b (", db,
               ") at non-singleton dimension ", i);
    out[i] = da == 1 ? db : da;
  }
  return out;
}

void check_writable(const Tensor& t, const char* op) {
  if (t.numel() <= 1) return;  // an empty or one-element tensor cannot overlap itself
  for (int64_t i = 0; i < t.dim(); ++i)
    if (t.strides()[i] == 0 && t.sizes()[i] > 1)
      TL_THROW(Runtime, op, ": unsupported operation: more than one element of the written-to tensor refers to a "
               "single memory location. Please clone() the tensor before performing the operation.");
}

namespace {

// [lo, hi) byte addresses the non-empty tensor `t` can touch (flip's internal views have negative strides).
std::pair<uintptr_t, uintptr_t> byte_range(const Tensor& t) {
  int64_t lo = 0, hi = 0;  // element offsets from data_ptr()
  for (int64_t i = 0; i < t.dim(); ++i) {
    const int64_t step = (t.sizes()[i] - 1) * t.strides()[i];
    (step < 0 ? lo : hi) += step;
  }
  const auto base = reinterpret_cast<intptr_t>(t.data_ptr());
  const auto isz = static_cast<intptr_t>(t.itemsize());
  return {static_cast<uintptr_t>(base + lo * isz), static_cast<uintptr_t>(base + (hi + 1) * isz)};
}

// torch's "non-overlapping and dense": the elements tile one block of memory without gaps or repeats.
bool dense(const Tensor& t) {
  std::vector<std::pair<int64_t, int64_t>> d;  // (stride, size) of dims that move
  for (int64_t i = 0; i < t.dim(); ++i)
    if (t.sizes()[i] != 1) d.emplace_back(t.strides()[i], t.sizes()[i]);
  std::sort(d.begin(), d.end());
  int64_t expected = 1;
  for (auto& [st, sz] : d) {
    if (st != expected) return false;
    expected *= sz;
  }
  return true;
}

}  // namespace

Tensor input_for_write(const Tensor& out, const Tensor& in) {
  if (out.numel() == 0 || in.numel() == 0 || out.device() != in.device()) return in;
  auto [olo, ohi] = byte_range(out);
  auto [ilo, ihi] = byte_range(in);
  if (ohi <= ilo || ihi <= olo) return in;
  if (olo == ilo && out.itemsize() == in.itemsize() && out.sizes() == in.sizes() && out.strides() == in.strides())
    return in;
  if (dense(out) && dense(in))
    TL_THROW(Runtime, "unsupported operation: some elements of the input tensor and the written-to tensor refer to "
             "a single memory location. Please clone() the tensor before performing the operation.");
  return in.clone();
}

namespace {

// dst <- src when they live on different devices. Casting and broadcasting happen on src's device
// (into a dense buffer of dst's shape and dtype), the bytes move in one transfer, and a non-contiguous
// dst is filled from a contiguous staging tensor on its own device.
void copy_between_devices(const Tensor& dst, const Tensor& src, bool non_blocking) {
  DeviceRuntime& rt = require_device_runtime();
  Tensor s = src;
  if (!(s.dtype() == dst.dtype() && s.sizes() == dst.sizes() && s.is_contiguous())) {
    s = Tensor::empty(dst.sizes(), dst.dtype(), src.device());
    copy_(s, src);
  }
  Tensor d = dst.is_contiguous() ? dst : Tensor::empty(dst.sizes(), dst.dtype(), dst.device());
  const size_t nbytes = static_cast<size_t>(d.numel()) * d.itemsize();
  if (src.device().is_cpu()) {
    const int dev = d.device().index;
    rt.memcpy(d.data_ptr(), s.data_ptr(), nbytes, CopyKind::HostToDevice, dev, current_stream(dev), non_blocking);
  } else if (dst.device().is_cpu()) {
    // the host reads the result right away: always wait (torch does too for pageable memory)
    const int dev = s.device().index;
    rt.memcpy(d.data_ptr(), s.data_ptr(), nbytes, CopyKind::DeviceToHost, dev, current_stream(dev), false);
  } else {
    const int sd = s.device().index, dd = d.device().index;
    // The peer copy is ordered on src's stream only: work still queued on dst's stream that writes or
    // reads d (the fill that created dst, the last user of a recycled block) could land after it.
    rt.stream_synchronize(current_stream(dd), dd);
    rt.memcpy_peer(d.data_ptr(), dd, s.data_ptr(), sd, nbytes, current_stream(sd));
  }
  if (!dst.is_contiguous()) copy_(dst, d);  // d was the staging tensor
}

}  // namespace

void copy_(const Tensor& dst, const Tensor& src_in, bool non_blocking) {
  Shape b = broadcast_shapes(dst.sizes(), src_in.sizes());
  TL_CHECK(b == dst.sizes(), "output with shape ", shape_str(dst.sizes()),
           " doesn't match the broadcast shape ", shape_str(b));
  check_writable(dst, "copy_");
  if (dst.numel() == 0) return;
  if (dst.device() != src_in.device()) {
    copy_between_devices(dst, src_in, non_blocking);
    return;
  }
  const Tensor src = input_for_write(dst, src_in);
  if (dst.data_ptr() == src.data_ptr() && dst.strides() == src.strides() && dst.sizes() == src.sizes() &&
      dst.dtype() == src.dtype())
    return;
  TL_KERNEL(dst.device(), copy_kernel, dst, src);
}

Tensor to_device(const Tensor& t, Device device, DType dtype, bool non_blocking, bool copy) {
  device = resolve_device(device);
  if (t.device() == device && t.dtype() == dtype && !copy) return t;
  Tensor out = Tensor::empty(t.sizes(), dtype, device);
  copy_(out, t, non_blocking);
  return out;
}

Tensor to_host(const Tensor& t) { return t.device().is_cpu() ? t : to_device(t, cpu_device(), t.dtype()); }

Tensor to_dtype(const Tensor& t, DType dtype, bool copy) {
  if (t.dtype() == dtype && !copy) return t;
  Tensor out = Tensor::empty(t.sizes(), dtype, t.device());
  copy_(out, t);
  return out;
}

namespace {
// torch's checked_convert: a value the integer dtype cannot hold is an error, not a wrapped number
// (except negative Python ints into uint8, which torch wraps: -1 -> 255).
void check_fill_value(const Scalar& v, DType dt) {
  if (dt == DType::Bool || is_floating(dt)) return;
  double lo, hi;
  const char* name;
  switch (dt) {
    case DType::UInt8: lo = 0; hi = 255; name = "uint8_t"; break;
    case DType::Int32: lo = -2147483648.0; hi = 2147483647.0; name = "int"; break;
    default: lo = -9223372036854775808.0; hi = 9223372036854775807.0; name = "int64_t"; break;
  }
  bool bad;
  if (v.kind == Scalar::Kind::Float) bad = !(v.d >= lo && (dt == DType::Int64 ? v.d < hi : v.d <= hi));
  else if (v.kind == Scalar::Kind::Int && dt == DType::UInt8) bad = v.i > 255 || v.i < -255;
  else if (v.kind == Scalar::Kind::Int && dt == DType::Int32) bad = v.i < INT32_MIN || v.i > INT32_MAX;
  else bad = false;
  if (bad) TL_THROW(Runtime, "value cannot be converted to type ", name, " without overflow");
}
}  // namespace

void fill_(const Tensor& t, const Scalar& value) {
  check_fill_value(value, t.dtype());
  check_writable(t, "fill_");
  if (t.numel() == 0) return;
  TL_KERNEL(t.device(), fill_kernel, t, value);
}

Tensor full(const Shape& sizes, const Scalar& value, DType dtype, Device device) {
  Tensor t = Tensor::empty(sizes, dtype, device);
  fill_(t, value);
  return t;
}

}  // namespace tl
