// RUN: gru-opt %s -convert-matmul-to-sgemm | FileCheck %s

// f32 matmuls on memrefs with contiguous rows call the runtime's sgemm; the
// others stay.
// CHECK: func.func private @gru_rt_sgemm(memref<?x?xf32, strided<[?, 1], offset: ?>>, memref<?x?xf32, strided<[?, 1], offset: ?>>, memref<?x?xf32, strided<[?, 1], offset: ?>>) attributes {llvm.emit_c_interface}
// CHECK-LABEL: func @matmuls
// CHECK: %[[A:.*]] = memref.cast %arg0 : memref<4x8xf32> to memref<?x?xf32, strided<[?, 1], offset: ?>>
// CHECK: %[[B:.*]] = memref.cast %arg1 : memref<8x12xf32, strided<[24, 1]>> to memref<?x?xf32, strided<[?, 1], offset: ?>>
// CHECK: %[[C:.*]] = memref.cast %arg2 : memref<4x12xf32> to memref<?x?xf32, strided<[?, 1], offset: ?>>
// CHECK: call @gru_rt_sgemm(%[[A]], %[[B]], %[[C]])
// CHECK: linalg.matmul ins(%arg3, %{{.*}} : memref<4x8xf32, strided<[1, 4]>>
// CHECK: linalg.matmul ins(%arg4, %{{.*}} : memref<4x8xf64>
func.func @matmuls(%a: memref<4x8xf32>, %b: memref<8x12xf32, strided<[24, 1]>>, %c: memref<4x12xf32>,
                   %at: memref<4x8xf32, strided<[1, 4]>>, %a64: memref<4x8xf64>, %b64: memref<8x12xf64>, %c64: memref<4x12xf64>) {
  linalg.matmul ins(%a, %b : memref<4x8xf32>, memref<8x12xf32, strided<[24, 1]>>) outs(%c : memref<4x12xf32>)
  linalg.matmul ins(%at, %b : memref<4x8xf32, strided<[1, 4]>>, memref<8x12xf32, strided<[24, 1]>>) outs(%c : memref<4x12xf32>)
  linalg.matmul ins(%a64, %b64 : memref<4x8xf64>, memref<8x12xf64>) outs(%c64 : memref<4x12xf64>)
  return
}
