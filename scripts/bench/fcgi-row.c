/* The row-fetch baseline for scripts/bench-api.sh: libfcgi + libpq answering every request with one job
 * row as JSON (one prepared statement, one connection per accept thread), the least a poll answered from
 * the database can cost.
 *
 *   DATABASE_URL=… BENCH_ROW_ID=<job id> fcgi-row SOCKET THREADS
 */
#include "fcgi-threads.h"
#include <libpq-fe.h>
#include <stdio.h>
#include <string.h>

static const char *url, *row_id;

static void *serve(void *arg) {
    (void)arg;
    PGconn *db = PQconnectdb(url);
    if (PQstatus(db) != CONNECTION_OK) { fprintf(stderr, "fcgi-row: %s", PQerrorMessage(db)); exit(1); }
    PGresult *p = PQprepare(db, "row", "SELECT row_to_json(j)::text, version FROM jobs j WHERE id = $1", 1, NULL);
    if (PQresultStatus(p) != PGRES_COMMAND_OK) { fprintf(stderr, "fcgi-row: %s", PQerrorMessage(db)); exit(1); }
    PQclear(p);
    FCGX_Request req;
    FCGX_InitRequest(&req, sock, 0);
    while (FCGX_Accept_r(&req) >= 0) {
        const char *params[1] = {row_id};
        PGresult *r = PQexecPrepared(db, "row", 1, params, NULL, NULL, 0);
        if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1) {
            char head[256];
            int n = snprintf(head, sizeof head,
                             "Status: 200 OK\r\nContent-Type: application/json; charset=utf-8\r\n"
                             "Cache-Control: no-cache\r\nETag: \"%s-%s\"\r\n\r\n",
                             row_id, PQgetvalue(r, 0, 1));
            FCGX_PutStr(head, n, req.out);
            FCGX_PutStr(PQgetvalue(r, 0, 0), PQgetlength(r, 0, 0), req.out);
            FCGX_PutStr("\n", 1, req.out);
        } else {
            static const char err[] = "Status: 500 Internal Server Error\r\nContent-Type: application/json\r\n\r\n{}";
            FCGX_PutStr(err, sizeof err - 1, req.out);
        }
        PQclear(r);
        FCGX_Finish_r(&req);
    }
    PQfinish(db);
    return NULL;
}

int main(int argc, char **argv) {
    if (argc != 3) { fprintf(stderr, "usage: fcgi-row SOCKET THREADS\n"); return 2; }
    url = getenv("DATABASE_URL");
    row_id = getenv("BENCH_ROW_ID");
    if (!url || !row_id) { fprintf(stderr, "fcgi-row: DATABASE_URL and BENCH_ROW_ID are needed\n"); return 2; }
    return serve_threads(argv[1], argv[2], serve);
}
