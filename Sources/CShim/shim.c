#define _GNU_SOURCE
#include "CTwisterShim.h"
#include <errno.h>
#include <pthread.h>
#include <time.h>
#include <string.h>
#include <stdlib.h>
#ifdef __linux__
#include <sys/syscall.h>
#endif

static _Thread_local uint64_t twister_reactor_id = 0;

uint64_t twister_current_reactor_id(void) { return twister_reactor_id; }
void twister_set_current_reactor_id(uint64_t id) { twister_reactor_id = id; }

int twister_errno(void) { return errno; }

#include <poll.h>
int twister_poll_ns(struct pollfd *fds, unsigned long n, int64_t timeout_ns) {
#ifdef __linux__
    if (timeout_ns < 0) return ppoll(fds, (nfds_t)n, NULL, NULL);
    struct timespec ts = { (time_t)(timeout_ns / 1000000000LL), (long)(timeout_ns % 1000000000LL) };
    return ppoll(fds, (nfds_t)n, &ts, NULL);
#else
    int ms = timeout_ns < 0 ? -1 : (int)((timeout_ns + 999999) / 1000000);
    return poll(fds, (nfds_t)n, ms);
#endif
}

int64_t twister_monotonic_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int twister_set_nonblocking(int fd, int on) {
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0) return -1;
    fl = on ? (fl | O_NONBLOCK) : (fl & ~O_NONBLOCK);
    return fcntl(fd, F_SETFL, fl);
}

int twister_set_cloexec(int fd) {
    int fl = fcntl(fd, F_GETFD);
    if (fl < 0) return -1;
    return fcntl(fd, F_SETFD, fl | FD_CLOEXEC);
}

#ifdef __linux__
int twister_pipe2(int fds[2], int flags) { return pipe2(fds, flags); }
int twister_accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags) { return accept4(fd, addr, len, flags); }

int twister_socket(int domain, int type, int protocol) {
    return socket(domain, type | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol);
}
int twister_accept(int fd, struct sockaddr *addr, socklen_t *len) {
    return accept4(fd, addr, len, SOCK_NONBLOCK | SOCK_CLOEXEC);
}
int twister_pipe(int fds[2]) { return pipe2(fds, O_NONBLOCK | O_CLOEXEC); }

int twister_epoll_create(void) { return epoll_create1(EPOLL_CLOEXEC); }

int twister_epoll_ctl(int ep, int op, int fd, uint32_t events, uint64_t data) {
    struct epoll_event ev;
    memset(&ev, 0, sizeof ev);
    ev.events = events;
    ev.data.u64 = data;
    return epoll_ctl(ep, op, fd, &ev);
}

int twister_epoll_wait(int ep, twister_event *out, int max, int timeout_ms) {
    struct epoll_event evs[1024];
    if (max > 1024) max = 1024;
    int n = epoll_wait(ep, evs, max, timeout_ms);
    for (int i = 0; i < n; i++) { out[i].data = evs[i].data.u64; out[i].events = evs[i].events; }
    return n;
}

int twister_eventfd_create(void) { return eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK); }
int twister_eventfd_write(int fd) { return eventfd_write(fd, 1); }
int twister_eventfd_drain(int fd) { eventfd_t v; return eventfd_read(fd, &v); }

int twister_timerfd_create(void) { return timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK); }
int twister_timerfd_set_abs(int fd, int64_t ns) {
    struct itimerspec its;
    memset(&its, 0, sizeof its);
    if (ns > 0) { its.it_value.tv_sec = ns / 1000000000LL; its.it_value.tv_nsec = ns % 1000000000LL; }
    return timerfd_settime(fd, TFD_TIMER_ABSTIME, &its, NULL);
}
int twister_timerfd_drain(int fd) { uint64_t v; return (int)read(fd, &v, sizeof v); }

int twister_pidfd_open(int pid) {
#ifdef SYS_pidfd_open
    return (int)syscall(SYS_pidfd_open, pid, 0);
#else
    errno = ENOSYS; return -1;
#endif
}
#else
int twister_socket(int domain, int type, int protocol) {
    int fd = socket(domain, type, protocol);
    if (fd >= 0) { twister_set_nonblocking(fd, 1); twister_set_cloexec(fd); }
    return fd;
}
int twister_accept(int fd, struct sockaddr *addr, socklen_t *len) {
    int c = accept(fd, addr, len);
    if (c >= 0) { twister_set_nonblocking(c, 1); twister_set_cloexec(c); }
    return c;
}
int twister_pipe(int fds[2]) {
    if (pipe(fds) < 0) return -1;
    for (int i = 0; i < 2; i++) { twister_set_nonblocking(fds[i], 1); twister_set_cloexec(fds[i]); }
    return 0;
}
#endif

int twister_spawn(const char *path, char *const argv[], char *const envp[], const char *cwd,
                  int in_fd, int out_fd, int err_fd) {
    pid_t pid = fork();
    if (pid < 0) return -errno;
    if (pid > 0) return pid;
    // Child: only async-signal-safe calls from here on.
    sigset_t all;
    sigemptyset(&all);
    sigprocmask(SIG_SETMASK, &all, NULL);
    for (int s = 1; s < 32; s++) { if (s != SIGKILL && s != SIGSTOP) signal(s, SIG_DFL); }
    int devnull = -1;
    int src[3] = { in_fd, out_fd, err_fd };
    for (int i = 0; i < 3; i++) {
        if (src[i] < 0) {
            if (devnull < 0) devnull = open("/dev/null", O_RDWR);
            src[i] = devnull;
        }
    }
    // Move sources out of the 0..2 range first so dup2 never clobbers one we still need.
    for (int i = 0; i < 3; i++) { if (src[i] >= 0 && src[i] < 3) src[i] = fcntl(src[i], F_DUPFD, 3); }
    for (int i = 0; i < 3; i++) {
        if (src[i] >= 0) dup2(src[i], i);
        // dup2 clears FD_CLOEXEC on the new descriptor.
    }
#ifdef __linux__
    syscall(SYS_close_range, 3, ~0U, 0);
#else
    for (int fd = 3; fd < 1024; fd++) close(fd);
#endif
    if (cwd && chdir(cwd) != 0) _exit(127);
    execve(path, argv, envp);
    _exit(127);
}


#include <signal.h>
#include <unistd.h>
static volatile sig_atomic_t twister_stop_fd = -1;
static struct sigaction twister_saved_int, twister_saved_term;

static void twister_stop_signal_handler(int sig) {
    int saved = errno;
    unsigned char b = (unsigned char)sig;
    if (twister_stop_fd >= 0) { ssize_t r = write(twister_stop_fd, &b, 1); (void)r; }
    errno = saved;
}

int twister_catch_stop_signals(int write_fd) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = twister_stop_signal_handler;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    twister_stop_fd = write_fd;
    if (sigaction(SIGINT, &sa, &twister_saved_int) != 0) return -errno;
    if (sigaction(SIGTERM, &sa, &twister_saved_term) != 0) return -errno;
    sigset_t both;
    sigemptyset(&both);
    sigaddset(&both, SIGINT);
    sigaddset(&both, SIGTERM);
    pthread_sigmask(SIG_UNBLOCK, &both, NULL);
    return 0;
}

void twister_restore_stop_signals(void) {
    sigaction(SIGINT, &twister_saved_int, NULL);
    sigaction(SIGTERM, &twister_saved_term, NULL);
    twister_stop_fd = -1;
}

int twister_set_thread_name(const char *name) {
#if defined(__APPLE__)
    return pthread_setname_np(name);
#else
    char short_name[16];
    strncpy(short_name, name, sizeof short_name - 1);
    short_name[sizeof short_name - 1] = 0;
    return pthread_setname_np(pthread_self(), short_name);
#endif
}
