/* test_sha256.c — SHA-256 against the FIPS 180-4 / NIST example vectors,
 * plus streaming (odd-sized updates) and sha256_fd(). */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/sha256.h"

static void hex_of(const void *data, size_t n, char out[65])
{
        uint8_t d[32];
        sha256(data, n, d);
        sha256_hex(d, out);
}

Test(sha256, empty)
{
        char h[65];
        hex_of("", 0, h);
        cr_assert_str_eq(h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

Test(sha256, abc)
{
        char h[65];
        hex_of("abc", 3, h);
        cr_assert_str_eq(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

Test(sha256, two_blocks_448_bits)
{
        const char *m = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
        char h[65];
        cr_assert_eq(strlen(m), 56u);
        hex_of(m, strlen(m), h);
        cr_assert_str_eq(h, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

Test(sha256, nist_896_bits)
{
        const char *m = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopq"
                        "klmnopqrlmnopqrsmnopqrstnopqrstu";
        char h[65];
        hex_of(m, strlen(m), h);
        cr_assert_str_eq(h, "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

Test(sha256, million_a_streamed)
{
        struct sha256_ctx c;
        uint8_t d[32];
        char h[65], chunk[997];
        size_t left = 1000000;

        memset(chunk, 'a', sizeof(chunk));
        sha256_init(&c);
        /* 997 is prime, so buffered and direct block paths both run. */
        while (left > 0) {
                size_t n = left < sizeof(chunk) ? left : sizeof(chunk);
                sha256_update(&c, chunk, n);
                left -= n;
        }
        sha256_final(&c, d);
        sha256_hex(d, h);
        cr_assert_str_eq(h, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

Test(sha256, padding_boundaries_match_one_shot)
{
        /* Lengths around 55/56/64 bytes exercise the extra padding block;
         * streamed byte by byte must equal one-shot. */
        char m[130];
        memset(m, 'x', sizeof(m));
        for (size_t n = 0; n <= sizeof(m); n++) {
                uint8_t a[32], b[32];
                struct sha256_ctx c;
                sha256(m, n, a);
                sha256_init(&c);
                for (size_t i = 0; i < n; i++)
                        sha256_update(&c, m + i, 1);
                sha256_final(&c, b);
                cr_assert(memcmp(a, b, 32) == 0, "length %zu", n);
        }
}

Test(sha256, fd)
{
        char path[] = "/tmp/sbx-sha256-XXXXXX";
        int fd = mkstemp(path);
        cr_assert_geq(fd, 0);
        unlink(path);
        cr_assert_eq(write(fd, "abc", 3), 3);
        cr_assert_eq(lseek(fd, 0, SEEK_SET), 0);
        uint8_t d[32];
        char h[65];
        cr_assert_eq(sha256_fd(fd, d), 0);
        sha256_hex(d, h);
        cr_assert_str_eq(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        close(fd);
        cr_assert_eq(sha256_fd(fd, d), -EBADF);
}
