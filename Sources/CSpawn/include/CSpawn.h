#ifndef SCRIBE_CSPAWN_H
#define SCRIBE_CSPAWN_H
#include <sys/types.h>

/// Spawns `path` with `argv` and `envp` in a new session, with an empty signal mask and default
/// signal handlers, stdin on /dev/null, stdout and stderr on `log_fd` (or /dev/null when < 0),
/// and every other descriptor closed. Returns the child's pid, or -errno.
pid_t scribe_spawn(const char *path, char *const argv[], char *const envp[], int log_fd);

/// Like scribe_spawn but the child keeps the caller's session and gets `stdout_fd` and
/// `stderr_fd` (pipes) for output; used for short tools (git, ctags) that are killed by group.
pid_t scribe_spawn_pipes(const char *path, char *const argv[], char *const envp[], const char *cwd,
                         int stdout_fd, int stderr_fd);
#endif
