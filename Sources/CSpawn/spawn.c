#define _GNU_SOURCE
#include "CSpawn.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <unistd.h>

static pid_t spawn_with(const char *path, char *const argv[], char *const envp[], const char *cwd,
                        int out_fd, int err_fd, int new_session) {
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    sigset_t empty, all;
    pid_t pid = -1;
    int rc;

    posix_spawn_file_actions_init(&fa);
    posix_spawnattr_init(&attr);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    if (out_fd >= 0) posix_spawn_file_actions_adddup2(&fa, out_fd, 1);
    else posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    if (err_fd >= 0) posix_spawn_file_actions_adddup2(&fa, err_fd, 2);
    else posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    /* Without this the child inherits the FastCGI listening socket and open requests. */
    posix_spawn_file_actions_addclosefrom_np(&fa, 3);
    if (cwd) posix_spawn_file_actions_addchdir_np(&fa, cwd);

    sigemptyset(&empty);
    sigfillset(&all);
    posix_spawnattr_setsigmask(&attr, &empty);
    posix_spawnattr_setsigdefault(&attr, &all);
    short flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
    if (new_session) flags |= POSIX_SPAWN_SETSID;
    else flags |= POSIX_SPAWN_SETPGROUP; /* own group, so a timeout kills the whole tool */
    posix_spawnattr_setflags(&attr, flags);
    if (!new_session) posix_spawnattr_setpgroup(&attr, 0);

    rc = posix_spawn(&pid, path, &fa, &attr, argv, envp);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    return rc == 0 ? pid : -rc;
}

pid_t scribe_spawn(const char *path, char *const argv[], char *const envp[], int log_fd) {
    return spawn_with(path, argv, envp, NULL, log_fd, log_fd, 1);
}

pid_t scribe_spawn_pipes(const char *path, char *const argv[], char *const envp[], const char *cwd,
                         int stdout_fd, int stderr_fd) {
    return spawn_with(path, argv, envp, cwd, stdout_fd, stderr_fd, 0);
}
