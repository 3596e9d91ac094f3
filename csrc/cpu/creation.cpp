// arange: out (n,);  linspace/logspace: out (n,);  eye: out (n, m)
#include "creation.h"
#include <cmath>
#include <type_traits>
#include "../core/parallel.h"

namespace tl::cpu {

void arange_kernel(const Tensor& out, double start_d, double step_d, int64_t start_i, int64_t step_i) {
  TL_DISPATCH_NUMERIC(out.dtype(), "arange_cpu", [&] {
    scalar_t* o = out.data<scalar_t>();
    const int64_t n = out.numel();
    // torch's CPU kernel works in 32-byte vectors over pairs of them: a vector starts from the rounded
    // value at its first index and adds k * step (in double) to it; the tail past the last full pair is
    // start + step * i. Doing the same gives torch's float values bit for bit (as torch computes them on
    // one thread), with block boundaries fixed by the index alone, so any thread count agrees.
    constexpr int64_t W = 32 / static_cast<int64_t>(sizeof(scalar_t));
    const int64_t vec_end = n / (2 * W) * (2 * W);
    parallel_for(0, n, kGrainSize, [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) {
        if constexpr (std::is_floating_point_v<scalar_t>) {
          if (i < vec_end) {
            const int64_t i0 = i / W * W;
            const scalar_t base = static_cast<scalar_t>(start_d + step_d * static_cast<double>(i0));
            o[i] = static_cast<scalar_t>(static_cast<double>(base) + static_cast<double>(i - i0) * step_d);
          } else {
            o[i] = static_cast<scalar_t>(start_d + step_d * static_cast<double>(i));
          }
        } else {
          o[i] = static_cast<scalar_t>(start_i + step_i * i);  // integers accumulate in int64, exactly
        }
      }
    });
  });
}

void linspace_kernel(const Tensor& out, double start_in, double end_in, bool is_log, double base) {
  const int64_t n = out.numel();
  TL_DISPATCH_NUMERIC(out.dtype(), "linspace_cpu", [&] {
    // as torch: the step is computed in the output type for floats, in double for integers
    using step_t = std::conditional_t<std::is_integral_v<scalar_t>, double, scalar_t>;
    const scalar_t start = static_cast<scalar_t>(start_in), end = static_cast<scalar_t>(end_in);
    const step_t step = n > 1 ? (static_cast<step_t>(end) - static_cast<step_t>(start)) / static_cast<step_t>(n - 1)
                              : step_t(0);
    const int64_t halfway = n / 2;
    scalar_t* o = out.data<scalar_t>();
    parallel_for(0, n, kGrainSize, [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) {
        step_t v = i < halfway ? static_cast<step_t>(start + step * static_cast<step_t>(i))
                               : static_cast<step_t>(end - step * static_cast<step_t>(n - 1 - i));
        if (n == 1) v = static_cast<step_t>(start);
        if (is_log) o[i] = static_cast<scalar_t>(std::pow(base, static_cast<double>(v)));
        else o[i] = static_cast<scalar_t>(v);
      }
    });
  });
}

void eye_kernel(const Tensor& out) {
  const int64_t n = out.sizes()[0], m = out.sizes()[1], d = n < m ? n : m;
  TL_DISPATCH_ALL(out.dtype(), "eye", [&] {
    scalar_t* o = out.data<scalar_t>();
    for (int64_t i = 0; i < d; ++i) o[i * m + i] = static_cast<scalar_t>(1);
  });
}

}  // namespace tl::cpu
