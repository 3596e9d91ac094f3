// out (outer, W), inputs i (outer, w_i) with W = sum w_i -> out rows are the inputs' rows side by side
// (cat along any dim of contiguous tensors: the dims before `dim` are `outer`, the rest is the row).
#include "shape.h"
#include <algorithm>
#include <cstring>
#include "../core/parallel.h"

namespace tl::cpu {

void cat_rows_kernel(const Tensor& out, const std::vector<const Tensor*>& inputs,
                     const std::vector<int64_t>& widths, int64_t outer) {
  const size_t isz = out.itemsize();
  int64_t W = 0;
  for (int64_t w : widths) W += w;
  if (W == 0 || outer == 0) return;
  char* op = static_cast<char*>(out.data_ptr());
  std::vector<const char*> src(inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i) src[i] = static_cast<const char*>(inputs[i]->data_ptr());
  if (outer < 2 * get_num_threads()) {
    // Few, long rows (cat along dim 0 is one row): split the flat output range instead, each thread
    // copying the pieces of the inputs that fall in its chunk.
    std::vector<int64_t> start(widths.size() + 1, 0);
    for (size_t i = 0; i < widths.size(); ++i) start[i + 1] = start[i] + widths[i];
    parallel_for(0, outer * W, 4 * kGrainSize, [&](int64_t b, int64_t e) {
      while (b < e) {
        const int64_t o = b / W, r = b % W;
        const size_t i = static_cast<size_t>(std::upper_bound(start.begin(), start.end(), r) - start.begin() - 1);
        const int64_t n = std::min(start[i + 1] - r, e - b);
        std::memcpy(op + static_cast<size_t>(b) * isz, src[i] + static_cast<size_t>(o * widths[i] + r - start[i]) * isz,
                    static_cast<size_t>(n) * isz);
        b += n;
      }
    });
    return;
  }
  // Threads own whole output rows and fill each with every input in turn, so out is written once,
  // front to back, with one memcpy (glibc's widest copy) per input row.
  parallel_for(0, outer, std::max<int64_t>(1, kGrainSize / W), [&](int64_t b, int64_t e) {
    for (int64_t o = b; o < e; ++o) {
      char* dst = op + static_cast<size_t>(o * W) * isz;
      for (size_t i = 0; i < src.size(); ++i) {
        const size_t nb = static_cast<size_t>(widths[i]) * isz;
        std::memcpy(dst, src[i] + o * nb, nb);
        dst += nb;
      }
    }
  });
}

}  // namespace tl::cpu
