// Internal to csrc/cpu/isa: each file fills its part of this ISA's table (kernels() in table.cpp).
#pragma once
#include "isa.h"

namespace tl::cpu::TL_ISA_NS {
void fill_gemm(IsaKernels& k);         // gemm_block.cpp
void fill_gemm_packed(IsaKernels& k);  // ../gemm/ukernel.cpp
void fill_vmath(IsaKernels& k);  // vmath.cpp
}  // namespace tl::cpu::TL_ISA_NS
