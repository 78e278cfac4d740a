/* tryexec.c — the smallest program that tries to start another one: the
 * profiles-real test compiles it (static) and runs it inside a profile to
 * show that the profile's exec allow-list holds for a program that is not
 * the one the profile was written for.
 *
 *   tryexec PATH [ARGS...]   execv(PATH); on failure prints
 *                            "DENIED <errno name> exec PATH" and exits 0.
 * On success the started program's own output is what the test sees. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
        if (argc < 2) {
                fprintf(stderr, "usage: tryexec PATH [ARGS...]\n");
                return 2;
        }
        execv(argv[1], argv + 1);
        int e = errno;
        const char *name = strerrorname_np(e);
        printf("DENIED %s exec %s\n", name ? name : "?", argv[1]);
        return 0;
}
