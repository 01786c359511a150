/* Shared by the C baselines of scripts/bench-api.sh: open the FastCGI socket (mode 0777, so that
 * nginx's workers may connect) and run `serve` on THREADS accept threads until they end. */
#include <fcgiapp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

static int sock;

static int serve_threads(const char *path, const char *threads, void *(*serve)(void *)) {
    FCGX_Init();
    sock = FCGX_OpenSocket(path, 4096);
    if (sock < 0) { perror("FCGX_OpenSocket"); return 1; }
    chmod(path, 0777);
    int n = atoi(threads);
    if (n < 1) n = 1;
    if (n > 64) n = 64;
    pthread_t t[64];
    for (int i = 0; i < n; i++) pthread_create(&t[i], NULL, serve, NULL);
    for (int i = 0; i < n; i++) pthread_join(t[i], NULL);
    return 0;
}
