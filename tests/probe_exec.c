/* probe_exec.c — probe commands; see probe.h.  (Being written.) */
#include <stddef.h>

#include "probe.h"

const struct probe_cmd probe_exec_cmds[] = {
        { NULL, NULL, NULL },
};
