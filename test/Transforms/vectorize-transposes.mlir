// RUN: gru-opt %s -gru-vectorize-transposes | FileCheck %s

// Packing (K, panels, width) into (panels, K, width): one vector per row.
// CHECK-LABEL: func @panels
// CHECK-NOT: linalg.transpose
// CHECK: scf.for %[[P:.*]] = %c0 to %c2 step %c1
// CHECK:   scf.for %[[K:.*]] = %c0 to %c4 step %c1
// CHECK:     %[[ROW:.*]] = vector.transfer_read %arg0[%[[K]], %[[P]], %c0]{{.*}} : memref<4x2x8xf32>, vector<8xf32>
// CHECK:     vector.transfer_write %[[ROW]], %arg1[%[[P]], %[[K]], %c0] {in_bounds = [true]} : vector<8xf32>, memref<2x4x8xf32>
func.func @panels(%in: memref<4x2x8xf32>, %out: memref<2x4x8xf32>) {
  linalg.transpose ins(%in : memref<4x2x8xf32>) outs(%out : memref<2x4x8xf32>) permutation = [1, 0, 2]
  return
}

// Dynamic outer sizes are read from the output.
// CHECK-LABEL: func @dynamic
// CHECK: %[[D1:.*]] = memref.dim %arg1, %c1
// CHECK: scf.for %{{.*}} = %c0 to %c3 step %c1
// CHECK:   scf.for %{{.*}} = %c0 to %[[D1]] step %c1
// CHECK: vector.transfer_read {{.*}} : memref<?x3x16xf32>, vector<16xf32>
func.func @dynamic(%in: memref<?x3x16xf32>, %out: memref<3x?x16xf32>) {
  linalg.transpose ins(%in : memref<?x3x16xf32>) outs(%out : memref<3x?x16xf32>) permutation = [1, 0, 2]
  return
}

// Long rows (the time-major input with many features) are copied in pieces
// of 256 elements and a static tail.
// CHECK-LABEL: func @long_rows
// CHECK:     scf.for %[[C:.*]] = %c0 to %c512 step %c256
// CHECK:       vector.transfer_read %arg0[%{{.*}}, %{{.*}}, %[[C]]]{{.*}} : memref<2x3x600xf32>, vector<256xf32>
// CHECK:       vector.transfer_write {{.*}} : vector<256xf32>, memref<3x2x600xf32>
// CHECK:     }
// CHECK:     vector.transfer_read %arg0[%{{.*}}, %{{.*}}, %c512]{{.*}} : memref<2x3x600xf32>, vector<88xf32>
// CHECK:     vector.transfer_write {{.*}} : vector<88xf32>, memref<3x2x600xf32>
func.func @long_rows(%in: memref<2x3x600xf32>, %out: memref<3x2x600xf32>) {
  linalg.transpose ins(%in : memref<2x3x600xf32>) outs(%out : memref<3x2x600xf32>) permutation = [1, 0, 2]
  return
}

// Transposes that move the last dimension, rows that are not contiguous,
// and tensors are left as they are.
// CHECK-LABEL: func @left_alone
// CHECK-COUNT-3: linalg.transpose
// CHECK-NOT: vector.transfer_read
func.func @left_alone(%a: memref<4x8xf32>, %b: memref<8x4xf32>,
                      %c: memref<4x2x8xf32, strided<[32, 16, 2]>>, %d: memref<2x4x8xf32>,
                      %e: tensor<4x2x8xf32>) -> tensor<2x4x8xf32> {
  linalg.transpose ins(%a : memref<4x8xf32>) outs(%b : memref<8x4xf32>) permutation = [1, 0]
  linalg.transpose ins(%c : memref<4x2x8xf32, strided<[32, 16, 2]>>) outs(%d : memref<2x4x8xf32>) permutation = [1, 0, 2]
  %init = tensor.empty() : tensor<2x4x8xf32>
  %t = linalg.transpose ins(%e : tensor<4x2x8xf32>) outs(%init : tensor<2x4x8xf32>) permutation = [1, 0, 2]
  return %t : tensor<2x4x8xf32>
}
