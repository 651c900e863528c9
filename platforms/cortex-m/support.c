/* SPDX-License-Identifier: Apache-2.0 */
/* Semihosting primitives, stack painting and the heap for the QEMU boards. */
#include "support.h"

#include <errno.h>
#include <stdint.h>

extern uint32_t __StackLimit[], __StackTop[];
extern char __HeapBase[], __HeapLimit[];

/* Any word the program is unlikely to write: 0 and -1 are too common. */
#define STACK_PAINT 0xC5AC5AC5u
/* Words left unpainted below the painter's frame. The painter is a leaf with
 * a volatile loop (no memset call) and no interrupt is enabled, so nothing
 * writes below sp meanwhile; 8 words (32 bytes) is only a safety gap, and
 * the resolution limit of a measurement that starts with a repaint. */
#define PAINT_MARGIN_WORDS 8u

/* Arm semihosting operation numbers (Arm "Semihosting for AArch32 and
 * AArch64", v2). */
enum {
  SYS_WRITE0 = 0x04,
  SYS_EXIT_EXTENDED = 0x20,
  ADP_STOPPED_APPLICATION_EXIT = 0x20026,
};

/* On M-profile the semihosting trap is BKPT 0xAB; QEMU answers it when run
 * with -semihosting. Without a debugger/QEMU it would be a HardFault. */
int cortexm_semihost(int operation, void *argument) {
  register int r0 __asm__("r0") = operation;
  register void *r1 __asm__("r1") = argument;
  __asm__ volatile("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory");
  return r0;
}

void cortexm_puts_raw(const char *text) {
  cortexm_semihost(SYS_WRITE0, (void *)text);
}

void cortexm_exit(int status) {
  /* Plain SYS_EXIT on AArch32 takes only a reason, so QEMU would report 0 or
   * 1; the v2 extended call carries the full status. QEMU >= 4 has it. */
  uint32_t block[2] = {ADP_STOPPED_APPLICATION_EXIT, (uint32_t)status};
  cortexm_semihost(SYS_EXIT_EXTENDED, block);
  for (;;) {
  }
}

/* The plugin recognises this function by its symbol: keep it out of line. */
__attribute__((noinline)) void cortexm_insn_mark(void) { __asm__ volatile(""); }

static inline uint32_t *current_stack_pointer(void) {
  uint32_t *sp;
  __asm__ volatile("mov %0, sp" : "=r"(sp));
  return sp;
}

/* noinline: its frame must lie above the region it paints. */
__attribute__((noinline)) void cortexm_stack_repaint(void) {
  volatile uint32_t *word = __StackLimit;
  uint32_t *stop = current_stack_pointer() - PAINT_MARGIN_WORDS;
  while ((uint32_t *)word < stop) {
    *word++ = STACK_PAINT;
  }
}

size_t cortexm_stack_high_water(void) {
  const uint32_t *word = __StackLimit;
  while (word < __StackTop && *word == STACK_PAINT) {
    ++word;
  }
  return (size_t)((const char *)__StackTop - (const char *)word);
}

size_t cortexm_stack_depth(void) {
  return (size_t)((char *)__StackTop - (char *)current_stack_pointer());
}

size_t cortexm_stack_size(void) {
  return (size_t)((char *)__StackTop - (char *)__StackLimit);
}

static char *heap_end = __HeapBase;

size_t cortexm_heap_used(void) { return (size_t)(heap_end - __HeapBase); }

/* Replaces librdimon's weak _sbrk, which grows the heap only below the stack
 * pointer: here the stack sits below the heap, so it would always refuse. */
void *_sbrk(ptrdiff_t increment) {
  if (increment > __HeapLimit - heap_end || increment < __HeapBase - heap_end) {
    errno = ENOMEM;
    return (void *)-1;
  }
  char *previous = heap_end;
  heap_end += increment;
  return previous;
}
