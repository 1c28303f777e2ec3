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
#include <stdint.h>

/// Id of the reactor that runs on the calling thread (0: none). A C _Thread_local, never `pthread_self()`
/// (glibc declares that `const`, so the optimiser may move it across an `await`).
uint64_t twister_current_reactor_id(void);
void twister_set_current_reactor_id(uint64_t id);

#ifdef __linux__
int twister_pipe2(int fds[2], int flags);
int twister_accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags);
#endif
#endif
