/* fuzz_profile.c — libFuzzer harness for the profile language.  Each input
 * is loaded as profile text; a valid one must print (sbx_policy_format) to
 * text that loads back to an equal policy, and an invalid one must leave
 * the policy untouched and explain itself with an error message.  Includes
 * resolve only through the real search path (set to nothing here) or to
 * paths on this machine: they read files, never write. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "profile/policy.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
        (void)argc, (void)argv;
        setenv("SBX_PROFILE_PATH", "/nonexistent/sbx-fuzz", 1);
        setenv("XDG_CONFIG_HOME", "/nonexistent/sbx-fuzz", 1);
        setenv("HOME", "/home/fuzz", 1);
        setenv("SBX_FUZZ", "/srv/fuzz dir/$x \"q\"", 1);
        setenv("SBX_FUZZ_EMPTY", "", 1);
        return 0;
}

static void check_set(const char *s)
{
        /* The same bytes as one command-line override. */
        static const char *const keys[][2] = {
                { "filesystem", "bind" }, { "environment", "set" }, { "profile", "description" },
                { "seccomp", "allow" }, { "limits", "as" }, { "exec", "allow-hash" },
        };
        struct sbx_policy *p = NULL;
        if (sbx_policy_new(&p) < 0)
                abort();
        size_t k = strlen(s) % (sizeof(keys) / sizeof(keys[0]));
        struct sbx_error *e = NULL;
        if (sbx_policy_set(p, keys[k][0], keys[k][1], s, "fuzz", &e) < 0 && !e)
                abort();
        sbx_error_free(e);
        sbx_policy_free(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *text = malloc(size + 1);
        if (!text)
                return 0;
        memcpy(text, data, size);
        text[size] = 0;

        struct sbx_policy *p = NULL, *before = NULL, *q = NULL;
        struct sbx_error *e = NULL;
        if (sbx_policy_new(&p) < 0 || sbx_policy_dup(p, &before) < 0)
                abort();
        int r = sbx_policy_load_string(p, text, "fuzz.ini", &e);
        if (r < 0) {
                /* Refused: with a reason, and nothing changed. */
                if (r != -ENOMEM && (!e || !sbx_error_message(e)[0]))
                        abort();
                if (!policy_equal(p, before))
                        abort();
        } else {
                char *out = NULL;
                struct sbx_error *e2 = NULL;
                if (sbx_policy_format(p, &out) < 0 || sbx_policy_new(&q) < 0)
                        abort();
                if (sbx_policy_load_string(q, out, "formatted.ini", &e2) < 0) {
                        fprintf(stderr, "formatted policy does not load: %s\n%s\n", sbx_error_message(e2), out);
                        abort();
                }
                if (!policy_equal(p, q)) {
                        fprintf(stderr, "round trip changed the policy:\n%s\n", out);
                        abort();
                }
                free(out);
                sbx_error_free(e2);
        }
        sbx_error_free(e);
        sbx_policy_free(p);
        sbx_policy_free(before);
        sbx_policy_free(q);
        if (size < 8192)
                check_set(text);
        free(text);
        return 0;
}
