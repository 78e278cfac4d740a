/* hello.c — built and run inside the `build` profile by profiles-real. */
#include <stdio.h>

int main(void)
{
        printf("hello from sbx build\n");
        return 0;
}
