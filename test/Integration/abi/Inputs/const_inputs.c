/* const_inputs.c - a model function must not write its inputs: they are
 * `const T *` in the ABI, and several threads may share them. Calls @run of
 * model.mlir twice on the same buffers; prints one line per check and exits
 * nonzero if any failed. */
#include "abi.h"

#include <stdio.h>
#include <string.h>

enum { B = 2, T = 3, F = 3, U = 4 };

int main(void) {
  float x[B * T * F], h0[B * U], h0_copy[B * U];
  uint8_t mask[B * T] = {1, 1, 1, 1, 0, 1};
  for (int i = 0; i < B * T * F; ++i)
    x[i] = (float)(i % 7) / 7.f - 0.5f;
  for (int i = 0; i < B * U; ++i)
    h0[i] = (float)(i % 3) / 3.f - 0.3f;
  memcpy(h0_copy, h0, sizeof h0);

  abi_instance *instance = abi_create();
  float out1[B * T * U], h1[B * U], out2[B * T * U], h2[B * U];
  int failures = 0;
  int code = abi_run(instance, x, mask, h0, out1, h1, B, T, B, T, B);
  int ok = code == 0 && !memcmp(h0, h0_copy, sizeof h0);
  printf("%s: the initial state (const float *arg2) is unchanged by a call\n",
         ok ? "ok" : "FAIL");
  failures += !ok;

  code = abi_run(instance, x, mask, h0, out2, h2, B, T, B, T, B);
  ok = code == 0 && !memcmp(out1, out2, sizeof out1) && !memcmp(h1, h2, sizeof h1);
  printf("%s: a second call on the same buffers gives the same answer\n",
         ok ? "ok" : "FAIL");
  failures += !ok;
  abi_destroy(instance);
  return failures != 0;
}
