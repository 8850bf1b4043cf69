/* abi_inputs.h - the inputs that oom_check.c and shared_instance.c pass to
 * the model of model.mlir: @run (B x T x F, a mask with holes, an initial
 * state) and @step (static batch SB, ST steps). */
#ifndef ABI_INPUTS_H
#define ABI_INPUTS_H

#include <stdint.h>

enum { B = 3, T = 5, F = 3, U = 4, SB = 2, ST = 3 };

static float x[B * T * F], h0[B * U], sx[SB * ST * F];
static uint8_t mask[B * T];

static void make_inputs(void) {
  for (int i = 0; i < B * T * F; ++i)
    x[i] = (float)((i * 37) % 17) / 17.f - 0.4f;
  for (int i = 0; i < B * U; ++i)
    h0[i] = (float)((i * 11) % 7) / 7.f - 0.5f;
  for (int i = 0; i < B * T; ++i)
    mask[i] = (i % 4) != 2;
  for (int i = 0; i < SB * ST * F; ++i)
    sx[i] = (float)((i * 13) % 19) / 19.f - 0.5f;
}

#endif /* ABI_INPUTS_H */
