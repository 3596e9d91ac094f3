// Copies, casts and fills: the primitives everything else uses to move data between layouts/dtypes.
//   copy_(dst, src): src broadcast to dst's shape, any strides, any dtypes (cast as torch).
#pragma once
#include "../core/scalar.h"
#include "../core/tensor.h"

namespace tl {

Shape broadcast_shapes(const Shape& a, const Shape& b);
// Across devices too: non_blocking lets a host-to-device copy return before it completes (ordered on
// the destination's current stream); device-to-host copies always wait.
void copy_(const Tensor& dst, const Tensor& src, bool non_blocking = false);
// t on `device` with `dtype` (t itself when nothing changes and !copy); the result is contiguous.
Tensor to_device(const Tensor& t, Device device, DType dtype, bool non_blocking = false, bool copy = false);
// t's values in host memory (t itself when it is on the CPU): for the few host-side reads an op needs.
Tensor to_host(const Tensor& t);
Tensor to_dtype(const Tensor& t, DType dtype, bool copy = false);
void fill_(const Tensor& t, const Scalar& value);
Tensor full(const Shape& sizes, const Scalar& value, DType dtype, Device device = cpu_device());
// Raises torch's error when `t` has stride-0 / self-overlapping memory and is about to be written.
void check_writable(const Tensor& t, const char* op);
// The input a kernel writing `out` may read element by element. Shares memory with `out` only as
// exactly the same elements (x.add_(x)): returned as is. Partially overlaps a dense `out`/`in` pair
// (x[1:].add_(x[:-1])): torch's RuntimeError. Otherwise overlapping (interleaved strided views): a
// clone, so the result is as if every input was read before the first write, never order-dependent.
Tensor input_for_write(const Tensor& out, const Tensor& in);

}  // namespace tl
