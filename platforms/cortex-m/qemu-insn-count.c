/* SPDX-License-Identifier: Apache-2.0 */
/* QEMU TCG plugin (host side) that counts guest instructions executed.
 * Debian's qemu-system-arm 7.2 is built with plugin support (-plugin works,
 * the API is exported) but ships no plugins, so this is ours. run-qemu.sh
 * builds and loads it when CORTEXM_COUNT_INSNS=1.
 *
 * Prints the total at exit, and at every call of the guest function
 * cortexm_insn_mark() (support.h) the instructions since the previous mark.
 * Counts are exact for whole translation blocks: each block adds its length
 * when it starts, so a mark's count includes the mark's own block, which is
 * the same every time, and differences between marks are exact.
 *
 * Declares the few plugin API v1 calls it uses instead of needing the
 * qemu-plugin.h header, which Debian does not package. */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef uint64_t qemu_plugin_id_t;
struct qemu_plugin_tb;
struct qemu_plugin_insn;
enum { QEMU_PLUGIN_INLINE_ADD_U64 = 0, QEMU_PLUGIN_CB_NO_REGS = 0 };

void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t,
                                           void (*)(qemu_plugin_id_t, struct qemu_plugin_tb *));
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *);
struct qemu_plugin_insn *qemu_plugin_tb_get_insn(const struct qemu_plugin_tb *, size_t);
const char *qemu_plugin_insn_symbol(const struct qemu_plugin_insn *);
void qemu_plugin_register_vcpu_tb_exec_inline(struct qemu_plugin_tb *, int op, void *, uint64_t);
void qemu_plugin_register_vcpu_insn_exec_cb(struct qemu_plugin_insn *,
                                            void (*)(unsigned int, void *), int flags, void *);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t, void (*)(qemu_plugin_id_t, void *), void *);
void qemu_plugin_outs(const char *);

#define EXPORTED __attribute__((visibility("default")))
EXPORTED int qemu_plugin_version = 1; /* QEMU 7.2's plugin API version */

static uint64_t executed;       /* single vCPU boards: no atomics needed */
static uint64_t at_previous_mark;
static unsigned marks;

static void on_mark(unsigned int vcpu, void *unused) {
  (void)vcpu;
  (void)unused;
  char line[128];
  snprintf(line, sizeof line, "insn-count: mark %u: %" PRIu64 " instructions since the previous mark\n",
           ++marks, executed - at_previous_mark);
  qemu_plugin_outs(line);
  at_previous_mark = executed;
}

static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *block) {
  (void)id;
  qemu_plugin_register_vcpu_tb_exec_inline(block, QEMU_PLUGIN_INLINE_ADD_U64, &executed,
                                           qemu_plugin_tb_n_insns(block));
  /* The marker is entered by a call, which always starts a new block. */
  struct qemu_plugin_insn *first = qemu_plugin_tb_get_insn(block, 0);
  const char *symbol = qemu_plugin_insn_symbol(first);
  if (symbol != NULL && strcmp(symbol, "cortexm_insn_mark") == 0) {
    qemu_plugin_register_vcpu_insn_exec_cb(first, on_mark, QEMU_PLUGIN_CB_NO_REGS, NULL);
  }
}

static void on_exit_report(qemu_plugin_id_t id, void *unused) {
  (void)id;
  (void)unused;
  char line[96];
  snprintf(line, sizeof line, "insn-count: %" PRIu64 " instructions in total\n", executed);
  qemu_plugin_outs(line);
}

EXPORTED int qemu_plugin_install(qemu_plugin_id_t id, const void *info, int argc, char **argv) {
  (void)info;
  (void)argc;
  (void)argv;
  qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
  qemu_plugin_register_atexit_cb(id, on_exit_report, NULL);
  return 0;
}
