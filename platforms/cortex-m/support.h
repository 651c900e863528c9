/* SPDX-License-Identifier: Apache-2.0 */
/* Measurement helpers for bare-metal tests on the QEMU Cortex-M boards. */
#ifndef EDGEOPT_CORTEXM_SUPPORT_H
#define EDGEOPT_CORTEXM_SUPPORT_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Deepest thread-stack use in bytes since reset or the last repaint. The
 * stack is painted with a pattern at reset; this scans for the lowest word
 * that changed. Exact to 4 bytes, but the caller's own frame counts too. */
size_t cortexm_stack_high_water(void);

/* Re-paints the unused part of the stack (below the caller's frame), so the
 * next cortexm_stack_high_water() measures only what runs after this call. */
void cortexm_stack_repaint(void);

/* Bytes of thread stack in use at the call (top of stack - sp). After a
 * cortexm_stack_repaint(), a callee's use is cortexm_stack_high_water() after
 * the call minus this before it: exact to 4 bytes (smoke.cpp reads a 1 KiB
 * frame as 1024 on the M4) unless the callee uses under 32 bytes, the gap
 * the painter leaves below itself. */
size_t cortexm_stack_depth(void);

/* Size of the thread stack reserved by the linker script (__stack_size). */
size_t cortexm_stack_size(void);

/* Bytes handed out by _sbrk since reset: 0 means nothing ever called malloc. */
size_t cortexm_heap_used(void);

/* Marks a point for the instruction-count plugin (run-qemu.sh with
 * CORTEXM_COUNT_INSNS=1), which prints the instructions executed since the
 * previous mark. Costs a call and a return (2 instructions); a no-op without
 * the plugin. */
void cortexm_insn_mark(void);

/* Ends the program now with this status, seen by the host as QEMU's exit code.
 * Skips atexit handlers and the stdio flush (use exit() for those). */
void cortexm_exit(int status) __attribute__((noreturn));

/* Writes a NUL-terminated string straight to the host (semihosting SYS_WRITE0),
 * without newlib: safe in fault handlers. */
void cortexm_puts_raw(const char *text);

#ifdef __cplusplus
}
#endif

#endif
