//===- AttachTarget.cpp - the gru-attach-target pass
//-----------------------===//

#include "gru/Target/CPUTarget.h"
#include "gru/Transforms/Passes.h"

namespace mlir::gru {
#define GEN_PASS_DEF_GRUATTACHTARGET
#include "gru/Transforms/Passes.h.inc"
} // namespace mlir::gru

using namespace mlir;
using namespace mlir::gru;

namespace {

struct GRUAttachTargetPass
    : gru::impl::GRUAttachTargetBase<GRUAttachTargetPass> {
  using Base::Base;

  void runOnOperation() override {
    std::string error;
    FailureOr<CPUTarget> target =
        CPUTarget::resolve(triple, cpu, features, error);
    if (failed(target)) {
      emitError(getOperation().getLoc()) << error;
      return signalPassFailure();
    }
    target->attachTo(getOperation());
  }
};

} // namespace
