//===- SelectImpl.cpp - the gru-select-impl pass ---------------------------===//

#include "gru/IR/GRUOps.h"
#include "gru/Transforms/Passes.h"

namespace mlir::gru {
#define GEN_PASS_DEF_GRUSELECTIMPL
#include "gru/Transforms/Passes.h.inc"
} // namespace mlir::gru

using namespace mlir;
using namespace mlir::gru;

namespace {

struct GRUSelectImplPass : gru::impl::GRUSelectImplBase<GRUSelectImplPass> {
  using Base::Base;

  void runOnOperation() override {
    getOperation()->walk([&](LayerOp op) { op.setImpl(select(op)); });
  }

  Implementation select(LayerOp op) {
    SmallVector<std::string> blockers = op.getCuDNNBlockers();
    if (target != Target::gpu)
      blockers.push_back("target is cpu; cuDNN needs a GPU");
    else if (!cudnn)
      blockers.push_back("cuDNN calls are off (cudnn=false)");
    for (const std::string &reason : blockers)
      op.emitRemark() << "not using cuDNN: " << reason;
    if (!blockers.empty())
      return Implementation::fused;
    if (!op.getMask())
      return Implementation::cudnn;
    op.emitRemark() << "using cuDNN if the mask is strictly right-padded "
                       "(checked at run time), the fused path otherwise";
    return Implementation::cudnn_if_right_padded;
  }
};

} // namespace
