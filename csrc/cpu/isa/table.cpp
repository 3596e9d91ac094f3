// This ISA's IsaKernels table (see isa.h), assembled from the files of this folder.
#include "isa.h"
#include "isa_fill.h"

namespace tl::cpu::TL_ISA_NS {

namespace {
IsaKernels make() {
  IsaKernels k{};
  k.name = TL_ISA_NAME;
  fill_gemm(k);
  fill_gemm_packed(k);
  fill_vmath(k);
  return k;
}
}  // namespace

const IsaKernels& kernels() {
  static const IsaKernels k = make();
  return k;
}

}  // namespace tl::cpu::TL_ISA_NS
