#ifndef C_TWISTER_SHIM_H
#define C_TWISTER_SHIM_H
// System interfaces that Swift's Glibc module does not expose, and a thread-local reactor id.
#ifdef __linux__
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <sys/sendfile.h>
#include <sys/signalfd.h>
#endif
#include <fcntl.h>
#include <unistd.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>

/// Id of the reactor that runs on the calling thread (0: none). A C _Thread_local, never `pthread_self()`
/// (glibc declares that `const`, so the optimiser may move it across an `await`).
uint64_t twister_current_reactor_id(void);

void twister_set_current_reactor_id(uint64_t id);

#ifdef __linux__
int twister_pipe2(int fds[2], int flags);
int twister_accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags);

/// One readiness event, unpacked (epoll_event is packed on x86_64, which Swift imports awkwardly).
typedef struct twister_event {
    uint64_t data;
    uint32_t events;
} twister_event;

int twister_epoll_create(void);
int twister_epoll_ctl(int ep, int op, int fd, uint32_t events, uint64_t data);
/// epoll_wait into `out` (at most `max` events, max <= 1024).
int twister_epoll_wait(int ep, twister_event *out, int max, int timeout_ms);
int twister_eventfd_create(void);
int twister_eventfd_write(int fd);
int twister_eventfd_drain(int fd);
int twister_timerfd_create(void);
/// Arms the timer for the absolute CLOCK_MONOTONIC time `ns` (0 disarms).
int twister_timerfd_set_abs(int fd, int64_t ns);
int twister_timerfd_drain(int fd);
/// pidfd_open(2): a descriptor that becomes readable when `pid` exits, or -1.
int twister_pidfd_open(int pid);
#endif

/// poll(2) with a nanosecond timeout (ppoll where available); timeout_ns < 0 waits forever.
struct pollfd;
int twister_poll_ns(struct pollfd *fds, unsigned long n, int64_t timeout_ns);

/// Monotonic nanoseconds.
int64_t twister_monotonic_ns(void);
/// A non-blocking, close-on-exec socket.
int twister_socket(int domain, int type, int protocol);
/// Accepts a connection as a non-blocking, close-on-exec socket.
int twister_accept(int fd, struct sockaddr *addr, socklen_t *len);
/// A non-blocking, close-on-exec pipe.
int twister_pipe(int fds[2]);
int twister_set_nonblocking(int fd, int on);
int twister_set_cloexec(int fd);

/// Forks and execs `path` with `argv`/`envp` (NULL-terminated), `cwd` (may be NULL), and the child's stdin,
/// stdout and stderr dup'ed from `in_fd`, `out_fd`, `err_fd` (-1: /dev/null). Every other descriptor is closed
/// in the child, signal dispositions and mask are reset. Returns the pid, or -errno when fork failed. When exec
/// fails the child exits with status 127.
int twister_spawn(const char *path, char *const argv[], char *const envp[], const char *cwd,
                  int in_fd, int out_fd, int err_fd);

/// Catches SIGINT and SIGTERM with a handler that writes the signal number (one byte) to `write_fd`
/// (async-signal-safe; any thread may take the signal), unblocks both in the calling thread, and saves the
/// previous dispositions. Returns 0, or -errno.
int twister_catch_stop_signals(int write_fd);
/// Restores the dispositions saved by twister_catch_stop_signals.
void twister_restore_stop_signals(void);

/// errno of the calling thread.
int twister_errno(void);

/// Names the calling thread for the OS (pthread_setname_np; Linux keeps 15 bytes). Returns 0, or an errno.
/// Glibc's Swift module does not export pthread_setname_np, and Foundation's `Thread.name` setter reaches the
/// OS only when it wins a race with `start()`.
int twister_set_thread_name(const char *name);
#endif
