// CUDA indexing kernels; same contracts as csrc/cpu/index.h (the op layer calls them through
// TL_KERNEL). Host vectors (advanced-indexing offsets, compaction starts) are uploaded here; the
// functions that return host values (range flags, chunk counts) synchronise the tensor's stream.
#pragma once
#include <vector>
#include "../core/scalar.h"
#include "../core/tensor.h"

namespace tl::cuda {

bool indices_in_range(const Tensor& idx, int64_t size);
void index_select_kernel(const Tensor& out, const Tensor& x, int64_t dim, const Tensor& idx);
bool gather_kernel(const Tensor& out, const Tensor& x, int64_t dim, const Tensor& idx);
void scatter_kernel(const Tensor& self, int64_t dim, const Tensor& idx, const Tensor& src, bool add);
void scatter_fill_kernel(const Tensor& self, int64_t dim, const Tensor& idx, const Scalar& value);
void index_add_kernel(const Tensor& out, int64_t dim, const Tensor& idx, const Tensor& src, const Scalar& alpha);
void index_kernel(const Tensor& out, const Tensor& x, const std::vector<int64_t>& offs,
                  const std::vector<int64_t>& toffs);
void index_put_kernel(const Tensor& x, const std::vector<int64_t>& offs, const std::vector<int64_t>& toffs,
                      const Tensor& values, bool accumulate);
void masked_fill_kernel(const Tensor& x, const Tensor& mask, const Scalar& value);
std::vector<int64_t> nonzero_chunk_counts(const Tensor& x);
void masked_select_kernel(const Tensor& out, const Tensor& x, const Tensor& mask, const std::vector<int64_t>& starts);
void nonzero_kernel(const Tensor& out, const Tensor& x, const std::vector<int64_t>& starts);

}  // namespace tl::cuda
