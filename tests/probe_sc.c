/* probe_sc.c — probe commands; see probe.h.  (Being written.) */
#include <stddef.h>

#include "probe.h"

const struct probe_cmd probe_sc_cmds[] = {
        { NULL, NULL, NULL },
};
