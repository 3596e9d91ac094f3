// out (outer, W), inputs i (outer, w_i) with W = sum w_i -> out rows are the inputs' rows side by side
// (cat along any dim of contiguous tensors: the dims before `dim` are `outer`, the rest is the row).
#include "shape.h"
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
