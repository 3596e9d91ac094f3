// Iteration geometry shared by the CPU loops (csrc/cpu/loops.h) and the CUDA kernels
// (csrc/cuda/common.cuh): N operands (operand 0 is the output) broadcast over one shape, dims ordered
// by the output's strides, size-1 dims dropped and mergeable dims coalesced, strides in bytes.
#pragma once
#include <array>
#include <cstdint>
#include <vector>
#include "tensor.h"

namespace tl {

template <int N>
struct Geometry {
  Shape sizes;                                // outer -> inner, after coalescing
  std::vector<std::array<int64_t, N>> strides;  // byte strides per dim and operand
  int64_t numel = 0;
};

// Operand strides for iterating `t` as if it had `shape` (right-aligned broadcasting, stride 0 where
// `t` has size 1 or lacks the dim). The caller guarantees the shapes are broadcast-compatible.
inline Shape broadcast_strides(const Tensor& t, const Shape& shape) {
  Shape st(shape.size(), 0);
  int64_t off = static_cast<int64_t>(shape.size()) - t.dim();
  for (int64_t i = 0; i < t.dim(); ++i)
    st[off + i] = t.sizes()[i] == 1 ? 0 : t.strides()[i];
  return st;
}

template <int N>
Geometry<N> make_geometry(const Shape& shape, const std::array<const Tensor*, N>& ops) {
  const int64_t nd = static_cast<int64_t>(shape.size());
  std::array<Shape, N> st;
  for (int k = 0; k < N; ++k) {
    st[k] = broadcast_strides(*ops[k], shape);
    for (auto& s : st[k]) s *= static_cast<int64_t>(ops[k]->itemsize());
  }
  // Order dims by the output's strides (outermost first); stable so ties keep their order.
  std::vector<int64_t> perm;
  for (int64_t d = 0; d < nd; ++d)
    if (shape[d] != 1) perm.push_back(d);
  for (size_t i = 1; i < perm.size(); ++i) {
    int64_t p = perm[i];
    size_t j = i;
    while (j > 0 && st[0][perm[j - 1]] < st[0][p]) { perm[j] = perm[j - 1]; --j; }
    perm[j] = p;
  }
  Geometry<N> g;
  g.numel = shape_numel(shape);
  for (int64_t d : perm) {
    std::array<int64_t, N> s;
    for (int k = 0; k < N; ++k) s[k] = st[k][d];
    if (!g.sizes.empty()) {
      bool merge = true;
      auto& prev = g.strides.back();
      for (int k = 0; k < N; ++k)
        if (prev[k] != s[k] * shape[d]) { merge = false; break; }
      if (merge) {
        g.sizes.back() *= shape[d];
        g.strides.back() = s;
        continue;
      }
    }
    g.sizes.push_back(shape[d]);
    g.strides.push_back(s);
  }
  return g;
}

}  // namespace tl
