// out (outer, W), inputs i (outer, w_i) with W = sum w_i -> out rows are the inputs' rows side by side
// (cat along any dim of contiguous tensors: the dims before `dim` are `outer`, the rest is the row).
// One launch for all inputs: each output element finds its input by a binary search over the column
// starts (uploaded with the input pointers), so the work is one coalesced pass over out whatever the
// number or widths of the inputs.
#include <vector>
#include "common.cuh"
#include "shape.h"

namespace tl::cuda {

namespace {

template <class W>
__global__ void cat_rows_k(W* out, const W* const* srcs, const int64_t* starts, int ninputs, int64_t total,
                           int64_t width) {
  for (int64_t e = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; e < total; e += int64_t{gridDim.x} * blockDim.x) {
    const int64_t o = e / width, r = e - o * width;
    // last input whose start is <= r (every width is positive, so it is unique)
    int lo = 0, hi = ninputs - 1;
    while (lo < hi) {
      const int mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= r) lo = mid;
      else hi = mid - 1;
    }
    const int64_t w = starts[lo + 1] - starts[lo];
    out[e] = srcs[lo][o * w + (r - starts[lo])];
  }
}

}  // namespace

void cat_rows_kernel(const Tensor& out, const std::vector<const Tensor*>& inputs, const std::vector<int64_t>& widths,
                     int64_t outer) {
  int64_t width = 0;
  for (int64_t w : widths) width += w;
  const int64_t total = outer * width;
  if (total == 0 || inputs.empty()) return;
  DeviceGuard g(out);
  const int dev = out.device().index;
  // Zero-width inputs would make the search ambiguous; the op layer drops them, and so do we.
  std::vector<const void*> ptrs;
  std::vector<int64_t> starts{0};
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (widths[i] == 0) continue;
    ptrs.push_back(inputs[i]->data_ptr());
    starts.push_back(starts.back() + widths[i]);
  }
  DeviceBuffer dptrs(ptrs.size() * sizeof(const void*), dev), dstarts(starts.size() * sizeof(int64_t), dev);
  upload(dptrs, ptrs.data(), ptrs.size(), dev, "cat");
  upload(dstarts, starts.data(), starts.size(), dev, "cat");
  const int n = static_cast<int>(ptrs.size());
  switch (out.itemsize()) {
    case 1:
      cat_rows_k<uint8_t><<<grid_for(total), kThreads, 0, stream_of(out)>>>(
          static_cast<uint8_t*>(out.data_ptr()), dptrs.get<const uint8_t* const>(), dstarts.get<int64_t>(), n, total,
          width);
      break;
    case 4:
      cat_rows_k<uint32_t><<<grid_for(total), kThreads, 0, stream_of(out)>>>(
          static_cast<uint32_t*>(out.data_ptr()), dptrs.get<const uint32_t* const>(), dstarts.get<int64_t>(), n,
          total, width);
      break;
    case 8:
      cat_rows_k<uint64_t><<<grid_for(total), kThreads, 0, stream_of(out)>>>(
          static_cast<uint64_t*>(out.data_ptr()), dptrs.get<const uint64_t* const>(), dstarts.get<int64_t>(), n,
          total, width);
      break;
    default: TL_THROW(Runtime, "cat: unsupported element size ", out.itemsize());
  }
  TL_CUDA_LAUNCH_CHECK("cat");
}

}  // namespace tl::cuda
