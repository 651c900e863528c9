/* SPDX-License-Identifier: Apache-2.0 */
int edgeopt_consumer_check(void);

int main(void) { return edgeopt_consumer_check(); }
