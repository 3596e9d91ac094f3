#include "creation.h"
#include <cmath>
#include <limits>
#include "copy.h"
#include "../cpu/creation.h"
#include "dispatch.h"
#ifdef TL_WITH_CUDA
#include "../cuda/creation.h"
#endif

namespace tl {

Tensor arange(const Scalar& start, const Scalar& end, const Scalar& step, DType dtype, Device device) {
  if (dtype == DType::Bool) TL_THROW(NotImplemented, "\"arange_cpu\" not implemented for 'Bool'");
  const bool is_float = is_floating(dtype);
  // torch validates in the accumulation type: double for floats, int64 (truncating) for integers
  const double xs = is_float ? start.to<double>() : static_cast<double>(start.to<int64_t>());
  const double xe = is_float ? end.to<double>() : static_cast<double>(end.to<int64_t>());
  const double xst = is_float ? step.to<double>() : static_cast<double>(step.to<int64_t>());
  TL_CHECK(xst > 0 || xst < 0, "step must be nonzero");
  TL_CHECK(std::isfinite(start.to<double>()) && std::isfinite(end.to<double>()), "unsupported range: ",
           start.to<double>(), " -> ", end.to<double>());
  TL_CHECK((xst > 0 && xe >= xs) || (xst < 0 && xe <= xs), "upper bound and lower bound inconsistent with step sign");
  double size_d;
  if (dtype == DType::Int64) {
    // exact integer arithmetic: int64 ranges exceed double's 53-bit mantissa
    const int64_t s = start.to<int64_t>(), e = end.to<int64_t>(), st = step.to<int64_t>();
    const int64_t sgn = (st > 0) - (st < 0);
    // in 128 bits: e - s overflows int64 for ranges wider than 2**63 (signed overflow is UB)
    const __int128 n = (static_cast<__int128>(e) - s + st - sgn) / st;
    size_d = static_cast<double>(n);
  } else {
    size_d = std::ceil((end.to<double>() - start.to<double>()) / step.to<double>());
  }
  // `<`: double(INT64_MAX) is 2**63, which does not fit back into int64
  TL_CHECK(size_d >= 0 && size_d < static_cast<double>(std::numeric_limits<int64_t>::max()),
           "invalid size, possible overflow?");
  Tensor out = Tensor::empty({static_cast<int64_t>(size_d)}, dtype, device);
  if (out.numel()) TL_KERNEL(device, arange_kernel, out, start.to<double>(), step.to<double>(), start.to<int64_t>(), step.to<int64_t>());
  return out;
}

static Tensor lin_or_log(const Scalar& start, const Scalar& end, int64_t steps, bool is_log, double base, DType dtype,
                         Device device, const char* op) {
  TL_CHECK(steps >= 0, "number of steps must be non-negative");
  if (dtype == DType::Bool) TL_THROW(NotImplemented, "\"", op, "_cpu\" not implemented for 'Bool'");
  Tensor out = Tensor::empty({steps}, dtype, device);
  if (steps > 0) TL_KERNEL(device, linspace_kernel, out, start.to<double>(), end.to<double>(), is_log, base);
  return out;
}

Tensor linspace(const Scalar& start, const Scalar& end, int64_t steps, DType dtype, Device device) {
  return lin_or_log(start, end, steps, false, 1.0, dtype, device, "linspace");
}

Tensor logspace(const Scalar& start, const Scalar& end, int64_t steps, double base, DType dtype, Device device) {
  return lin_or_log(start, end, steps, true, base, dtype, device, "logspace");
}

Tensor eye(int64_t n, int64_t m, DType dtype, Device device) {
  TL_CHECK(n >= 0, "n must be greater or equal to 0, got ", n);
  TL_CHECK(m >= 0, "m must be greater or equal to 0, got ", m);
  Tensor out = full({n, m}, Scalar::from_int(0), dtype, device);
  if (n > 0 && m > 0) TL_KERNEL(out.device(), eye_kernel, out);
  return out;
}

}  // namespace tl
