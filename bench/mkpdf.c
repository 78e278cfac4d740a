/* mkpdf.c — a plain multi-page text PDF for the "real work" benchmark
 * (pdftotext), so that bench/run needs no document tools to make one.
 *
 * Writes a valid PDF 1.4 file: one catalog, one page tree, the standard
 * Helvetica font, and per page a page object and an uncompressed content
 * stream of text lines; the cross-reference table has exact byte offsets.
 *
 * Usage: mkpdf OUT.pdf [PAGES] [LINES_PER_PAGE] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const words[] = {
        "sandbox", "namespace", "filter", "kernel", "landlock", "mount", "process",
        "syscall", "policy", "profile", "launcher", "bubblewrap", "firejail", "latency",
        "median", "confined", "worker", "document", "viewer", "execute",
};

int main(int argc, char **argv)
{
        if (argc < 2) {
                fprintf(stderr, "usage: mkpdf OUT.pdf [PAGES] [LINES_PER_PAGE]\n");
                return 2;
        }
        int pages = argc > 2 ? atoi(argv[2]) : 50;
        int lines = argc > 3 ? atoi(argv[3]) : 60;
        if (pages < 1 || pages > 10000 || lines < 1 || lines > 70)
                return 2;
        FILE *f = fopen(argv[1], "wb");
        if (!f) {
                perror(argv[1]);
                return 1;
        }
        int nobj = 3 + 2 * pages;
        long *off = calloc((size_t)nobj + 1, sizeof(long));
        /* Big enough for one page: 70 lines of at most 12 words. */
        char *content = malloc(70 * 160 + 64);
        if (!off || !content)
                return 1;
        unsigned seed = 12345;

        fputs("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", f);
        off[1] = ftell(f);
        fputs("1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n", f);
        off[2] = ftell(f);
        fprintf(f, "2 0 obj\n<< /Type /Pages /Count %d /Kids [", pages);
        for (int p = 0; p < pages; p++)
                fprintf(f, " %d 0 R", 4 + 2 * p);
        fputs(" ] >>\nendobj\n", f);
        off[3] = ftell(f);
        fputs("3 0 obj\n<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica "
              "/Encoding /WinAnsiEncoding >>\nendobj\n", f);
        for (int p = 0; p < pages; p++) {
                int page = 4 + 2 * p, cont = page + 1;
                size_t n = 0;
                n += (size_t)sprintf(content + n, "BT /F1 10 Tf 12 TL 50 790 Td\n");
                for (int l = 0; l < lines; l++) {
                        n += (size_t)sprintf(content + n, "(Page %d line %d:", p + 1, l + 1);
                        for (int w = 0; w < 8; w++) {
                                seed = seed * 1103515245u + 12345u;
                                n += (size_t)sprintf(content + n, " %s",
                                                     words[(seed >> 16) % (sizeof(words) / sizeof(words[0]))]);
                        }
                        n += (size_t)sprintf(content + n, ") '\n");
                }
                n += (size_t)sprintf(content + n, "ET\n");
                off[page] = ftell(f);
                fprintf(f, "%d 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
                           "/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>\nendobj\n",
                        page, cont);
                off[cont] = ftell(f);
                fprintf(f, "%d 0 obj\n<< /Length %zu >>\nstream\n", cont, n);
                fwrite(content, 1, n, f);
                fputs("endstream\nendobj\n", f);
        }
        long xref = ftell(f);
        fprintf(f, "xref\n0 %d\n0000000000 65535 f \n", nobj + 1);
        for (int i = 1; i <= nobj; i++)
                fprintf(f, "%010ld 00000 n \n", off[i]);
        fprintf(f, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%ld\n%%%%EOF\n", nobj + 1, xref);
        if (fclose(f) != 0) {
                perror(argv[1]);
                return 1;
        }
        return 0;
}
