// The one load generator for every echo server in the reactor benchmark (Twister, SwiftNIO, Twisted), so that
// only the server differs. Plain C: blocking sockets and threads for the stream, poll() for ping-pong.
//
//   loadgen stream   PORT SECONDS            one connection, 64 KiB writes, echo read back: prints "MB/s X"
//                                            (and "total bytes N" over the whole run, warm-up included)
//   loadgen pingpong PORT CONNS SECONDS SIZE each connection keeps one SIZE-byte message in flight: "rt/s X"
//                                            (and "total trips N")
//   loadgen idle     PORT CONNS SERVERPID    opens CONNS connections, one 1-byte echo on each, then reads the
//                                            server's VmRSS: "bytes/conn X" (RSS delta / CONNS)
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int connect_to(int port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) { perror("socket"); exit(1); }
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    for (int attempt = 0;; attempt++) {
        if (connect(fd, (struct sockaddr *)&a, sizeof a) == 0) break;
        if (attempt > 200) { perror("connect"); exit(1); }
        usleep(10000);
        close(fd);
        fd = socket(AF_INET, SOCK_STREAM, 0);
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

// MARK: stream

static atomic_int stop_flag;
static atomic_long received;

static void *writer(void *arg) {
    int fd = *(int *)arg;
    static char block[65536];
    memset(block, 'x', sizeof block);
    while (!atomic_load(&stop_flag)) {
        ssize_t n = write(fd, block, sizeof block);
        if (n <= 0) break;
    }
    return NULL;
}

static void *reader(void *arg) {
    int fd = *(int *)arg;
    static char buf[262144];
    while (!atomic_load(&stop_flag)) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n <= 0) break;
        atomic_fetch_add(&received, n);
    }
    return NULL;
}

static int stream(int port, double seconds) {
    int fd = connect_to(port);
    pthread_t w, r;
    pthread_create(&r, NULL, reader, &fd);
    pthread_create(&w, NULL, writer, &fd);
    usleep(500000); // warm-up
    long b0 = atomic_load(&received);
    double t0 = now();
    usleep((useconds_t)(seconds * 1e6));
    long b1 = atomic_load(&received);
    double t1 = now();
    printf("MB/s %.1f\n", (b1 - b0) / (t1 - t0) / 1e6);
    printf("total bytes %ld\n", b1);
    fflush(stdout);
    _exit(0);
}

// MARK: ping-pong

static int pingpong(int port, int conns, double seconds, int size) {
    struct pollfd *p = calloc(conns, sizeof *p);
    int *got = calloc(conns, sizeof *got);
    char *msg = malloc(size), buf[65536];
    memset(msg, 'p', size);
    for (int i = 0; i < conns; i++) {
        p[i].fd = connect_to(port);
        p[i].events = POLLIN;
        if (write(p[i].fd, msg, size) != size) { perror("write"); return 1; }
    }
    long trips = 0, base = 0;
    double start = now(), t0 = 0, end = start + 0.5 + seconds;
    int measuring = 0;
    for (;;) {
        int n = poll(p, conns, 1000);
        if (n < 0 && errno != EINTR) { perror("poll"); return 1; }
        for (int i = 0; i < conns && n > 0; i++) {
            if (!p[i].revents) continue;
            n--;
            ssize_t r = read(p[i].fd, buf, sizeof buf);
            if (r <= 0) { fprintf(stderr, "connection %d closed\n", i); return 1; }
            got[i] += (int)r;
            while (got[i] >= size) { // one full echo: send the next
                got[i] -= size;
                trips++;
                if (write(p[i].fd, msg, size) != size) { perror("write"); return 1; }
            }
        }
        double t = now();
        if (!measuring && t - start >= 0.5) { measuring = 1; base = trips; t0 = t; }
        if (t >= end) {
            printf("rt/s %.0f\n", (trips - base) / (t - t0));
            printf("total trips %ld\n", trips);
            fflush(stdout);
            _exit(0);
        }
    }
}

// MARK: idle connections

static long rss_kb(int pid) {
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", pid);
    FILE *f = fopen(path, "r");
    if (!f) { perror(path); exit(1); }
    long kb = -1;
    while (fgets(line, sizeof line, f))
        if (strncmp(line, "VmRSS:", 6) == 0) kb = atol(line + 6);
    fclose(f);
    return kb;
}

static int idle(int port, int conns, int pid) {
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
    // One warm-up connection so that the server's accept path and first-connection allocations are paid.
    int warm = connect_to(port);
    char c = 'i';
    if (write(warm, &c, 1) != 1 || read(warm, &c, 1) != 1) { fprintf(stderr, "warm-up failed\n"); return 1; }
    usleep(200000);
    long before = rss_kb(pid);
    int *fds = calloc(conns, sizeof *fds);
    for (int i = 0; i < conns; i++) {
        fds[i] = connect_to(port);
        if (write(fds[i], &c, 1) != 1) { perror("write"); return 1; }
        if (read(fds[i], &c, 1) != 1) { fprintf(stderr, "no echo on connection %d\n", i); return 1; }
    }
    usleep(500000);
    long after = rss_kb(pid);
    printf("rss before kB %ld\nrss after kB %ld\nbytes/conn %.0f\n", before, after,
           (after - before) * 1024.0 / conns);
    fflush(stdout);
    for (int i = 0; i < conns; i++) close(fds[i]);
    close(warm);
    return 0;
}

int main(int argc, char **argv) {
    signal(SIGPIPE, SIG_IGN);
    if (argc >= 4 && !strcmp(argv[1], "stream")) return stream(atoi(argv[2]), atof(argv[3]));
    if (argc >= 6 && !strcmp(argv[1], "pingpong"))
        return pingpong(atoi(argv[2]), atoi(argv[3]), atof(argv[4]), atoi(argv[5]));
    if (argc >= 5 && !strcmp(argv[1], "idle")) return idle(atoi(argv[2]), atoi(argv[3]), atoi(argv[4]));
    fprintf(stderr, "usage: loadgen stream PORT SECONDS | pingpong PORT CONNS SECONDS SIZE | idle PORT CONNS SERVERPID\n");
    return 2;
}
