#define _GNU_SOURCE
#include "CTwisterShim.h"

static _Thread_local uint64_t twister_reactor_id = 0;

uint64_t twister_current_reactor_id(void) { return twister_reactor_id; }
void twister_set_current_reactor_id(uint64_t id) { twister_reactor_id = id; }

#ifdef __linux__
int twister_pipe2(int fds[2], int flags) { return pipe2(fds, flags); }
int twister_accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags) { return accept4(fd, addr, len, flags); }
#endif
