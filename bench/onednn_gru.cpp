// onednn_gru.cpp - the oneDNN peer of bench/bench.py, and its sgemm peak.
//
//   onednn_gru gru CASE_DIR RESET_AFTER B T F U WARMUP REPEATS BUDGET_S TOL
//   onednn_gru sgemm N WARMUP REPEATS
//
// `gru` runs one GRU layer (forward inference, f32) on the files bench.py
// wrote into CASE_DIR (raw little-endian float32, Keras layouts):
//   x.f32 (B,T,F), kernel.f32 (F,3U), recurrent_kernel.f32 (U,3U),
//   bias.f32 (2,3U) with RESET_AFTER=1 (lbr_gru) or (3U) with 0 (vanilla_gru).
// It writes the final state (B,U), which equals Keras's last output, to
// out-PEER.f32 (PEER: the ONEDNN_PEER variable, default onednn), compares it
// with reference.f32 when that file exists, and times the primitive only if
// the largest difference is at most TOL.
//
// It builds against oneDNN 3.x (PyPI's onednn-devel; a SYCL build whose CPU
// engine needs a SYCL CPU device and whose threads are TBB's, so bench.py
// limits them with taskset) or 2.x (Debian's libdnnl-dev 2.6, OpenMP:
// OMP_NUM_THREADS). The 3.x API takes the engine first in the primitive
// descriptors and has no operation descriptors.
//
// Keras's gate blocks z, r, h are oneDNN's u, r, o (dnnl_types.h: "For GRU
// cells, the gates order is update, reset and output gate"), so Keras's
// (F,3U) kernel is oneDNN's ldigo (1,1,F,3,U) as it is. lbr_gru takes four
// biases [b_u, b_r, b_o(x), b_o(h)]: Keras's input and recurrent biases of z
// and r add up, those of h stay apart.
//
// Each command prints one JSON object: {"version": ..., "isa": ..., "impl":
// ..., "max_diff": d, "times": [...]} for gru (no "times" when the output
// disagrees; isa is dnnl_get_effective_cpu_isa(), which ONEDNN_MAX_CPU_ISA
// caps, impl the primitive's implementation, e.g. "brgemm:avx2"),
// {"isa": ..., "times": [...]} for sgemm.
#include <oneapi/dnnl/dnnl.h>
#include <oneapi/dnnl/dnnl.hpp>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

using dnnl::memory;
using tag = memory::format_tag;

namespace {

std::vector<float> read_floats(const std::string &path, size_t count) {
  std::vector<float> data(count);
  std::ifstream file(path, std::ios::binary);
  if (!file.read(reinterpret_cast<char *>(data.data()), count * sizeof(float)) ||
      file.peek() != EOF) {
    std::fprintf(stderr, "onednn_gru: %s does not hold %zu floats\n", path.c_str(), count);
    std::exit(1);
  }
  return data;
}

void write_floats(const std::string &path, const float *data, size_t count) {
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char *>(data), count * sizeof(float));
}

// Warm-up calls, then timed calls until `repeats` of them, or at least three
// and `budget` seconds in all (the policy of bench/harness.py).
std::vector<double> measure(const std::function<void()> &call, int warmup, int repeats,
                            double budget) {
  for (int i = 0; i < warmup; ++i)
    call();
  std::vector<double> times;
  double total = 0;
  while (static_cast<int>(times.size()) < repeats && (times.size() < 3 || total < budget)) {
    auto start = std::chrono::steady_clock::now();
    call();
    std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
    times.push_back(elapsed.count());
    total += elapsed.count();
  }
  return times;
}

/// The name of the ISA oneDNN's CPU code uses (ONEDNN_MAX_CPU_ISA's words).
std::string effective_isa() {
  switch (dnnl_get_effective_cpu_isa()) {
  case dnnl_cpu_isa_sse41: return "sse41";
  case dnnl_cpu_isa_avx: return "avx";
  case dnnl_cpu_isa_avx2: return "avx2";
  case dnnl_cpu_isa_avx2_vnni: return "avx2_vnni";
  case dnnl_cpu_isa_avx512_core: return "avx512_core";
  case dnnl_cpu_isa_avx512_core_vnni: return "avx512_core_vnni";
  case dnnl_cpu_isa_avx512_core_bf16: return "avx512_core_bf16";
#if DNNL_VERSION_MAJOR >= 3
  case dnnl_cpu_isa_avx2_vnni_2: return "avx2_vnni_2";
  case dnnl_cpu_isa_avx10_1_512: return "avx512_core_fp16";
  case dnnl_cpu_isa_avx10_1_512_amx: return "avx512_core_amx";
  case dnnl_cpu_isa_avx10_1_512_amx_fp16: return "avx512_core_amx_fp16";
  case dnnl_cpu_isa_avx10_2_512: return "avx10_2_512";
  case dnnl_cpu_isa_avx10_2_512_amx_2: return "avx10_2_512_amx_2";
#else
  case dnnl_cpu_isa_avx512_core_amx: return "avx512_core_amx";
#endif
  default: return "isa " + std::to_string(static_cast<int>(dnnl_get_effective_cpu_isa()));
  }
}

void print_times(const std::vector<double> &times) {
  std::printf("\"times\": [");
  for (size_t i = 0; i < times.size(); ++i)
    std::printf("%s%.9g", i ? ", " : "", times[i]);
  std::printf("]");
}

int run_gru(char **argv) {
  std::string dir = argv[0];
  bool reset_after = std::atoi(argv[1]) != 0;
  memory::dim B = std::atol(argv[2]), T = std::atol(argv[3]), F = std::atol(argv[4]),
              U = std::atol(argv[5]);
  int warmup = std::atoi(argv[6]), repeats = std::atoi(argv[7]);
  double budget = std::atof(argv[8]), tol = std::atof(argv[9]);

  std::vector<float> x = read_floats(dir + "/x.f32", B * T * F);
  std::vector<float> kernel = read_floats(dir + "/kernel.f32", F * 3 * U);
  std::vector<float> recurrent = read_floats(dir + "/recurrent_kernel.f32", U * 3 * U);
  std::vector<float> keras_bias = read_floats(dir + "/bias.f32", (reset_after ? 2 : 1) * 3 * U);
  std::vector<float> bias = keras_bias;  // vanilla_gru: (3,U) as Keras has it
  if (reset_after) {                      // lbr_gru: (4,U)
    bias.assign(4 * U, 0.0f);
    const float *input = keras_bias.data(), *rec = input + 3 * U;
    for (memory::dim u = 0; u < U; ++u) {
      bias[u] = input[u] + rec[u];                      // z
      bias[U + u] = input[U + u] + rec[U + u];          // r
      bias[2 * U + u] = input[2 * U + u];               // h, input side
      bias[3 * U + u] = rec[2 * U + u];                 // h, recurrent side
    }
  }

  dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  dnnl::stream stream(engine);
  auto f32 = memory::data_type::f32;
  memory::dim gates = reset_after ? 4 : 3;
  // x and the output sequence are batch-major (ntc) as in Keras; the weights
  // are given in ldigo and reordered once, before timing, into the layout the
  // primitive prefers (format any), which is how oneDNN is meant to be used.
  memory::desc src_md({T, B, F}, f32, tag::ntc), dst_md({T, B, U}, f32, tag::ntc);
  memory::desc weights_md({1, 1, F, 3, U}, f32, tag::ldigo);
  memory::desc recurrent_md({1, 1, U, 3, U}, f32, tag::ldigo);
  memory::desc bias_md({1, 1, gates, U}, f32, tag::ldgo), state_md({1, 1, B, U}, f32, tag::ldnc);
  memory::desc weights_any({1, 1, F, 3, U}, f32, tag::any);
  memory::desc recurrent_any({1, 1, U, 3, U}, f32, tag::any);
  auto prop = dnnl::prop_kind::forward_inference;
  auto dir_kind = dnnl::rnn_direction::unidirectional_left2right;
  memory::desc no_initial_state;  // zeros

  dnnl::primitive gru;
  memory::desc weights_layout, recurrent_layout;
  std::string impl;
  auto take = [&](const auto &pd) {
    weights_layout = pd.weights_layer_desc();
    recurrent_layout = pd.weights_iter_desc();
    impl = pd.impl_info_str();
  };
#if DNNL_VERSION_MAJOR >= 3
  if (reset_after) {
    dnnl::lbr_gru_forward::primitive_desc pd(engine, prop, dir_kind, src_md, no_initial_state,
                                             weights_any, recurrent_any, bias_md, dst_md,
                                             state_md);
    gru = dnnl::lbr_gru_forward(pd);
    take(pd);
  } else {
    dnnl::gru_forward::primitive_desc pd(engine, prop, dir_kind, src_md, no_initial_state,
                                         weights_any, recurrent_any, bias_md, dst_md, state_md);
    gru = dnnl::gru_forward(pd);
    take(pd);
  }
#else
  if (reset_after) {
    dnnl::lbr_gru_forward::primitive_desc pd(
        {prop, dir_kind, src_md, no_initial_state, weights_any, recurrent_any, bias_md, dst_md,
         state_md},
        engine);
    gru = dnnl::lbr_gru_forward(pd);
    take(pd);
  } else {
    dnnl::gru_forward::primitive_desc pd(
        {prop, dir_kind, src_md, no_initial_state, weights_any, recurrent_any, bias_md, dst_md,
         state_md},
        engine);
    gru = dnnl::gru_forward(pd);
    take(pd);
  }
#endif

  auto reordered = [&](const memory::desc &user_md, float *data, const memory::desc &layout) {
    memory user(user_md, engine, data), result(layout, engine);
    dnnl::reorder(user, result).execute(stream, user, result);
    stream.wait();
    return result;
  };
  memory weights = reordered(weights_md, kernel.data(), weights_layout);
  memory recurrent_mem = reordered(recurrent_md, recurrent.data(), recurrent_layout);
  memory src(src_md, engine, x.data()), bias_mem(bias_md, engine, bias.data());
  memory dst(dst_md, engine), state(state_md, engine);
  auto call = [&] {
    gru.execute(stream, {{DNNL_ARG_SRC_LAYER, src},
                         {DNNL_ARG_WEIGHTS_LAYER, weights},
                         {DNNL_ARG_WEIGHTS_ITER, recurrent_mem},
                         {DNNL_ARG_BIAS, bias_mem},
                         {DNNL_ARG_DST_LAYER, dst},
                         {DNNL_ARG_DST_ITER, state}});
    stream.wait();
  };

  call();
  const float *out = static_cast<const float *>(state.get_data_handle());
  const char *peer = std::getenv("ONEDNN_PEER");
  write_floats(dir + "/out-" + (peer && *peer ? peer : "onednn") + ".f32", out, B * U);
  double max_diff = 0;
  if (std::ifstream(dir + "/reference.f32")) {
    std::vector<float> reference = read_floats(dir + "/reference.f32", B * U);
    for (memory::dim i = 0; i < B * U; ++i) {  // NaN counts as a disagreement
      float diff = std::fabs(out[i] - reference[i]);
      max_diff = std::isnan(diff) ? INFINITY : std::fmax(max_diff, diff);
    }
  }
  const dnnl_version_t *version = dnnl_version();
  std::printf("{\"version\": \"oneDNN %d.%d.%d (%s)\", \"isa\": \"%s\", \"impl\": \"%s\", "
              "\"max_diff\": %.9g",
              version->major, version->minor, version->patch,
              DNNL_CPU_THREADING_RUNTIME == DNNL_RUNTIME_TBB ? "TBB" : "OpenMP",
              effective_isa().c_str(), impl.c_str(), max_diff);
  if (max_diff <= tol) {
    std::printf(", ");
    print_times(measure(call, warmup, repeats, budget));
  }
  std::printf("}\n");
  return 0;
}

int run_sgemm(char **argv) {
  dnnl_dim_t n = std::atol(argv[0]);
  int warmup = std::atoi(argv[1]), repeats = std::atoi(argv[2]);
  std::vector<float> a(n * n, 0.5f), b(n * n, 0.25f), c(n * n, 0.0f);
  auto call = [&] {
    if (dnnl_sgemm('N', 'N', n, n, n, 1.0f, a.data(), n, b.data(), n, 0.0f, c.data(), n) !=
        dnnl_success) {
      std::fprintf(stderr, "onednn_gru: dnnl_sgemm failed\n");
      std::exit(1);
    }
  };
  std::printf("{\"isa\": \"%s\", ", effective_isa().c_str());
  print_times(measure(call, warmup, repeats, INFINITY));
  std::printf("}\n");
  return 0;
}

}  // namespace

int main(int argc, char **argv) {
  std::string command = argc > 1 ? argv[1] : "";
  try {
    if (command == "gru" && argc == 12)
      return run_gru(argv + 2);
    if (command == "sgemm" && argc == 5)
      return run_sgemm(argv + 2);
  } catch (const dnnl::error &e) {
    std::fprintf(stderr, "onednn_gru: oneDNN error: %s\n", e.what());
    return 1;
  }
  std::fprintf(stderr,
               "usage: onednn_gru gru CASE_DIR RESET_AFTER B T F U WARMUP REPEATS BUDGET_S TOL\n"
               "       onednn_gru sgemm N WARMUP REPEATS\n");
  return 2;
}
