// SPDX-License-Identifier: Apache-2.0
// Smoke test for the Cortex-M QEMU boards: stdio with floats, IEEE single
// precision fma/sqrt/div on the hardware FPU, Helium (MVE) on the M55, and the
// exit-status paths. Returns 0 if every check passes, 1 otherwise.
// Arguments (read through semihosting) drive the failure paths tested by ctest:
//   --force-fail       run the checks, then return 1
//   --exit=N           exit(N) after the checks (status must reach the host)
//   --fault            execute an undefined instruction (UsageFault, status 134)
//   --stack-overflow   recurse until the thread stack overflows
//   --abort            call abort()
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "support.h"

#if defined(__ARM_FEATURE_MVE) && (__ARM_FEATURE_MVE & 2)
#include <arm_mve.h>
#endif

namespace {

int failures = 0;

std::uint32_t bits_of(float value) {
  std::uint32_t bits;
  std::memcpy(&bits, &value, sizeof bits);
  return bits;
}

void check_bits(const char *what, float got, std::uint32_t expected) {
  bool ok = bits_of(got) == expected;
  // newlib's printf has no %a, hence %.9g.
  std::printf("%-4s %-34s %08lx (want %08lx) %.9g\n", ok ? "ok" : "FAIL", what,
              (unsigned long)bits_of(got), (unsigned long)expected, (double)got);
  failures += ok ? 0 : 1;
}

// volatile: the compiler must not fold these at build time on the host; the
// point is to run the target's vfma.f32 / vsqrt.f32 / vdiv.f32.
volatile float one = 1.0f, two = 2.0f, three = 3.0f, four = 4.0f, ten = 10.0f;
volatile float a_fma = 1.0f + 0x1p-12f, c_fma = -(1.0f + 0x1p-11f);
volatile float smallest_normal = FLT_MIN;

// Expected bits are the correctly rounded IEEE results (x86 SSE and exact
// rational arithmetic agree).
void check_scalar_fpu() {
  // (1+2^-12)^2 - (1+2^-11) = 2^-24 exactly when fused; the separately rounded
  // product ties to even at 1+2^-11 and gives 0.
  check_bits("fma((1+2^-12)^2 - (1+2^-11))", std::fma(a_fma, a_fma, c_fma), 0x33800000u);
  float unfused = a_fma * a_fma;
  check_bits("unfused (1+2^-12)^2 - (1+2^-11)", unfused + c_fma, 0x00000000u);
  check_bits("sqrt(2)", std::sqrt(two), 0x3fb504f3u);
  check_bits("sqrt(3)", std::sqrt(three), 0x3fddb3d7u);
  check_bits("1/3", one / three, 0x3eaaaaabu);
  check_bits("1/10", one / ten, 0x3dcccccdu);
  // 2^-128 is subnormal: a flush-to-zero FPU would give 0.
  check_bits("FLT_MIN/4 (subnormal kept)", smallest_normal / four, 0x00200000u);

  char text[32];
  std::snprintf(text, sizeof text, "%.9g", (double)std::sqrt(two));
  bool ok = std::strcmp(text, "1.41421354") == 0;
  std::printf("%-4s printf(\"%%.9g\", sqrt(2)) = %s\n", ok ? "ok" : "FAIL", text);
  failures += ok ? 0 : 1;
}

#if defined(__ARM_FEATURE_MVE) && (__ARM_FEATURE_MVE & 2)
// out = fma(x, y, z) over 7 floats with tail predication: the second pass
// has only 3 active lanes, and the canaries in out[7..8] must survive.
void check_mve() {
  constexpr int count = 7;
  volatile float tiny = FLT_MIN;
  float x[8] = {a_fma, 1.5f, -2.0f, 3.0f, 0.25f, 7.0f, tiny, 99.0f};
  float y[8] = {a_fma, 2.0f, 0.5f, -1.0f, 8.0f, 0.125f, 0.25f, 99.0f};
  float z[8] = {c_fma, 1.0f, 1.0f, 3.0f, -2.0f, 0.0f, 0.0f, 99.0f};
  float out[8 + 1];
  const float canary = -12345.0f;
  for (float &value : out) value = canary;
  for (int i = 0; i < count; i += 4) {
    mve_pred16_t active = vctp32q(count - i);
    float32x4_t xs = vldrwq_z_f32(x + i, active);
    float32x4_t ys = vldrwq_z_f32(y + i, active);
    float32x4_t zs = vldrwq_z_f32(z + i, active);
    vstrwq_p_f32(out + i, vfmaq_f32(zs, xs, ys), active);
  }
  // Lane 6 is FLT_MIN * 0.25, a subnormal. MVE arithmetic uses the Standard
  // FPSCR value (flush-to-zero, default NaN) whatever FPSCR.FZ says (QEMU's
  // model of Armv8.1-M), so it gives 0 where the scalar FPU gives 2^-128.
  constexpr int subnormal_lane = 6;
  int mismatches = 0;
  for (int i = 0; i < count; ++i) {
    float want = std::fma(x[i], y[i], z[i]);
    if (i != subnormal_lane && bits_of(out[i]) != bits_of(want)) {
      std::printf("FAIL lane %d: %08lx, scalar fma %08lx\n", i, (unsigned long)bits_of(out[i]),
                  (unsigned long)bits_of(want));
      ++mismatches;
    }
  }
  std::printf("%-4s MVE vfmaq_f32 == scalar fma on normal lanes (%d mismatches)\n",
              mismatches == 0 ? "ok" : "FAIL", mismatches);
  failures += mismatches == 0 ? 0 : 1;
  check_bits("MVE fused lane 0 = 2^-24", out[0], 0x33800000u);
  check_bits("MVE FLT_MIN*0.25 flushed to zero", out[subnormal_lane], 0x00000000u);
  bool untouched = bits_of(out[7]) == bits_of(canary) && bits_of(out[8]) == bits_of(canary);
  std::printf("%-4s predicated store left out[7..8] untouched (%g %g)\n",
              untouched ? "ok" : "FAIL", (double)out[7], (double)out[8]);
  failures += untouched ? 0 : 1;

  // Plain (unpredicated) full-vector load/store round trip.
  float32x4_t loaded = vld1q_f32(y);
  float copy[4];
  vst1q_f32(copy, vmulq_n_f32(loaded, 2.0f));
  bool doubled = copy[0] == 2.0f * y[0] && copy[3] == -2.0f;
  std::printf("%-4s vld1q/vmulq_n/vst1q\n", doubled ? "ok" : "FAIL");
  failures += doubled ? 0 : 1;
}
#endif

// Large buffers live in the board's big RAM (16 MiB PSRAM on the AN386,
// 4 MiB SRAM 2 on the AN547), zeroed by startup like .bss.
__attribute__((section(".bigram"))) std::uint32_t big_buffer[(1u << 20) / 4];

void check_bigram() {
  bool zeroed = big_buffer[0] == 0 && big_buffer[sizeof big_buffer / 4 - 1] == 0;
  for (std::uint32_t i = 0; i < sizeof big_buffer / 4; ++i) big_buffer[i] = i * 2654435761u;
  bool kept = true;
  for (std::uint32_t i = 0; i < sizeof big_buffer / 4; ++i) kept = kept && big_buffer[i] == i * 2654435761u;
  std::printf("%-4s 1 MiB .bigram buffer at %p zeroed and writable\n",
              zeroed && kept ? "ok" : "FAIL", static_cast<void *>(big_buffer));
  failures += zeroed && kept ? 0 : 1;
}

// A frame of at least 1 KiB: the stack watermark must see it.
__attribute__((noinline)) int use_one_kib_of_stack() {
  volatile char frame[1024];
  for (int i = 0; i < 1024; ++i) frame[i] = static_cast<char>(i);
  return frame[1023];
}

// The measurement hooks a benchmark of the library would use.
void check_measurements() {
  cortexm_stack_repaint();
  std::size_t depth = cortexm_stack_depth();
  use_one_kib_of_stack();
  std::size_t used = cortexm_stack_high_water() - depth;
  bool ok = used >= 1024 && used <= 1024 + 64;
  std::printf("%-4s stack watermark: a 1 KiB frame measured as %u bytes\n", ok ? "ok" : "FAIL",
              (unsigned)used);
  failures += ok ? 0 : 1;
  // With CORTEXM_COUNT_INSNS=1 the plugin prints the loop's instruction count
  // between these marks (1000 iterations of a few instructions each).
  cortexm_insn_mark();
  volatile int sink = 0;
  for (int i = 0; i < 1000; ++i) sink = sink + i;
  cortexm_insn_mark();
}

// noinline + the volatile array keep each frame on the stack.
#pragma GCC diagnostic ignored "-Winfinite-recursion"
__attribute__((noinline)) int recurse_forever(int depth) {
  volatile char frame[256];
  frame[0] = static_cast<char>(depth);
  return recurse_forever(depth + 1) + frame[0];
}

}  // namespace

int main(int argc, char **argv) {
  std::printf("smoke: %s, %d args, stack %u bytes\n", argc > 0 ? argv[0] : "?", argc,
              (unsigned)cortexm_stack_size());
  check_scalar_fpu();
  check_bigram();
  check_measurements();
#if defined(__ARM_FEATURE_MVE) && (__ARM_FEATURE_MVE & 2)
  check_mve();
#else
  std::printf("skip MVE (not an MVE-F target)\n");
#endif
  std::printf("stack high water %u bytes, heap used %u bytes\n",
              (unsigned)cortexm_stack_high_water(), (unsigned)cortexm_heap_used());

  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--force-fail") == 0) ++failures;
    if (std::strncmp(argv[i], "--exit=", 7) == 0) std::exit(std::atoi(argv[i] + 7));
    if (std::strcmp(argv[i], "--fault") == 0) __asm__ volatile("udf #0");
    if (std::strcmp(argv[i], "--stack-overflow") == 0) return recurse_forever(0);
    if (std::strcmp(argv[i], "--abort") == 0) std::abort();
  }
  std::printf("smoke: %d failure(s)\n", failures);
  return failures == 0 ? 0 : 1;
}
