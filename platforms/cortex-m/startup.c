/* SPDX-License-Identifier: Apache-2.0 */
/* Reset and fault handling for the QEMU test boards (mps2-an386 Cortex-M4F,
 * mps3-an547 Cortex-M55). Reset enables the FPU (and with it MVE), gives
 * thread code its own stack, initialises memory and newlib, then runs
 * exit(main(argc, argv)): newlib's exit ends in semihosting SYS_EXIT_EXTENDED,
 * so QEMU exits with main's status. A fault prints a report and exits with
 * 128 + exception number (HardFault 131, MemManage 132 - the M4 stack guard,
 * BusFault 133, UsageFault 134 - also the M55 stack limit). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"

extern uint32_t __StackLimit[], __StackTop[];
extern uint32_t __HandlerStackLimit[], __HandlerStackTop[];
extern uint32_t __data_load__[], __data_start__[], __data_end__[];
extern uint32_t __bss_start__[], __bss_end__[];
extern uint32_t __bigram_start__[], __bigram_end__[];

extern int main(int argc, char **argv);
extern void __libc_init_array(void);
extern void initialise_monitor_handles(void);
int cortexm_semihost(int operation, void *argument);

#define SCB_REG(offset) (*(volatile uint32_t *)(0xE000E000u + (offset)))
#define SCB_CCR SCB_REG(0xD14)
#define SCB_SHCSR SCB_REG(0xD24)
#define SCB_CFSR SCB_REG(0xD28)
#define SCB_HFSR SCB_REG(0xD2C)
#define SCB_BFAR SCB_REG(0xD38)
#define SCB_CPACR SCB_REG(0xD88)
#define MPU_CTRL SCB_REG(0xD94)
#define MPU_RNR SCB_REG(0xD98)
#define MPU_RBAR SCB_REG(0xD9C)
#define MPU_RASR SCB_REG(0xDA0)

#if defined(__ARM_ARCH_8M_MAIN__) || defined(__ARM_ARCH_8_1M_MAIN__)
#define CORTEXM_HAS_STACK_LIMIT 1
#endif

/* -nostartfiles drops crti.o, but newlib's __libc_init_array still calls
 * _init; constructors run from .init_array, so these are empty. */
void _init(void) {}
void _fini(void) {}

static int read_command_line(char **argv, int max_args) {
  /* SYS_GET_CMDLINE: QEMU returns the -semihosting-config arg=... values
   * joined by spaces (run-qemu.sh passes the ELF path and ctest's args). */
  static char line[512];
  struct {
    char *buffer;
    int length;
  } block = {line, (int)sizeof line};
  if (cortexm_semihost(0x15, &block) != 0) return 0;
  int argc = 0;
  for (char *cursor = line; *cursor != '\0' && argc < max_args;) {
    while (*cursor == ' ') *cursor++ = '\0';
    if (*cursor == '\0') break;
    argv[argc++] = cursor;
    while (*cursor != '\0' && *cursor != ' ') ++cursor;
  }
  argv[argc] = NULL;
  return argc;
}

#ifndef CORTEXM_HAS_STACK_LIMIT
/* Armv7-M has no PSPLIM, and QEMU's mps2 fills the hole below RAM with a
 * RAZ/WI "RESERVED" device, so an overflowing push would be silently lost.
 * An MPU region with no access over the 32 MiB below __StackLimit (which the
 * linker script puts at 0x2000_0000) turns it into a MemManage fault; 32 MiB
 * because one frame can jump far below the limit before its first store. */
static void guard_below_stack(void) {
  MPU_RNR = 0;
  MPU_RBAR = (uint32_t)__StackLimit - 0x2000000u;
  /* XN (bit 28), AP = 000 no access, SIZE = log2(32 MiB) - 1 = 24, enable. */
  MPU_RASR = (1u << 28) | (24u << 1) | 1u;
  MPU_CTRL = 1u << 2 | 1u; /* PRIVDEFENA: the default map elsewhere, enable */
  __asm__ volatile("dsb\n\tisb" ::: "memory");
}
#endif

__attribute__((noreturn, used)) static void reset_in_c(void) {
  /* CP10/CP11 full access (bits 20-23). On Armv8.1-M this also enables MVE:
   * Helium shares the FP register file and has no enable bit of its own. */
  SCB_CPACR |= 0xFu << 20;
  __asm__ volatile("dsb\n\tisb" ::: "memory");

  /* Report MemManage/Bus/Usage(/Secure) faults as themselves rather than as
   * an escalated HardFault, and make integer division by zero fault instead
   * of quietly returning 0. */
  SCB_SHCSR |= (1u << 16) | (1u << 17) | (1u << 18)
#ifdef CORTEXM_HAS_STACK_LIMIT
               | (1u << 19)
#endif
      ;
  SCB_CCR |= 1u << 4;
#ifndef CORTEXM_HAS_STACK_LIMIT
  guard_below_stack();
#endif

  memcpy(__data_start__, __data_load__,
         (size_t)((char *)__data_end__ - (char *)__data_start__));
  memset(__bss_start__, 0, (size_t)((char *)__bss_end__ - (char *)__bss_start__));
  memset(__bigram_start__, 0,
         (size_t)((char *)__bigram_end__ - (char *)__bigram_start__));
  cortexm_stack_repaint();

  initialise_monitor_handles();  /* opens stdin/stdout/stderr on the host */
  __libc_init_array();           /* C++ static constructors */

  static char *argv[17];
  int argc = read_command_line(argv, 16);
  exit(main(argc, argv));
}

/* Naked: sp changes here, so no compiler-managed frame may exist yet.
 * The core starts on MSP = __HandlerStackTop (vector 0); thread code moves to
 * PSP so that handlers keep a working stack when the thread stack overflows. */
__attribute__((naked, noreturn)) void Reset_Handler(void) {
  __asm__ volatile(
      "ldr r0, =__StackTop\n\t"
      "msr psp, r0\n\t"
#ifdef CORTEXM_HAS_STACK_LIMIT
      /* v8-M stack limit registers: overflow is a UsageFault (STKOF) at the
       * first push below the limit, before any memory is touched. */
      "ldr r0, =__StackLimit\n\t"
      "msr psplim, r0\n\t"
      "ldr r0, =__HandlerStackLimit\n\t"
      "msr msplim, r0\n\t"
#endif
      "movs r0, #2\n\t" /* CONTROL.SPSEL = 1: thread mode uses PSP */
      "msr control, r0\n\t"
      "isb\n\t"
      "b reset_in_c\n\t");
}

static char *append(char *out, const char *text) {
  while (*text != '\0') *out++ = *text++;
  return out;
}

static char *append_hex(char *out, uint32_t value) {
  out = append(out, "0x");
  for (int shift = 28; shift >= 0; shift -= 4) *out++ = "0123456789abcdef"[(value >> shift) & 0xFu];
  return out;
}

static int in_range(const uint32_t *frame, const uint32_t *low, const uint32_t *high) {
  return frame >= low && frame + 8 <= high;
}

__attribute__((noreturn, used)) static void report_fault(const uint32_t *frame) {
  static const char *const names[16] = {
      "?", "Reset", "NMI", "HardFault", "MemManage", "BusFault", "UsageFault", "SecureFault",
      "?", "?", "?", "SVCall", "DebugMonitor", "?", "PendSV", "SysTick"};
  uint32_t ipsr;
  __asm__ volatile("mrs %0, ipsr" : "=r"(ipsr));
  uint32_t exception = ipsr & 0x1FFu;
  char message[224];
  char *out = append(message, "cortexm: ");
  out = append(out, exception < 16 ? names[exception] : "IRQ");
  out = append(out, " pc=");
  /* The stacked frame is unreadable when the fault was the stack overflow
   * itself; reading it would fault again and lock the core up. */
  if (in_range(frame, __StackLimit, __StackTop) ||
      in_range(frame, __HandlerStackLimit, __HandlerStackTop)) {
    out = append_hex(out, frame[6]);
  } else {
    out = append(out, "? (stack pointer ");
    out = append_hex(out, (uint32_t)frame);
    out = append(out, " outside the stacks: overflow?)");
  }
  /* The CFSR bits a test most likely trips (Armv7-M/v8-M ARM, B3.2.15). */
  uint32_t cfsr = SCB_CFSR;
  if (cfsr & ((1u << 20) | (1u << 12) | (1u << 4))) out = append(out, " stack overflow");
  if (cfsr & (1u << 19)) out = append(out, " FPU/MVE disabled (CPACR)");
  if (cfsr & (1u << 25)) out = append(out, " integer divide by zero");
  if (cfsr & (1u << 16)) out = append(out, " undefined instruction");
  out = append(out, " CFSR=");
  out = append_hex(out, cfsr);
  out = append(out, " HFSR=");
  out = append_hex(out, SCB_HFSR);
  out = append(out, " BFAR=");
  out = append_hex(out, SCB_BFAR);
  out = append(out, "\n");
  *out = '\0';
  cortexm_puts_raw(message);
  cortexm_exit(128 + (int)exception);
}

/* Bit 2 of EXC_RETURN (lr) tells which stack holds the faulting frame. */
__attribute__((naked, noreturn)) static void Fault_Handler(void) {
  __asm__ volatile(
      "tst lr, #4\n\t"
      "ite eq\n\t"
      "mrseq r0, msp\n\t"
      "mrsne r0, psp\n\t"
      "b report_fault\n\t");
}

/* Entry 0 is the initial MSP, the rest are handlers: a union keeps that
 * standard C (no object-to-function pointer cast). */
typedef union {
  void *stack_top;
  void (*handler)(void);
} vector_entry;

/* 16 system vectors; no interrupt is ever enabled, so no IRQ entries. The
 * table sits at 0x0, where VTOR points at reset on both boards. */
__attribute__((section(".vectors"), used)) const vector_entry __cortexm_vectors[16] = {
    {.stack_top = __HandlerStackTop},
    {.handler = Reset_Handler},
    {.handler = Fault_Handler}, /* NMI */
    {.handler = Fault_Handler}, /* HardFault */
    {.handler = Fault_Handler}, /* MemManage */
    {.handler = Fault_Handler}, /* BusFault */
    {.handler = Fault_Handler}, /* UsageFault */
    {.handler = Fault_Handler}, /* SecureFault (v8-M) */
    {0}, {0}, {0},
    {.handler = Fault_Handler}, /* SVCall */
    {.handler = Fault_Handler}, /* DebugMonitor */
    {0},
    {.handler = Fault_Handler}, /* PendSV */
    {.handler = Fault_Handler}, /* SysTick */
};
