/* device_test.c - drives the runtime's device layer as generated host code
 * does: probe, load a module, allocate, copy, launch "fill" (then once more
 * cooperatively, on one element), copy back; then keeps a stateful slot's
 * state on the device over two calls and a reset. It prints what the layer
 * reports, for device.test to check. */
#include "gru/device.h"

#include <stdio.h>

/* Prints slot 0's state as a call of `instance` would read it (the
 * stand-in's device memory is host memory); returns the buffer. */
static float *print_state(gru_rt_instance *instance, const char *when) {
  gru_rt_cuda_enter(instance, NULL);
  float *state = gru_rt_cuda_state(0, 2 * sizeof(float));
  mgpuStreamSynchronize(mgpuStreamCreate());
  gru_rt_cuda_leave();
  if (state)
    printf("%s: %g %g\n", when, state[0], state[1]);
  else {
    int code = gru_rt_take_device_error(instance);
    printf("%s: none, %d %s\n", when, code, gru_rt_last_error(instance));
  }
  return state;
}

/* A call writes the next state, which replaces the state once committed
 * (without a copy); a reset makes it zeros again. */
static void keep_state(gru_rt_instance *instance) {
  if (!print_state(instance, "state") && !print_state(instance, "state again"))
    return;
  gru_rt_cuda_enter(instance, NULL);
  float *next = gru_rt_cuda_next_state(0, 2 * sizeof(float));
  gru_rt_cuda_leave();
  if (!next) {
    printf("next state: none, %d\n", gru_rt_take_device_error(instance));
    return;
  }
  next[0] = 1.5f;
  next[1] = -2.0f;
  gru_rt_cuda_commit_state(instance, 0);
  float *state = print_state(instance, "committed");
  printf("swapped: %d\n", state == next);
  gru_rt_reset(instance);
  print_state(instance, "after reset");
}

int main(void) {
  const char *why;
  int status = gru_rt_cuda_probe(&why);
  printf("probe: %d %s\n", status, why);
  gru_rt_instance *instance = gru_rt_create(0, NULL);
  static char image[] = "the kernels";
  void *module = mgpuModuleLoad(image, sizeof image);
  void *function = mgpuModuleGetFunction(module, "fill");
  void *stream = mgpuStreamCreate();
  float host[4] = {0, 0, 0, 0};
  float *device = mgpuMemAlloc(sizeof host, stream, false);
  float value = 2.5f;
  int64_t count = 3;
  void *params[] = {&device, &value, &count};
  mgpuLaunchKernel(function, 2, 1, 1, 128, 1, 1, 64 << 10, stream, params, NULL,
                   3);
  /* A cooperative launch, which may be refused (then it does nothing). */
  float first = 7.0f;
  int64_t one = 1;
  void *firstParams[] = {&device, &first, &one};
  gru_rt_cuda_launch_cooperatively();
  mgpuLaunchKernel(function, 2, 1, 1, 128, 1, 1, 0, stream, firstParams, NULL,
                   3);
  printf("refused: %d\n", gru_rt_cuda_launch_refused());
  mgpuMemcpy(host, device, sizeof host, stream);
  mgpuStreamSynchronize(stream);
  mgpuMemFree(device, stream);
  mgpuStreamDestroy(stream);
  mgpuModuleUnload(module);
  int code = gru_rt_take_device_error(instance);
  printf("call: %d %s\n", code, gru_rt_last_error(instance));
  printf("values: %g %g %g %g\n", host[0], host[1], host[2], host[3]);
  printf("after take: %d\n", gru_rt_take_device_error(instance));
  keep_state(instance);
  gru_rt_destroy(instance);
  return 0;
}
