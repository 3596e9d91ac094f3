// The CPU elementwise engine: N operands (operand 0 is the output) broadcast over one shape. Dims
// are ordered by the output's strides, size-1 dims dropped and mergeable dims coalesced, so a
// contiguous or simply broadcast op becomes one flat loop the compiler vectorises. The index range
// is split across threads by position, so the result never depends on the thread count.
#pragma once
#include <array>
#include <cstdint>
#include <cstring>
#include <vector>
#include "../core/check.h"
#include "../core/parallel.h"
#include "../core/geometry.h"
#include "../core/tensor.h"

namespace tl::cpu {

// inner(ptrs, inner_byte_strides, n) processes n elements along the innermost dim.
template <int N, class Inner>
void strided_loop(const Geometry<N>& g, const std::array<char*, N>& base, const Inner& inner,
                  int64_t grain = kGrainSize) {
  if (g.numel == 0) return;
  const int64_t nd = static_cast<int64_t>(g.sizes.size());
  if (nd == 0) {
    std::array<int64_t, N> zero{};
    std::array<char*, N> p = base;
    inner(p.data(), zero.data(), 1);
    return;
  }
  const int64_t inner_size = g.sizes[nd - 1];
  const std::array<int64_t, N> inner_st = g.strides[nd - 1];
  parallel_for(0, g.numel, grain, [&](int64_t b, int64_t e) {
    std::vector<int64_t> idx(nd);
    int64_t rem = b;
    for (int64_t d = nd - 1; d >= 0; --d) { idx[d] = rem % g.sizes[d]; rem /= g.sizes[d]; }
    while (b < e) {
      std::array<char*, N> p = base;
      for (int64_t d = 0; d < nd; ++d)
        for (int k = 0; k < N; ++k) p[k] += idx[d] * g.strides[d][k];
      int64_t n = std::min(inner_size - idx[nd - 1], e - b);
      inner(p.data(), inner_st.data(), n);
      b += n;
      idx[nd - 1] += n;
      for (int64_t d = nd - 1; d > 0 && idx[d] == g.sizes[d]; --d) { idx[d] = 0; ++idx[d - 1]; }
    }
  });
}

// Typed loops: f is a scalar functor; contiguous and broadcast-scalar cases get their own loops so
// they vectorise.
template <class To, class Ti, class F>
void unary_loop(const Tensor& out, const Tensor& in, const F& f) {
  auto g = make_geometry<2>(out.sizes(), {&out, &in});
  strided_loop<2>(g, {static_cast<char*>(out.data_ptr()), static_cast<char*>(in.data_ptr())},
                  [&](char** p, const int64_t* s, int64_t n) {
                    To* o = reinterpret_cast<To*>(p[0]);
                    const Ti* a = reinterpret_cast<const Ti*>(p[1]);
                    if (s[0] == sizeof(To) && s[1] == sizeof(Ti)) {
                      for (int64_t i = 0; i < n; ++i) o[i] = f(a[i]);
                    } else {
                      for (int64_t i = 0; i < n; ++i)
                        *reinterpret_cast<To*>(p[0] + i * s[0]) = f(*reinterpret_cast<const Ti*>(p[1] + i * s[1]));
                    }
                  });
}

template <class To, class Ti, class F>
void binary_loop(const Tensor& out, const Tensor& a, const Tensor& b, const F& f) {
  auto g = make_geometry<3>(out.sizes(), {&out, &a, &b});
  strided_loop<3>(
      g, {static_cast<char*>(out.data_ptr()), static_cast<char*>(a.data_ptr()), static_cast<char*>(b.data_ptr())},
      [&](char** p, const int64_t* s, int64_t n) {
        To* o = reinterpret_cast<To*>(p[0]);
        const Ti* x = reinterpret_cast<const Ti*>(p[1]);
        const Ti* y = reinterpret_cast<const Ti*>(p[2]);
        constexpr int64_t so = sizeof(To), si = sizeof(Ti);
        if (s[0] == so && s[1] == si && s[2] == si) {
          for (int64_t i = 0; i < n; ++i) o[i] = f(x[i], y[i]);
        } else if (s[0] == so && s[1] == si && s[2] == 0) {
          const Ti yv = *y;
          for (int64_t i = 0; i < n; ++i) o[i] = f(x[i], yv);
        } else if (s[0] == so && s[1] == 0 && s[2] == si) {
          const Ti xv = *x;
          for (int64_t i = 0; i < n; ++i) o[i] = f(xv, y[i]);
        } else {
          for (int64_t i = 0; i < n; ++i)
            *reinterpret_cast<To*>(p[0] + i * s[0]) =
                f(*reinterpret_cast<const Ti*>(p[1] + i * s[1]), *reinterpret_cast<const Ti*>(p[2] + i * s[2]));
        }
      });
}

}  // namespace tl::cpu
