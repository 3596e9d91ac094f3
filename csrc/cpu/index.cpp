// x (outer, size, inner), idx (n,) -> out (outer, n, inner)            index_select
// x, idx, out (same ndim; idx, out same shape)                         gather / scatter / scatter_add
// x (..), P index positions x T tail positions -> out (P, T)           advanced indexing / index_put
// x (any shape) -> out (count,) or (count, ndim)                        masked_select / nonzero
// x, mask (same shape) -> x                                              masked_fill_ (x[mask] = v)
#include "index.h"
#include <atomic>
#include <cstring>
#include <type_traits>

namespace tl::cpu {

namespace {

template <class T>
inline void acc_into(T& dst, T v) {
  if constexpr (std::is_same_v<T, bool>) dst = dst || v;
  else dst = static_cast<T>(dst + v);
}

}  // namespace

bool indices_in_range(const int64_t* p, int64_t n, int64_t size) {
  // v in [0, size) iff neither v nor size-1-v has the sign bit set: only subtractions and ORs, so the
  // loop vectorises on plain SSE2 (there is no 64-bit compare before SSE4.2 / AVX-512).
  const uint64_t last = static_cast<uint64_t>(size) - 1;
  std::atomic<uint64_t> all{0};
  parallel_for(0, n, 4 * kGrainSize, [&](int64_t b, int64_t e) {
    // Four accumulators: independent OR chains, so the loop runs at load speed, not OR latency.
    uint64_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
    int64_t i = b;
    for (; i + 4 <= e; i += 4) {
      const uint64_t v0 = static_cast<uint64_t>(p[i]), v1 = static_cast<uint64_t>(p[i + 1]);
      const uint64_t v2 = static_cast<uint64_t>(p[i + 2]), v3 = static_cast<uint64_t>(p[i + 3]);
      a0 |= v0 | (last - v0);
      a1 |= v1 | (last - v1);
      a2 |= v2 | (last - v2);
      a3 |= v3 | (last - v3);
    }
    for (; i < e; ++i) {
      const uint64_t v = static_cast<uint64_t>(p[i]);
      a0 |= v | (last - v);
    }
    all.fetch_or(a0 | a1 | a2 | a3, std::memory_order_relaxed);
  });
  return (all.load() >> 63) == 0;
}

bool indices_in_range(const Tensor& idx, int64_t size) {
  const int64_t* p = idx.data<int64_t>();
  if (idx.is_contiguous()) return indices_in_range(p, idx.numel(), size);
  for (int64_t o : enumerate_offsets(idx.sizes(), idx.strides()))
    if (p[o] < 0 || p[o] >= size) return false;
  return true;
}

std::vector<int64_t> enumerate_offsets(const Shape& sizes, const Shape& strides) {
  int64_t n = shape_numel(sizes);
  std::vector<int64_t> out(static_cast<size_t>(n));
  if (n == 0) return out;
  const int64_t nd = static_cast<int64_t>(sizes.size());
  std::vector<int64_t> idx(nd, 0);
  int64_t off = 0;
  for (int64_t i = 0; i < n; ++i) {
    out[i] = off;
    for (int64_t d = nd - 1; d >= 0; --d) {
      if (++idx[d] < sizes[d]) { off += strides[d]; break; }
      off -= (sizes[d] - 1) * strides[d];
      idx[d] = 0;
    }
  }
  return out;
}

void index_select_kernel(const Tensor& out, const Tensor& x, int64_t dim, const Tensor& idx) {
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < dim; ++d) outer *= x.sizes()[d];
  for (int64_t d = dim + 1; d < x.dim(); ++d) inner *= x.sizes()[d];
  const int64_t size = x.sizes()[dim], n = idx.numel();
  const int64_t* ip = idx.data<int64_t>();
  const int64_t ist = idx.dim() ? idx.strides()[0] : 0;
  dispatch_width(x.itemsize(), [&](auto tag) {
    using T = decltype(tag);
    const T* xp = static_cast<const T*>(x.data_ptr());
    T* op = static_cast<T*>(out.data_ptr());
    // Output rows r = o * n + k in order; (o, k) is carried along instead of divided out per row,
    // which matters when rows are single elements (inner == 1).
    parallel_for(0, outer * n, std::max<int64_t>(1, kGrainSize / std::max<int64_t>(inner, 1)), [&](int64_t b, int64_t e) {
      int64_t o = b / n, k = b % n;
      T* dst = op + b * inner;
      if (inner == 1) {
        for (int64_t r = b; r < e;) {
          const T* src = xp + o * size;
          const int64_t kend = std::min(n, k + (e - r));
          if (ist == 1) {
            for (int64_t j = k; j < kend; ++j) *dst++ = src[ip[j]];
          } else {
            for (int64_t j = k; j < kend; ++j) *dst++ = src[ip[j * ist]];
          }
          r += kend - k;
          k = 0;
          ++o;
        }
        return;
      }
      const size_t row_bytes = static_cast<size_t>(inner) * sizeof(T);
      for (int64_t r = b; r < e; ++r) {
        std::memcpy(dst, xp + (o * size + ip[k * ist]) * inner, row_bytes);
        dst += inner;
        if (++k == n) { k = 0; ++o; }
      }
    });
  });
}

namespace {

// (outer, S, inner) / (outer, K, inner) factorisation of contiguous operands around `dim`, or false
// when an operand is strided or x is larger than idx outside `dim` (torch allows that).
bool dim_blocks(const Tensor& x, const Tensor& idx, int64_t dim, int64_t& outer, int64_t& inner) {
  if (!x.is_contiguous() || !idx.is_contiguous() || x.dim() != idx.dim()) return false;
  outer = inner = 1;
  for (int64_t d = 0; d < idx.dim(); ++d) {
    if (d != dim && x.sizes()[d] != idx.sizes()[d]) return false;
    if (d < dim) outer *= idx.sizes()[d];
    if (d > dim) inner *= idx.sizes()[d];
  }
  return true;
}

}  // namespace

bool gather_kernel(const Tensor& out, const Tensor& x, int64_t dim, const Tensor& idx) {
  const int64_t S = x.sizes()[dim], K = idx.sizes()[dim];
  int64_t outer, inner;
  if (out.numel() > 0 && S > 0 && dim_blocks(x, idx, dim, outer, inner)) {
    // Contiguous operands: rows of K (times inner) indices, each read into a row of x. The range
    // check rides along (one compare per element) instead of costing a separate pass over idx; an
    // out-of-range index reads element 0 of the row and reports failure, the caller throws.
    const uint64_t su = static_cast<uint64_t>(S);
    const int64_t* ip = idx.data<int64_t>();
    std::atomic<bool> bad{false};
    dispatch_width(x.itemsize(), [&](auto tag) {
      using T = decltype(tag);
      const T* xp = static_cast<const T*>(x.data_ptr());
      T* op = static_cast<T*>(out.data_ptr());
      parallel_for(0, outer, std::max<int64_t>(1, kGrainSize / std::max<int64_t>(K * inner, 1)), [&](int64_t b, int64_t e) {
        bool ok = true;
        for (int64_t o = b; o < e; ++o) {
          const T* xo = xp + o * S * inner;
          const int64_t* io = ip + o * K * inner;
          T* oo = op + o * K * inner;
          if (inner == 1) {
            for (int64_t k = 0; k < K; ++k) {
              const uint64_t v = static_cast<uint64_t>(io[k]);
              const bool in = v < su;
              ok &= in;
              oo[k] = xo[in ? v : 0];
            }
          } else {
            for (int64_t k = 0; k < K; ++k)
              for (int64_t i = 0; i < inner; ++i) {
                const uint64_t v = static_cast<uint64_t>(io[k * inner + i]);
                const bool in = v < su;
                ok &= in;
                oo[k * inner + i] = xo[(in ? v : 0) * inner + i];
              }
          }
        }
        if (!ok) bad.store(true, std::memory_order_relaxed);
      });
    });
    return !bad.load();
  }
  if (!indices_in_range(idx, S)) return false;
  // No write conflicts: walk the output in memory order like an elementwise op over (out, x with a
  // zero stride along dim, idx) and add index * x's dim stride to the x pointer.
  Shape xst = x.strides();
  const int64_t xdim_bytes = xst[dim] * static_cast<int64_t>(x.itemsize());
  xst[dim] = 0;
  Tensor xv(x.storage(), idx.sizes(), xst, x.offset(), x.dtype());
  auto g = make_geometry<3>(out.sizes(), {&out, &xv, &idx});
  dispatch_width(x.itemsize(), [&](auto tag) {
    using T = decltype(tag);
    strided_loop<3>(g, {static_cast<char*>(out.data_ptr()), static_cast<char*>(x.data_ptr()),
                        static_cast<char*>(idx.data_ptr())},
                    [xdim_bytes](char** p, const int64_t* s, int64_t n) {
                      const int64_t s0 = s[0], s1 = s[1], s2 = s[2];
                      char* o = p[0];
                      const char* xs = p[1];
                      const char* ii = p[2];
                      for (int64_t i = 0; i < n; ++i) {
                        const int64_t k = *reinterpret_cast<const int64_t*>(ii + i * s2);
                        *reinterpret_cast<T*>(o + i * s0) = *reinterpret_cast<const T*>(xs + i * s1 + k * xdim_bytes);
                      }
                    });
  });
  return true;
}

namespace {

// self (outer, S, inner), idx and src (outer, K, inner), all contiguous: threads own columns (o, i)
// and walk k in order, so memory is read row by row while duplicates still resolve in index order.
template <class T>
void scatter_contiguous(const Tensor& self, int64_t dim, const Tensor& idx, const Tensor& src, bool add) {
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < dim; ++d) outer *= idx.sizes()[d];
  for (int64_t d = dim + 1; d < idx.dim(); ++d) inner *= idx.sizes()[d];
  const int64_t K = idx.sizes()[dim], S = self.sizes()[dim];
  T* sp = self.data<T>();
  const int64_t* ip = idx.data<int64_t>();
  const T* rp = src.data<T>();
  parallel_for(0, outer * inner, std::max<int64_t>(1, kGrainSize / std::max<int64_t>(K, 1)), [&](int64_t b, int64_t e) {
    if (inner == 1) {
      // Scatter along the last dim: one row per o, its K updates applied in k order.
      for (int64_t o = b; o < e; ++o) {
        T* so = sp + o * S;
        const int64_t* io = ip + o * K;
        const T* ro = rp + o * K;
        if (add) {
          for (int64_t k = 0; k < K; ++k) acc_into(so[io[k]], ro[k]);
        } else {
          for (int64_t k = 0; k < K; ++k) so[io[k]] = ro[k];
        }
      }
      return;
    }
    while (b < e) {
      const int64_t o = b / inner, i0 = b % inner;
      const int64_t i1 = std::min(inner, i0 + (e - b));
      T* so = sp + o * S * inner;
      for (int64_t k = 0; k < K; ++k) {
        const int64_t* ik = ip + (o * K + k) * inner;
        const T* rk = rp + (o * K + k) * inner;
        if (add) {
          for (int64_t i = i0; i < i1; ++i) acc_into(so[ik[i] * inner + i], rk[i]);
        } else {
          for (int64_t i = i0; i < i1; ++i) so[ik[i] * inner + i] = rk[i];
        }
      }
      b += i1 - i0;
    }
  });
}

bool same_except(const Shape& a, const Shape& b, int64_t dim) {
  if (a.size() != b.size()) return false;
  for (size_t d = 0; d < a.size(); ++d)
    if (static_cast<int64_t>(d) != dim && a[d] != b[d]) return false;
  return true;
}

}  // namespace

void scatter_kernel(const Tensor& self, int64_t dim, const Tensor& idx, const Tensor& src, bool add) {
  const int64_t K = idx.sizes()[dim];
  const int64_t sst = self.strides()[dim], ist = idx.strides()[dim], rst = src.strides()[dim];
  const bool contiguous = self.is_contiguous() && idx.is_contiguous() && src.is_contiguous() &&
                          src.sizes() == idx.sizes() && same_except(self.sizes(), idx.sizes(), dim);
  TL_DISPATCH_ALL(self.dtype(), add ? "scatter_add" : "scatter", [&] {
    using T = scalar_t;
    if (contiguous) {
      scatter_contiguous<T>(self, dim, idx, src, add);
      return;
    }
    for_each_line<3>(idx.sizes(), dim, {&self, &idx, &src}, K, [&](char** p) {
      T* s = reinterpret_cast<T*>(p[0]);
      const int64_t* ii = reinterpret_cast<const int64_t*>(p[1]);
      const T* r = reinterpret_cast<const T*>(p[2]);
      if (add) {
        for (int64_t k = 0; k < K; ++k) acc_into(s[ii[k * ist] * sst], r[k * rst]);
      } else {
        for (int64_t k = 0; k < K; ++k) s[ii[k * ist] * sst] = r[k * rst];
      }
    });
  });
}

void scatter_fill_kernel(const Tensor& self, int64_t dim, const Tensor& idx, const Scalar& value) {
  const int64_t K = idx.sizes()[dim];
  const int64_t sst = self.strides()[dim], ist = idx.strides()[dim];
  TL_DISPATCH_ALL(self.dtype(), "scatter", [&] {
    using T = scalar_t;
    const T v = value.to<T>();
    for_each_line<2>(idx.sizes(), dim, {&self, &idx}, K, [&](char** p) {
      T* s = reinterpret_cast<T*>(p[0]);
      const int64_t* ii = reinterpret_cast<const int64_t*>(p[1]);
      for (int64_t k = 0; k < K; ++k) s[ii[k * ist] * sst] = v;
    });
  });
}

void index_add_kernel(const Tensor& out, int64_t dim, const Tensor& idx, const Tensor& src, const Scalar& alpha) {
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < dim; ++d) outer *= out.sizes()[d];
  for (int64_t d = dim + 1; d < out.dim(); ++d) inner *= out.sizes()[d];
  const int64_t size = out.sizes()[dim], n = idx.numel();
  const int64_t* ip = idx.data<int64_t>();
  const int64_t ist = idx.dim() ? idx.strides()[0] : 0;
  TL_DISPATCH_ALL(out.dtype(), "index_add_", [&] {
    using T = scalar_t;
    const T a = alpha.to<T>();
    T* op = out.data<T>();
    const T* sp = src.data<T>();
    // Columns (o, i) are split across threads; each walks all n indices in order, so duplicate
    // indices accumulate in a fixed order.
    parallel_for(0, outer * inner, std::max<int64_t>(1, kGrainSize / std::max<int64_t>(n, 1)), [&](int64_t b, int64_t e) {
      while (b < e) {
        const int64_t o = b / inner, i0 = b % inner;
        const int64_t i1 = std::min(inner, i0 + (e - b));
        for (int64_t k = 0; k < n; ++k) {
          T* dst = op + (o * size + ip[k * ist]) * inner;
          const T* s = sp + (o * n + k) * inner;
          for (int64_t i = i0; i < i1; ++i) {
            if constexpr (std::is_same_v<T, bool>) dst[i] = dst[i] || (s[i] && a);
            else dst[i] = static_cast<T>(dst[i] + a * s[i]);
          }
        }
        b += i1 - i0;
      }
    });
  });
}

void index_kernel(const Tensor& out, const Tensor& x, const std::vector<int64_t>& offs,
                  const std::vector<int64_t>& toffs) {
  const int64_t P = static_cast<int64_t>(offs.size()), T_ = static_cast<int64_t>(toffs.size());
  if (P == 0 || T_ == 0) return;
  bool tail_contig = true;
  for (int64_t t = 0; t < T_ && tail_contig; ++t) tail_contig = toffs[t] == t;
  dispatch_width(x.itemsize(), [&](auto tag) {
    using T = decltype(tag);
    const T* xp = static_cast<const T*>(x.data_ptr());
    T* op = static_cast<T*>(out.data_ptr());
    parallel_for(0, P, std::max<int64_t>(1, kGrainSize / T_), [&](int64_t b, int64_t e) {
      for (int64_t p = b; p < e; ++p) {
        const T* src = xp + offs[p];
        T* dst = op + p * T_;
        if (tail_contig) {
          if (T_ == 1) *dst = *src;
          else std::memcpy(dst, src, static_cast<size_t>(T_) * sizeof(T));
        } else {
          for (int64_t t = 0; t < T_; ++t) dst[t] = src[toffs[t]];
        }
      }
    });
  });
}

void index_put_kernel(const Tensor& x, const std::vector<int64_t>& offs, const std::vector<int64_t>& toffs,
                      const Tensor& values, bool accumulate) {
  const int64_t P = static_cast<int64_t>(offs.size()), T_ = static_cast<int64_t>(toffs.size());
  if (P == 0 || T_ == 0) return;
  TL_DISPATCH_ALL(x.dtype(), "index_put_", [&] {
    using T = scalar_t;
    T* xp = x.data<T>();
    const T* vp = values.data<T>();
    // Threads split the tail, never the index positions: duplicate positions hit the same element
    // from one thread, in order, so `accumulate` sums (and plain puts resolve) deterministically.
    parallel_for(0, T_, std::max<int64_t>(1, kGrainSize / P), [&](int64_t b, int64_t e) {
      for (int64_t p = 0; p < P; ++p) {
        T* dst = xp + offs[p];
        const T* v = vp + p * T_;
        if (accumulate) {
          for (int64_t t = b; t < e; ++t) acc_into(dst[toffs[t]], v[t]);
        } else {
          for (int64_t t = b; t < e; ++t) dst[toffs[t]] = v[t];
        }
      }
    });
  });
}

void masked_fill_kernel(const Tensor& x, const Tensor& mask, const Scalar& value) {
  TL_DISPATCH_ALL(x.dtype(), "masked_fill_", [&] {
    using T = scalar_t;
    const T v = value.to<T>();
    auto g = make_geometry<2>(x.sizes(), {&x, &mask});
    strided_loop<2>(g, {static_cast<char*>(x.data_ptr()), static_cast<char*>(mask.data_ptr())},
                    [v](char** p, const int64_t* s, int64_t n) {
                      if (s[0] == sizeof(T) && s[1] == 1) {
                        T* xs = reinterpret_cast<T*>(p[0]);
                        const bool* ms = reinterpret_cast<const bool*>(p[1]);
                        for (int64_t i = 0; i < n; ++i) xs[i] = ms[i] ? v : xs[i];
                      } else {
                        for (int64_t i = 0; i < n; ++i)
                          if (*reinterpret_cast<const bool*>(p[1] + i * s[1])) *reinterpret_cast<T*>(p[0] + i * s[0]) = v;
                      }
                    });
  });
}

std::vector<int64_t> nonzero_chunk_counts(const Tensor& x) {
  const int64_t n = x.numel();
  const int64_t nch = (n + kCompactChunk - 1) / kCompactChunk;
  std::vector<int64_t> counts(static_cast<size_t>(nch), 0);
  TL_DISPATCH_ALL(x.dtype(), "nonzero", [&] {
    const scalar_t* xp = x.data<scalar_t>();
    parallel_for(0, nch, 1, [&](int64_t b, int64_t e) {
      for (int64_t c = b; c < e; ++c) {
        int64_t cnt = 0;
        const int64_t lo = c * kCompactChunk, hi = std::min(n, lo + kCompactChunk);
        for (int64_t i = lo; i < hi; ++i) cnt += xp[i] != scalar_t(0);
        counts[c] = cnt;
      }
    });
  });
  return counts;
}

void masked_select_kernel(const Tensor& out, const Tensor& x, const Tensor& mask, const std::vector<int64_t>& starts) {
  const int64_t n = x.numel();
  const int64_t nch = static_cast<int64_t>(starts.size());
  const uint8_t* mb = reinterpret_cast<const uint8_t*>(mask.data<bool>());
  dispatch_width(x.itemsize(), [&](auto tag) {
    using T = decltype(tag);
    const T* xp = static_cast<const T*>(x.data_ptr());
    T* op = static_cast<T*>(out.data_ptr());
    parallel_for(0, nch, 1, [&](int64_t b, int64_t e) {
      for (int64_t c = b; c < e; ++c) {
        int64_t w = starts[c];
        const int64_t lo = c * kCompactChunk;
        int64_t hi = std::min(n, lo + kCompactChunk);
        // Branch-free: every element is stored at the cursor, which only advances past selected
        // ones (a random mask would mispredict half the branches). Stopping after the chunk's last
        // selected element keeps every store inside this chunk's slice of out.
        while (hi > lo && !mb[hi - 1]) --hi;
        for (int64_t i = lo; i < hi; ++i) {
          op[w] = xp[i];
          w += mb[i] != 0;
        }
      }
    });
  });
}

void nonzero_kernel(const Tensor& out, const Tensor& x, const std::vector<int64_t>& starts) {
  const int64_t n = x.numel(), nd = x.dim();
  const int64_t nch = static_cast<int64_t>(starts.size());
  int64_t* op = out.data<int64_t>();
  const Shape& sz = x.sizes();
  TL_DISPATCH_ALL(x.dtype(), "nonzero", [&] {
    const scalar_t* xp = x.data<scalar_t>();
    parallel_for(0, nch, 1, [&](int64_t b, int64_t e) {
      std::vector<int64_t> coord(static_cast<size_t>(nd));
      for (int64_t c = b; c < e; ++c) {
        int64_t w = starts[c];
        const int64_t lo = c * kCompactChunk, hi = std::min(n, lo + kCompactChunk);
        int64_t rem = lo;
        for (int64_t d = nd - 1; d >= 0; --d) { coord[d] = rem % sz[d]; rem /= sz[d]; }
        for (int64_t i = lo; i < hi; ++i) {
          if (xp[i] != scalar_t(0)) {
            for (int64_t d = 0; d < nd; ++d) op[w * nd + d] = coord[d];
            ++w;
          }
          for (int64_t d = nd - 1; d >= 0; --d) {
            if (++coord[d] < sz[d]) break;
            coord[d] = 0;
          }
        }
      }
    });
  });
}

}  // namespace tl::cpu
