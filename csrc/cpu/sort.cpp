// x (..., n, ...) -> values, indices (..., n, ...)      sort along dim (stable)
// x (..., n, ...) -> values, indices (..., k, ...)      topk along dim
// Every line along `dim` is sorted by one thread in a private buffer (see for_each_line).
#include "sort.h"
#include <algorithm>
#include <cmath>
#include <type_traits>
#include <utility>
#include <vector>
#include "index.h"

namespace tl::cpu {

namespace {

// Strict "a before b" orders with torch's NaN rule: NaN is larger than every number.
template <class T>
inline bool less_nan(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) return a < b || (std::isnan(b) && !std::isnan(a));
  else return a < b;
}

template <class T>
using Buffer = std::vector<std::pair<T, int64_t>>;

template <class T>
Buffer<T>& line_buffer() {
  thread_local Buffer<T> buf;
  return buf;
}

}  // namespace

void sort_kernel(const Tensor& values, const Tensor& indices, const Tensor& x, int64_t dim, bool descending) {
  const int64_t n = x.sizes()[dim];
  const int64_t vst = values.strides()[dim], ist = indices.strides()[dim], xst = x.strides()[dim];
  TL_DISPATCH_ALL(x.dtype(), "sort", [&] {
    using T = scalar_t;
    for_each_line<3>(x.sizes(), dim, {&values, &indices, &x}, n, [&](char** p) {
      T* v = reinterpret_cast<T*>(p[0]);
      int64_t* ix = reinterpret_cast<int64_t*>(p[1]);
      const T* xs = reinterpret_cast<const T*>(p[2]);
      auto& buf = line_buffer<T>();
      buf.resize(static_cast<size_t>(n));
      bool has_nan = false;
      for (int64_t i = 0; i < n; ++i) {
        buf[i] = {xs[i * xst], i};
        if constexpr (std::is_floating_point_v<T>) has_nan |= std::isnan(buf[i].first);
      }
      if (!has_nan) {
        // Without NaN, plain compares with the index as tie-break give a strict total order whose
        // result is the stable one; introsort on it beats the merge sort (no buffer, fewer moves).
        if (descending)
          std::sort(buf.begin(), buf.end(), [](const auto& a, const auto& b) {
            return b.first < a.first || (!(a.first < b.first) && a.second < b.second); });
        else
          std::sort(buf.begin(), buf.end(), [](const auto& a, const auto& b) {
            return a.first < b.first || (!(b.first < a.first) && a.second < b.second); });
      } else if (descending)
        std::stable_sort(buf.begin(), buf.end(), [](const auto& a, const auto& b) { return less_nan(b.first, a.first); });
      else
        std::stable_sort(buf.begin(), buf.end(), [](const auto& a, const auto& b) { return less_nan(a.first, b.first); });
      // stable_sort keeps equal values in input order, for both directions, as torch's stable=True.
      for (int64_t i = 0; i < n; ++i) {
        v[i * vst] = buf[i].first;
        ix[i * ist] = buf[i].second;
      }
    });
  });
}

void topk_kernel(const Tensor& values, const Tensor& indices, const Tensor& x, int64_t dim, int64_t k,
                 bool largest, bool sorted) {
  (void)sorted;  // results always come sorted: a valid order for sorted=False too, and deterministic
  const int64_t n = x.sizes()[dim];
  const int64_t vst = values.strides()[dim], ist = indices.strides()[dim], xst = x.strides()[dim];
  if (k == 0) return;
  TL_DISPATCH_NUMERIC(x.dtype(), "topk", [&] {
    using T = scalar_t;
    for_each_line<3>(values.sizes(), dim, {&values, &indices, &x}, n, [&](char** p) {
      T* v = reinterpret_cast<T*>(p[0]);
      int64_t* ix = reinterpret_cast<int64_t*>(p[1]);
      const T* xs = reinterpret_cast<const T*>(p[2]);
      auto& buf = line_buffer<T>();
      buf.resize(static_cast<size_t>(n));
      for (int64_t i = 0; i < n; ++i) buf[i] = {xs[i * xst], i};
      // A total order (value, then index) makes partial_sort's result unique.
      auto mid = buf.begin() + k;
      if (largest)
        std::partial_sort(buf.begin(), mid, buf.end(), [](const auto& a, const auto& b) {
          return less_nan(b.first, a.first) || (!less_nan(a.first, b.first) && a.second < b.second);
        });
      else
        std::partial_sort(buf.begin(), mid, buf.end(), [](const auto& a, const auto& b) {
          return less_nan(a.first, b.first) || (!less_nan(b.first, a.first) && a.second < b.second);
        });
      for (int64_t i = 0; i < k; ++i) {
        v[i * vst] = buf[i].first;
        ix[i * ist] = buf[i].second;
      }
    });
  });
}

}  // namespace tl::cpu
