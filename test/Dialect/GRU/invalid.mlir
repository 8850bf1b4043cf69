// Every verifier rule of the gru ops, each with its diagnostic.
// RUN: gru-opt %s -split-input-file -verify-diagnostics

func.func @units_not_positive(%x: tensor<2x5x8xf32>, %k: tensor<8x0xf32>, %rk: tensor<0x0xf32>) {
  // expected-error @+1 {{'units' must be a positive integer, got 0}}
  %o = gru.layer %x, %k, %rk {units = 0 : i64, use_bias = false}
      : (tensor<2x5x8xf32>, tensor<8x0xf32>, tensor<0x0xf32>) -> tensor<2x0xf32>
  return
}

// -----

func.func @input_rank(%x: tensor<2x8xf32>, %k: tensor<8x12xf32>, %rk: tensor<4x12xf32>) {
  // expected-error @+1 {{'input' must have shape (B, T, F), got rank 2}}
  %o = gru.layer %x, %k, %rk {units = 4 : i64, use_bias = false}
      : (tensor<2x8xf32>, tensor<8x12xf32>, tensor<4x12xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @dynamic_features(%x: tensor<2x5x?xf32>, %k: tensor<8x12xf32>, %rk: tensor<4x12xf32>) {
  // expected-error @+1 {{'input' must have a static feature dimension F}}
  %o = gru.layer %x, %k, %rk {units = 4 : i64, use_bias = false}
      : (tensor<2x5x?xf32>, tensor<8x12xf32>, tensor<4x12xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @kernel_shape(%x: tensor<2x5x8xf32>, %k: tensor<8x9xf32>, %rk: tensor<4x12xf32>) {
  // expected-error @+1 {{'kernel' must have shape (F, 3 * units) = (8, 12), got (8, 9)}}
  %o = gru.layer %x, %k, %rk {units = 4 : i64, use_bias = false}
      : (tensor<2x5x8xf32>, tensor<8x9xf32>, tensor<4x12xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @kernel_features(%x: tensor<2x5x8xf32>, %k: tensor<7x12xf32>, %rk: tensor<4x12xf32>) {
  // expected-error @+1 {{'kernel' must have shape (F, 3 * units) = (8, 12), got (7, 12)}}
  %o = gru.layer %x, %k, %rk {units = 4 : i64, use_bias = false}
      : (tensor<2x5x8xf32>, tensor<7x12xf32>, tensor<4x12xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @recurrent_kernel_shape(%x: tensor<2x5x8xf32>, %k: tensor<8x12xf32>, %rk: tensor<12x4xf32>) {
  // expected-error @+1 {{'recurrent_kernel' must have shape (units, 3 * units) = (4, 12), got (12, 4)}}
  %o = gru.layer %x, %k, %rk {units = 4 : i64, use_bias = false}
      : (tensor<2x5x8xf32>, tensor<8x12xf32>, tensor<12x4xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @element_type_mismatch(%x: tensor<2x5x8xf32>, %k: tensor<8x12xf16>, %rk: tensor<4x12xf32>) {
  // expected-error @+1 {{'kernel' must have element type 'f32' like 'input', got 'f16'}}
  %o = gru.layer %x, %k, %rk {units = 4 : i64, use_bias = false}
      : (tensor<2x5x8xf32>, tensor<8x12xf16>, tensor<4x12xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @missing_bias(%x: tensor<2x5x8xf32>, %k: tensor<8x12xf32>, %rk: tensor<4x12xf32>) {
  // expected-error @+1 {{'use_bias' is true but there is no 'bias' operand}}
  %o = gru.layer %x, %k, %rk {units = 4 : i64}
      : (tensor<2x5x8xf32>, tensor<8x12xf32>, tensor<4x12xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @unexpected_bias(%x: tensor<2x5x8xf32>, %k: tensor<8x12xf32>, %rk: tensor<4x12xf32>, %b: tensor<2x12xf32>) {
  // expected-error @+1 {{'use_bias' is false but a 'bias' operand is given}}
  %o = gru.layer %x, %k, %rk bias(%b) {units = 4 : i64, use_bias = false}
      : (tensor<2x5x8xf32>, tensor<8x12xf32>, tensor<4x12xf32>, tensor<2x12xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @bias_reset_after(%x: tensor<2x5x8xf32>, %k: tensor<8x12xf32>, %rk: tensor<4x12xf32>, %b: tensor<12xf32>) {
  // expected-error @+1 {{'bias' must have shape (2, 3 * units) with reset_after = true = (2, 12), got (12)}}
  %o = gru.layer %x, %k, %rk bias(%b) {units = 4 : i64}
      : (tensor<2x5x8xf32>, tensor<8x12xf32>, tensor<4x12xf32>, tensor<12xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @bias_reset_before(%x: tensor<2x5x8xf32>, %k: tensor<8x12xf32>, %rk: tensor<4x12xf32>, %b: tensor<2x12xf32>) {
  // expected-error @+1 {{'bias' must have shape (3 * units) with reset_after = false = (12), got (2, 12)}}
  %o = gru.layer %x, %k, %rk bias(%b) {units = 4 : i64, reset_after = false}
      : (tensor<2x5x8xf32>, tensor<8x12xf32>, tensor<4x12xf32>, tensor<2x12xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @mask_shape(%x: tensor<2x5x8xf32>, %k: tensor<8x12xf32>, %rk: tensor<4x12xf32>, %m: tensor<2x4xi1>) {
  // expected-error @+1 {{'mask' must have shape (B, T) = (2, 5), got (2, 4)}}
  %o = gru.layer %x, %k, %rk mask(%m) {units = 4 : i64, use_bias = false}
      : (tensor<2x5x8xf32>, tensor<8x12xf32>, tensor<4x12xf32>, tensor<2x4xi1>) -> tensor<2x4xf32>
  return
}

// -----

func.func @mask_type(%x: tensor<2x5x8xf32>, %k: tensor<8x12xf32>, %rk: tensor<4x12xf32>, %m: tensor<2x5xf32>) {
  // expected-error @+1 {{operand #3 must be ranked tensor of 1-bit signless integer values, but got 'tensor<2x5xf32>'}}
  %o = gru.layer %x, %k, %rk mask(%m) {units = 4 : i64, use_bias = false}
      : (tensor<2x5x8xf32>, tensor<8x12xf32>, tensor<4x12xf32>, tensor<2x5xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @initial_state_shape(%x: tensor<2x5x8xf32>, %k: tensor<8x12xf32>, %rk: tensor<4x12xf32>, %h: tensor<3x4xf32>) {
  // expected-error @+1 {{'initial_state' must have shape (B, units) = (2, 4), got (3, 4)}}
  %o = gru.layer %x, %k, %rk initial_state(%h) {units = 4 : i64, use_bias = false}
      : (tensor<2x5x8xf32>, tensor<8x12xf32>, tensor<4x12xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @dropout_not_finite(%x: tensor<2x5x8xf32>, %k: tensor<8x12xf32>, %rk: tensor<4x12xf32>) {
  // expected-error @+1 {{'dropout' must be a finite number (it is clipped to [0, 1]), got nan}}
  %o = gru.layer %x, %k, %rk {units = 4 : i64, use_bias = false, dropout = 0x7FF8000000000000 : f64}
      : (tensor<2x5x8xf32>, tensor<8x12xf32>, tensor<4x12xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @recurrent_dropout_not_finite(%x: tensor<2x5x8xf32>, %k: tensor<8x12xf32>, %rk: tensor<4x12xf32>) {
  // expected-error @+1 {{'recurrent_dropout' must be a finite number (it is clipped to [0, 1]), got inf}}
  %o = gru.layer %x, %k, %rk {units = 4 : i64, use_bias = false, recurrent_dropout = 0x7FF0000000000000 : f64}
      : (tensor<2x5x8xf32>, tensor<8x12xf32>, tensor<4x12xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @dropout_rate_type(%x: tensor<2x5x8xf32>, %k: tensor<8x12xf32>, %rk: tensor<4x12xf32>) {
  // expected-error @+1 {{attribute 'dropout' failed to satisfy constraint: 64-bit float attribute}}
  %o = gru.layer %x, %k, %rk {units = 4 : i64, use_bias = false, dropout = 1 : i64}
      : (tensor<2x5x8xf32>, tensor<8x12xf32>, tensor<4x12xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @dropout_mask_shape(%x: tensor<2x5x8xf32>, %k: tensor<8x12xf32>, %rk: tensor<4x12xf32>, %dm: tensor<1x2x4xf32>) {
  // expected-error @+1 {{'dropout_mask' must have shape (N, B, F) = (?, 2, 8), got (1, 2, 4)}}
  %o = gru.layer %x, %k, %rk dropout_mask(%dm) {units = 4 : i64, use_bias = false}
      : (tensor<2x5x8xf32>, tensor<8x12xf32>, tensor<4x12xf32>, tensor<1x2x4xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @dropout_mask_count(%x: tensor<2x5x8xf32>, %k: tensor<8x12xf32>, %rk: tensor<4x12xf32>, %dm: tensor<2x2x8xf32>) {
  // expected-error @+1 {{'dropout_mask' must hold 1 mask (shared by the gates) or 3 (one per gate), got (2)}}
  %o = gru.layer %x, %k, %rk dropout_mask(%dm) {units = 4 : i64, use_bias = false}
      : (tensor<2x5x8xf32>, tensor<8x12xf32>, tensor<4x12xf32>, tensor<2x2x8xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @dropout_masks_per_gate(%x: tensor<2x5x8xf32>, %k: tensor<8x12xf32>, %rk: tensor<4x12xf32>, %dm: tensor<1x2x8xf32>, %rdm: tensor<3x2x4xf32>) {
  // expected-error @+1 {{'dropout_mask' must have shape (3, B, F) with a recurrent mask = (3, 2, 8), got (1, 2, 8)}}
  %o = gru.layer %x, %k, %rk dropout_mask(%dm) recurrent_dropout_mask(%rdm) {units = 4 : i64, use_bias = false}
      : (tensor<2x5x8xf32>, tensor<8x12xf32>, tensor<4x12xf32>, tensor<1x2x8xf32>, tensor<3x2x4xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @recurrent_dropout_mask_shape(%x: tensor<2x5x8xf32>, %k: tensor<8x12xf32>, %rk: tensor<4x12xf32>, %rdm: tensor<1x2x4xf32>) {
  // expected-error @+1 {{'recurrent_dropout_mask' must have shape (3, B, units) = (3, 2, 4), got (1, 2, 4)}}
  %o = gru.layer %x, %k, %rk recurrent_dropout_mask(%rdm) {units = 4 : i64, use_bias = false}
      : (tensor<2x5x8xf32>, tensor<8x12xf32>, tensor<4x12xf32>, tensor<1x2x4xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @mask_and_rate(%x: tensor<2x5x8xf32>, %k: tensor<8x12xf32>, %rk: tensor<4x12xf32>, %dm: tensor<1x2x8xf32>) {
  // expected-error @+1 {{'dropout' must be 0 when 'dropout_mask' is given (the mask replaces the rate), got 0.5}}
  %o = gru.layer %x, %k, %rk dropout_mask(%dm) {units = 4 : i64, use_bias = false, dropout = 0.5, training = true}
      : (tensor<2x5x8xf32>, tensor<8x12xf32>, tensor<4x12xf32>, tensor<1x2x8xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @recurrent_mask_and_rate(%x: tensor<2x5x8xf32>, %k: tensor<8x12xf32>, %rk: tensor<4x12xf32>, %rdm: tensor<3x2x4xf32>) {
  // expected-error @+1 {{'recurrent_dropout' must be 0 when 'recurrent_dropout_mask' is given (the mask replaces the rate), got 0.25}}
  %o = gru.layer %x, %k, %rk recurrent_dropout_mask(%rdm) {units = 4 : i64, use_bias = false, recurrent_dropout = 0.25}
      : (tensor<2x5x8xf32>, tensor<8x12xf32>, tensor<4x12xf32>, tensor<3x2x4xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @stateful_dynamic_batch(%x: tensor<?x5x8xf32>, %k: tensor<8x12xf32>, %rk: tensor<4x12xf32>) {
  // expected-error @+1 {{'stateful' needs a static batch size, but 'input' has a dynamic batch dimension}}
  %o = gru.layer %x, %k, %rk {units = 4 : i64, use_bias = false, stateful = true}
      : (tensor<?x5x8xf32>, tensor<8x12xf32>, tensor<4x12xf32>) -> tensor<?x4xf32>
  return
}

// -----

func.func @unroll_dynamic_time(%x: tensor<2x?x8xf32>, %k: tensor<8x12xf32>, %rk: tensor<4x12xf32>) {
  // expected-error @+1 {{'unroll' needs a static number of timesteps, but 'input' has a dynamic time dimension}}
  %o = gru.layer %x, %k, %rk {units = 4 : i64, use_bias = false, unroll = true}
      : (tensor<2x?x8xf32>, tensor<8x12xf32>, tensor<4x12xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @missing_state_result(%x: tensor<2x5x8xf32>, %k: tensor<8x12xf32>, %rk: tensor<4x12xf32>) {
  // expected-error @+1 {{must have 2 result(s) with return_state = true, got 1}}
  %o = gru.layer %x, %k, %rk {units = 4 : i64, use_bias = false, return_state = true}
      : (tensor<2x5x8xf32>, tensor<8x12xf32>, tensor<4x12xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @extra_state_result(%x: tensor<2x5x8xf32>, %k: tensor<8x12xf32>, %rk: tensor<4x12xf32>) {
  // expected-error @+1 {{must have 1 result(s) with return_state = false, got 2}}
  %o, %h = gru.layer %x, %k, %rk {units = 4 : i64, use_bias = false}
      : (tensor<2x5x8xf32>, tensor<8x12xf32>, tensor<4x12xf32>) -> (tensor<2x4xf32>, tensor<2x4xf32>)
  return
}

// -----

func.func @output_sequence_shape(%x: tensor<2x5x8xf32>, %k: tensor<8x12xf32>, %rk: tensor<4x12xf32>) {
  // expected-error @+1 {{'output' must have shape (B, T, units) with return_sequences = true = (2, 5, 4), got (2, 4)}}
  %o = gru.layer %x, %k, %rk {units = 4 : i64, use_bias = false, return_sequences = true}
      : (tensor<2x5x8xf32>, tensor<8x12xf32>, tensor<4x12xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @output_last_shape(%x: tensor<2x5x8xf32>, %k: tensor<8x12xf32>, %rk: tensor<4x12xf32>) {
  // expected-error @+1 {{'output' must have shape (B, units) with return_sequences = false = (2, 4), got (2, 5, 4)}}
  %o = gru.layer %x, %k, %rk {units = 4 : i64, use_bias = false}
      : (tensor<2x5x8xf32>, tensor<8x12xf32>, tensor<4x12xf32>) -> tensor<2x5x4xf32>
  return
}

// -----

func.func @final_state_shape(%x: tensor<2x5x8xf32>, %k: tensor<8x12xf32>, %rk: tensor<4x12xf32>) {
  // expected-error @+1 {{'final_state' must have shape (B, units) = (2, 4), got (2, 5)}}
  %o, %h = gru.layer %x, %k, %rk {units = 4 : i64, use_bias = false, return_state = true}
      : (tensor<2x5x8xf32>, tensor<8x12xf32>, tensor<4x12xf32>) -> (tensor<2x4xf32>, tensor<2x5xf32>)
  return
}

// -----

func.func @constraint_axis(%x: tensor<2x5x8xf32>, %k: tensor<8x12xf32>, %rk: tensor<4x12xf32>, %b: tensor<12xf32>) {
  // expected-error @+1 {{'bias_constraint' normalizes over axis 1, but the weight has rank 1}}
  %o = gru.layer %x, %k, %rk bias(%b) {units = 4 : i64, reset_after = false, bias_constraint = #gru.unit_norm<axis = 1>}
      : (tensor<2x5x8xf32>, tensor<8x12xf32>, tensor<4x12xf32>, tensor<12xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @regularizer_kind(%x: tensor<2x5x8xf32>, %k: tensor<8x12xf32>, %rk: tensor<4x12xf32>) {
  // expected-error @+1 {{attribute 'kernel_regularizer' failed to satisfy constraint: Keras regularizer}}
  %o = gru.layer %x, %k, %rk {units = 4 : i64, use_bias = false, kernel_regularizer = #gru.non_neg}
      : (tensor<2x5x8xf32>, tensor<8x12xf32>, tensor<4x12xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @constraint_kind(%x: tensor<2x5x8xf32>, %k: tensor<8x12xf32>, %rk: tensor<4x12xf32>) {
  // expected-error @+1 {{attribute 'recurrent_constraint' failed to satisfy constraint: Keras constraint}}
  %o = gru.layer %x, %k, %rk {units = 4 : i64, use_bias = false, recurrent_constraint = #gru.l2<0.1>}
      : (tensor<2x5x8xf32>, tensor<8x12xf32>, tensor<4x12xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @cudnn_impl_not_eligible(%x: tensor<2x5x8xf32>, %k: tensor<8x12xf32>, %rk: tensor<4x12xf32>, %b: tensor<2x12xf32>) {
  // expected-error @+1 {{'impl' is cudnn but the layer cannot use cuDNN: activation is relu; cuDNN needs tanh}}
  %o = gru.layer %x, %k, %rk bias(%b) {units = 4 : i64, activation = #gru.activation<relu>, impl = #gru.impl<cudnn>}
      : (tensor<2x5x8xf32>, tensor<8x12xf32>, tensor<4x12xf32>, tensor<2x12xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @cudnn_impl_with_mask(%x: tensor<2x5x8xf32>, %k: tensor<8x12xf32>, %rk: tensor<4x12xf32>, %b: tensor<2x12xf32>, %m: tensor<2x5xi1>) {
  // expected-error @+1 {{'impl' is cudnn but the layer has a mask; use cudnn_if_right_padded, which checks the mask at run time}}
  %o = gru.layer %x, %k, %rk bias(%b) mask(%m) {units = 4 : i64, impl = #gru.impl<cudnn>}
      : (tensor<2x5x8xf32>, tensor<8x12xf32>, tensor<4x12xf32>, tensor<2x12xf32>, tensor<2x5xi1>) -> tensor<2x4xf32>
  return
}

// -----

func.func @integer_input(%x: tensor<2x5x8xi32>, %k: tensor<8x12xf32>, %rk: tensor<4x12xf32>) {
  // expected-error @+1 {{operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values}}
  %o = gru.layer %x, %k, %rk {units = 4 : i64, use_bias = false}
      : (tensor<2x5x8xi32>, tensor<8x12xf32>, tensor<4x12xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @unranked_input(%x: tensor<*xf32>, %k: tensor<8x12xf32>, %rk: tensor<4x12xf32>) {
  // expected-error @+1 {{operand #0 must be ranked tensor}}
  %o = gru.layer %x, %k, %rk {units = 4 : i64, use_bias = false}
      : (tensor<*xf32>, tensor<8x12xf32>, tensor<4x12xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @missing_units(%x: tensor<2x5x8xf32>, %k: tensor<8x12xf32>, %rk: tensor<4x12xf32>) {
  // expected-error @+1 {{requires attribute 'units'}}
  %o = gru.layer %x, %k, %rk {use_bias = false}
      : (tensor<2x5x8xf32>, tensor<8x12xf32>, tensor<4x12xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @cell_state_shape(%x: tensor<2x8xf32>, %h: tensor<3x4xf32>, %k: tensor<8x12xf32>, %rk: tensor<4x12xf32>) {
  // expected-error @+1 {{'state' must have shape (B, units) = (2, 4), got (3, 4)}}
  %0 = gru.cell %x, %h, %k, %rk : (tensor<2x8xf32>, tensor<3x4xf32>, tensor<8x12xf32>, tensor<4x12xf32>) -> tensor<3x4xf32>
  return
}

// -----

func.func @cell_rank(%x: tensor<2x1x8xf32>, %h: tensor<2x4xf32>, %k: tensor<8x12xf32>, %rk: tensor<4x12xf32>) {
  // expected-error @+1 {{'input' must be (B, F) and 'state' (B, units)}}
  %0 = gru.cell %x, %h, %k, %rk : (tensor<2x1x8xf32>, tensor<2x4xf32>, tensor<8x12xf32>, tensor<4x12xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @cell_kernel(%x: tensor<2x8xf32>, %h: tensor<2x4xf32>, %k: tensor<8x12xf32>, %rk: tensor<4x8xf32>) {
  // expected-error @+1 {{'recurrent_kernel' must have shape (units, 3 * units) = (4, 12), got (4, 8)}}
  %0 = gru.cell %x, %h, %k, %rk : (tensor<2x8xf32>, tensor<2x4xf32>, tensor<8x12xf32>, tensor<4x8xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @cell_result(%x: tensor<2x8xf32>, %h: tensor<2x4xf32>, %k: tensor<8x12xf32>, %rk: tensor<4x12xf32>) {
  // expected-error @+1 {{'new_state' must have shape (B, units) = (2, 4), got (2, 5)}}
  %0 = gru.cell %x, %h, %k, %rk : (tensor<2x8xf32>, tensor<2x4xf32>, tensor<8x12xf32>, tensor<4x12xf32>) -> tensor<2x5xf32>
  return
}

// -----

func.func @dropout_mask_rate() {
  // expected-error @+1 {{'rate' must be in (0, 1), got 1}}
  %0 = gru.dropout_mask() {rate = 1.0 : f64, stream = 0 : i64} : tensor<1x2x8xf32>
  return
}

// -----

func.func @dropout_mask_rank() {
  // expected-error @+1 {{result must be (N, B, D) masks, got rank 2}}
  %0 = gru.dropout_mask() {rate = 0.5 : f64, stream = 0 : i64} : tensor<2x8xf32>
  return
}

// -----

func.func @dropout_mask_static_width(%b: index) {
  // expected-error @+1 {{the number of masks N and the width D must be static}}
  %0 = gru.dropout_mask(%b, %b) {rate = 0.5 : f64, stream = 0 : i64} : tensor<1x?x?xf32>
  return
}

// -----

func.func @dropout_mask_sizes() {
  // expected-error @+1 {{needs one size operand per dynamic dimension (1), got 0}}
  %0 = gru.dropout_mask() {rate = 0.5 : f64, stream = 0 : i64} : tensor<1x?x8xf32>
  return
}

// -----

func.func @initializer_dynamic() {
  // expected-error @+1 {{result must have a static shape to be initialized at compile time, got (?, 12)}}
  %0 = gru.initializer(#gru.zeros) : tensor<?x12xf32>
  return
}

// -----

func.func @orthogonal_vector() {
  // expected-error @+1 {{the orthogonal initializer needs a tensor of rank >= 2, got rank 1}}
  %0 = gru.initializer(#gru.orthogonal<gain = 1.0, seed = 1>) : tensor<12xf32>
  return
}

// -----

func.func @identity_rank() {
  // expected-error @+1 {{the identity initializer needs a 2-D tensor, got rank 3}}
  %0 = gru.initializer(#gru.identity<gain = 1.0>) : tensor<2x2x2xf32>
  return
}

// -----

func.func @initializer_not_initializer() {
  // expected-error @+1 {{invalid kind of attribute specified}}
  %0 = gru.initializer(#gru.l1<0.1>) : tensor<2x2xf32>
  return
}

// -----

func.func @activation_types(%x: tensor<4xf32>) -> tensor<4xf64> {
  // expected-error @+1 {{requires the same type for all operands and results}}
  %y = "gru.activation"(%x) {activation = #gru.activation<relu>} : (tensor<4xf32>) -> tensor<4xf64>
  return %y : tensor<4xf64>
}

// -----

func.func @clip_not_positive(%x: tensor<2x5x8xf32>, %k: tensor<8x12xf32>, %rk: tensor<4x12xf32>) {
  // expected-error @+1 {{'clip' must be positive, got -1}}
  %o = gru.layer %x, %k, %rk {units = 4 : i64, use_bias = false, clip = -1.0}
      : (tensor<2x5x8xf32>, tensor<8x12xf32>, tensor<4x12xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @cell_clip_zero(%x: tensor<2x8xf32>, %h: tensor<2x4xf32>, %k: tensor<8x12xf32>, %rk: tensor<4x12xf32>) {
  // expected-error @+1 {{'clip' must be positive, got 0}}
  %o = gru.cell %x, %h, %k, %rk {clip = 0.0}
      : (tensor<2x8xf32>, tensor<2x4xf32>, tensor<8x12xf32>, tensor<4x12xf32>) -> tensor<2x4xf32>
  return
}
