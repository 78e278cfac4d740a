/* probe_ns.c */
#include <stddef.h>
#include "probe.h"
const struct probe_cmd probe_ns_cmds[] = { { NULL, NULL, NULL } };
