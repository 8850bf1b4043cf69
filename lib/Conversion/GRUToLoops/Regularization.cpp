//===- Regularization.cpp - lowering of penalties and constraints ----------===//
//
// Keras's regularizers (keras/src/regularizers) and constraints
// (keras/src/constraints) as linalg ops; ε is Keras's epsilon, 1e-7.
//
//===----------------------------------------------------------------------===//

#include "Regularization.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"

using namespace mlir;
using namespace mlir::gru;

namespace {

constexpr double kEpsilon = 1e-7;

Value constant(ImplicitLocOpBuilder &b, Type type, double value) {
  return arith::ConstantOp::create(b, b.getFloatAttr(type, value));
}

/// A tensor of `type` (static shape or the sizes of `like`) filled with 0.
Value zeros(ImplicitLocOpBuilder &b, RankedTensorType type,
            ArrayRef<OpFoldResult> sizes) {
  Value empty = tensor::EmptyOp::create(b, sizes, type.getElementType());
  return linalg::FillOp::create(b, constant(b, type.getElementType(), 0.0),
                                empty)
      .getResult(0);
}

} // namespace

Value mlir::gru::lowerWeightPenalty(RewriterBase &rewriter,
                                    WeightPenaltyOp op) {
  ImplicitLocOpBuilder b(op.getLoc(), rewriter);
  b.setInsertionPoint(op);
  auto weightType = cast<RankedTensorType>(op.getWeight().getType());
  Type element = weightType.getElementType();
  Type f64 = b.getF64Type();
  unsigned rank = weightType.getRank();
  double l1 = op.getRegularizer().getL1Factor();
  double l2 = op.getRegularizer().getL2Factor();

  // Σ|w| and Σw² in one pass, accumulated in f64.
  auto scalarType = RankedTensorType::get({}, f64);
  Value init = zeros(b, scalarType, {});
  MLIRContext *ctx = b.getContext();
  AffineMap all = AffineMap::getMultiDimIdentityMap(rank, ctx);
  AffineMap scalar = AffineMap::get(rank, 0, {}, ctx);
  SmallVector<utils::IteratorType> reduction(rank,
                                             utils::IteratorType::reduction);
  auto sums = linalg::GenericOp::create(
      b, TypeRange{scalarType, scalarType}, ValueRange{op.getWeight()},
      ValueRange{init, init}, ArrayRef<AffineMap>{all, scalar, scalar},
      reduction, [&](OpBuilder &nested, Location loc, ValueRange args) {
        ImplicitLocOpBuilder s(loc, nested);
        Value w = element == f64
                      ? args[0]
                      : arith::ExtFOp::create(s, f64, args[0]).getResult();
        Value absSum = arith::AddFOp::create(s, args[1],
                                             math::AbsFOp::create(s, w));
        Value squareSum = arith::AddFOp::create(
            s, args[2], arith::MulFOp::create(s, w, w));
        linalg::YieldOp::create(s, ValueRange{absSum, squareSum});
      });
  Value absSum = tensor::ExtractOp::create(b, sums.getResult(0));
  Value squareSum = tensor::ExtractOp::create(b, sums.getResult(1));
  Value penalty = constant(b, f64, 0.0);
  if (l1 != 0)
    penalty = arith::AddFOp::create(
        b, penalty, arith::MulFOp::create(b, constant(b, f64, l1), absSum));
  if (l2 != 0)
    penalty = arith::AddFOp::create(
        b, penalty, arith::MulFOp::create(b, constant(b, f64, l2), squareSum));
  if (element != f64)
    penalty = arith::TruncFOp::create(b, element, penalty);
  return tensor::FromElementsOp::create(b, op.getPenalty().getType(),
                                        ValueRange{penalty});
}

Value mlir::gru::lowerConstrain(RewriterBase &rewriter, ConstrainOp op) {
  ImplicitLocOpBuilder b(op.getLoc(), rewriter);
  b.setInsertionPoint(op);
  Value weight = op.getWeight();
  auto type = cast<RankedTensorType>(weight.getType());
  Type element = type.getElementType();
  int64_t rank = type.getRank();
  MLIRContext *ctx = b.getContext();
  AffineMap all = AffineMap::getMultiDimIdentityMap(rank, ctx);
  SmallVector<utils::IteratorType> parallel(rank,
                                            utils::IteratorType::parallel);
  SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(b, b.getLoc(), weight);
  ConstraintAttrInterface constraint = op.getConstraint();

  std::optional<int64_t> axis = constraint.getNormAxis();
  Value sumsOfSquares;
  AffineMap normMap;
  if (axis) {
    int64_t a = *axis < 0 ? *axis + rank : *axis;
    // Σ w² over axis a, one value per other index.
    SmallVector<AffineExpr> kept;
    SmallVector<OpFoldResult> normSizes;
    SmallVector<int64_t> normShape;
    for (int64_t d = 0; d < rank; ++d)
      if (d != a) {
        kept.push_back(getAffineDimExpr(d, ctx));
        normSizes.push_back(sizes[d]);
        normShape.push_back(type.getDimSize(d));
      }
    normMap = AffineMap::get(rank, 0, kept, ctx);
    SmallVector<utils::IteratorType> iterators = parallel;
    iterators[a] = utils::IteratorType::reduction;
    auto normType = RankedTensorType::get(normShape, element);
    sumsOfSquares =
        linalg::GenericOp::create(
            b, TypeRange{normType}, ValueRange{weight},
            ValueRange{zeros(b, normType, normSizes)},
            ArrayRef<AffineMap>{all, normMap}, iterators,
            [&](OpBuilder &nested, Location loc, ValueRange args) {
              ImplicitLocOpBuilder s(loc, nested);
              Value square = arith::MulFOp::create(s, args[0], args[0]);
              linalg::YieldOp::create(
                  s, ValueRange{arith::AddFOp::create(s, args[1], square)});
            })
            .getResult(0);
  }

  SmallVector<Value> inputs{weight};
  SmallVector<AffineMap> maps{all};
  if (sumsOfSquares) {
    inputs.push_back(sumsOfSquares);
    maps.push_back(normMap);
  }
  maps.push_back(all);
  Value init = tensor::EmptyOp::create(b, sizes, element);
  return linalg::GenericOp::create(
             b, TypeRange{type}, inputs, ValueRange{init}, maps, parallel,
             [&](OpBuilder &nested, Location loc, ValueRange args) {
               ImplicitLocOpBuilder s(loc, nested);
               Value w = args[0];
               auto c = [&](double v) { return constant(s, element, v); };
               auto clip = [&](Value x, double lo, double hi) -> Value {
                 return arith::MinimumFOp::create(
                     s, arith::MaximumFOp::create(s, x, c(lo)), c(hi));
               };
               // w · desired / (ε + n)
               auto rescale = [&](Value desired, Value n) -> Value {
                 return arith::MulFOp::create(
                     s, w,
                     arith::DivFOp::create(
                         s, desired, arith::AddFOp::create(s, c(kEpsilon), n)));
               };
               Value result;
               if (isa<NonNegAttr>(constraint)) {
                 Value nonNegative = arith::CmpFOp::create(
                     s, arith::CmpFPredicate::OGE, w, c(0.0));
                 result = arith::SelectOp::create(s, nonNegative, w, c(0.0));
               } else {
                 Value n = math::SqrtOp::create(s, args[1]);
                 if (auto maxNorm = dyn_cast<MaxNormAttr>(constraint)) {
                   result = rescale(
                       clip(n, 0.0, maxNorm.getMaxValue().convertToDouble()),
                       n);
                 } else if (isa<UnitNormAttr>(constraint)) {
                   result = arith::DivFOp::create(
                       s, w, arith::AddFOp::create(s, c(kEpsilon), n));
                 } else {
                   auto minMax = cast<MinMaxNormAttr>(constraint);
                   double rate = minMax.getRate().convertToDouble();
                   Value clipped =
                       clip(n, minMax.getMinValue().convertToDouble(),
                            minMax.getMaxValue().convertToDouble());
                   Value desired = arith::AddFOp::create(
                       s, arith::MulFOp::create(s, c(rate), clipped),
                       arith::MulFOp::create(s, c(1.0 - rate), n));
                   result = rescale(desired, n);
                 }
               }
               linalg::YieldOp::create(s, ValueRange{result});
             })
      .getResult(0);
}
