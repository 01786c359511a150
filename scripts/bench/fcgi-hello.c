/* The FastCGI floor for scripts/bench-api.sh: libfcgi answering every request with a fixed 304
 * (the same headers scribe-fcgi sends for a current ETag), from THREADS accept threads.
 *
 *   fcgi-hello SOCKET THREADS
 */
#include "fcgi-threads.h"
#include <stdio.h>


static void *serve(void *arg) {
    (void)arg;
    FCGX_Request req;
    FCGX_InitRequest(&req, sock, 0);
    static const char head[] = "Status: 304 Not Modified\r\nETag: \"00000000-0000-0000-0000-000000000000-1\"\r\n"
                               "Cache-Control: no-cache\r\n\r\n";
    while (FCGX_Accept_r(&req) >= 0) {
        FCGX_PutStr(head, sizeof head - 1, req.out);
        FCGX_Finish_r(&req);
    }
    return NULL;
}

int main(int argc, char **argv) {
    if (argc != 3) { fprintf(stderr, "usage: fcgi-hello SOCKET THREADS\n"); return 2; }
    return serve_threads(argv[1], argv[2], serve);
}
