/* sha256.h — SHA-256 (FIPS 180-4), small and dependency-free. Pure. */
#pragma once

#include <stddef.h>
#include <stdint.h>

struct sha256_ctx {
        uint32_t h[8];
        uint64_t len;
        uint8_t buf[64];
        size_t nbuf;
};

void sha256_init(struct sha256_ctx *c);
void sha256_update(struct sha256_ctx *c, const void *data, size_t n);
void sha256_final(struct sha256_ctx *c, uint8_t out[32]);
void sha256(const void *data, size_t n, uint8_t out[32]);
/* Lower-case hex of a digest; out must hold 65 bytes. */
void sha256_hex(const uint8_t digest[32], char out[65]);
/* Hash the whole file behind fd (from its current offset). */
int sha256_fd(int fd, uint8_t out[32]);
