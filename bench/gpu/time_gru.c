/* time_gru.c - times one function of a compiled GRU library on CUDA, for
 * bench/gpu:
 *   time_gru LIB PREFIX FUNCTION LABEL U T MASK ENTRY REPEATS OUT B...
 *
 * FUNCTION takes (x (B, T, U), kernel (U, 3U), recurrent kernel (U, 3U),
 * bias (2, 3U) or (3U) [, mask (B, T)]) and returns the last output (B, U);
 * F = U. The inputs come from a fixed generator, the same for every
 * library: x uniform in [-1, 1], weights in ±1/sqrt(U) with a different
 * offset per gate, so that the libraries' outputs can be compared. MASK is
 * none, right (row b has T - b % (T / 2) steps) or left (the same count,
 * padded in front). ENTRY device calls the `_on_device` entry point with
 * device buffers, copied in once; ENTRY host calls the host entry point,
 * which copies the tensors at each call (and that is timed too).
 *
 * For each B, one warm-up call and REPEATS timed calls; prints a CSV line
 *   label,function,units,batch,steps,entry,us_per_call,us_per_step,dispatch,status
 * and writes the first call's output to OUT/LABEL.FUNCTION.U.B.f32. */
#include <dlfcn.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef int (*create_fn)(void);
static void *library;
static const char *prefix;

static void *symbol(const char *name, int required) {
  char full[256];
  snprintf(full, sizeof full, "%s_%s", prefix, name);
  void *s = dlsym(library, full);
  if (!s && required) {
    fprintf(stderr, "time_gru: %s has no %s\n", prefix, full);
    exit(1);
  }
  return s;
}

/* The CUDA driver, for the device buffers of _on_device entry points. */
static struct {
  int (*init)(unsigned);
  int (*device_get)(int *, int);
  int (*retain)(void **, int);
  int (*set_current)(void *);
  int (*alloc)(unsigned long long *, size_t);
  int (*free)(unsigned long long);
  int (*to_device)(unsigned long long, const void *, size_t);
  int (*to_host)(void *, unsigned long long, size_t);
} cuda;

static int load_cuda(void) {
  void *driver = dlopen("libcuda.so.1", RTLD_NOW);
  if (!driver)
    return 0;
  *(void **)&cuda.init = dlsym(driver, "cuInit");
  *(void **)&cuda.device_get = dlsym(driver, "cuDeviceGet");
  *(void **)&cuda.retain = dlsym(driver, "cuDevicePrimaryCtxRetain");
  *(void **)&cuda.set_current = dlsym(driver, "cuCtxSetCurrent");
  *(void **)&cuda.alloc = dlsym(driver, "cuMemAlloc_v2");
  *(void **)&cuda.free = dlsym(driver, "cuMemFree_v2");
  *(void **)&cuda.to_device = dlsym(driver, "cuMemcpyHtoD_v2");
  *(void **)&cuda.to_host = dlsym(driver, "cuMemcpyDtoH_v2");
  int device;
  void *context;
  if (!cuda.init || !cuda.device_get || !cuda.retain || !cuda.set_current ||
      !cuda.alloc || !cuda.free || !cuda.to_device || !cuda.to_host)
    return 0;
  return !cuda.init(0) && !cuda.device_get(&device, 0) &&
         !cuda.retain(&context, device) && !cuda.set_current(context);
}

static uint64_t state = 88172645463325252ull;
static float uniform(float low, float high) {
  state ^= state << 13;
  state ^= state >> 7;
  state ^= state << 17;
  return low + (high - low) * (float)((state >> 40) / 16777216.0);
}

static double now_us(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

/* A tensor on the host and, for device entry points, on the device. */
typedef struct {
  void *host;
  unsigned long long device;
  size_t bytes;
} tensor;

static tensor make(size_t bytes, int on_device) {
  tensor t = {calloc(1, bytes), 0, bytes};
  if (on_device && cuda.alloc(&t.device, bytes))
    fprintf(stderr, "time_gru: cuMemAlloc failed\n"), exit(1);
  return t;
}

static void *arg(tensor *t, int on_device) {
  if (on_device)
    cuda.to_device(t->device, t->host, t->bytes);
  return on_device ? (void *)(uintptr_t)t->device : t->host;
}

int main(int argc, char **argv) {
  if (argc < 12) {
    fprintf(stderr, "usage: time_gru LIB PREFIX FUNCTION LABEL U T MASK "
                    "ENTRY REPEATS OUT B...\n");
    return 2;
  }
  prefix = argv[2];
  const char *function = argv[3], *label = argv[4], *mask = argv[7];
  int U = atoi(argv[5]), T = atoi(argv[6]), repeats = atoi(argv[9]);
  const char *out = argv[10];
  int wants_device = !strcmp(argv[8], "device");
  library = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  if (!library) {
    fprintf(stderr, "time_gru: %s\n", dlerror());
    return 1;
  }
  void *(*create)(void) = (void *(*)(void))symbol("create", 1);
  const char *(*last_error)(void *) = symbol("last_error", 1);
  const char *(*last_dispatch)(void *) = symbol("last_dispatch", 1);
  char name[128];
  snprintf(name, sizeof name, "%s_on_device", function);
  void *on_device = wants_device ? symbol(name, 1) : NULL;
  void *host = symbol(function, 1);
  int device = on_device != NULL;
  if (device && !load_cuda()) {
    fprintf(stderr, "time_gru: no usable CUDA driver\n");
    return 1;
  }
  void *instance = create();
  if (!instance) {
    fprintf(stderr, "time_gru: %s\n", last_error(NULL));
    return 1;
  }
  int reset_before = strstr(function, "reset_before") != NULL;
  size_t gates = 3 * (size_t)U;
  tensor kernel = make(sizeof(float) * U * gates, device);
  tensor recurrent = make(sizeof(float) * U * gates, device);
  tensor bias = make(sizeof(float) * (reset_before ? 1 : 2) * gates, device);
  float scale = 1.0f / sqrtf((float)U);
  for (size_t i = 0; i < U * gates; ++i) {
    float offset = 0.1f * (float)((i % gates) / U) - 0.1f;
    ((float *)kernel.host)[i] = uniform(-scale, scale) + offset * scale;
    ((float *)recurrent.host)[i] = uniform(-scale, scale) - offset * scale;
  }
  for (size_t i = 0; i < bias.bytes / sizeof(float); ++i)
    ((float *)bias.host)[i] = uniform(-0.5f, 0.5f);
  for (int a = 11; a < argc; ++a) {
    int B = atoi(argv[a]);
    tensor x = make(sizeof(float) * B * T * U, device);
    tensor m = make((size_t)B * T, 0);
    tensor y = make(sizeof(float) * B * U, device);
    for (size_t i = 0; i < x.bytes / sizeof(float); ++i)
      ((float *)x.host)[i] = uniform(-1, 1);
    for (int b = 0; b < B; ++b) {
      int length = T - b % (T / 2);
      for (int t = 0; t < T; ++t)
        ((uint8_t *)m.host)[b * T + t] =
            !strcmp(mask, "left") ? t >= T - length : t < length;
    }
    void *px = arg(&x, device), *pk = arg(&kernel, device),
         *pr = arg(&recurrent, device), *pb = arg(&bias, device),
         *py = device ? (void *)(uintptr_t)y.device : y.host;
    int code = 0;
    double total = 0;
    for (int r = 0; r <= repeats && !code; ++r) {
      double start = now_us();
      if (device)
        code = ((int (*)(void *, void *, void *, void *, void *, void *, void *,
                         int64_t))on_device)(instance, NULL, px, pk, pr, pb, py,
                                             B);
      else if (strcmp(mask, "none")) /* sizes: x's batch, the mask's */
        code = ((int (*)(void *, void *, void *, void *, void *, void *, void *,
                         int64_t, int64_t))host)(instance, px, pk, pr, pb,
                                                 m.host, py, B, B);
      else
        code = ((int (*)(void *, void *, void *, void *, void *, void *,
                         int64_t))host)(instance, px, pk, pr, pb, py, B);
      double took = now_us() - start;
      if (r == 0 && !code) { /* the warm-up's output, for the comparison */
        if (device)
          cuda.to_host(y.host, y.device, y.bytes);
        char path[1024];
        snprintf(path, sizeof path, "%s/%s.%s.%d.%d.f32", out, label, function,
                 U, B);
        FILE *f = fopen(path, "wb");
        if (f) {
          fwrite(y.host, 1, y.bytes, f);
          fclose(f);
        }
      } else {
        total += took;
      }
    }
    char dispatch[256];
    snprintf(dispatch, sizeof dispatch, "%s", last_dispatch(instance));
    for (char *c = dispatch; *c; ++c)
      if (*c == '\n' || *c == ',')
        *c = *c == '\n' ? ';' : ' ';
    double per_call = code ? NAN : total / repeats;
    printf("%s,%s,%d,%d,%d,%s,%.2f,%.4f,%s,%s\n", label, function, U, B, T,
           device ? "device" : "host", per_call, per_call / T, dispatch,
           code ? last_error(instance) : "ok");
    fflush(stdout);
    free(x.host);
    free(m.host);
    free(y.host);
    if (device) {
      cuda.free(x.device);
      cuda.free(y.device);
    }
  }
  return 0;
}
