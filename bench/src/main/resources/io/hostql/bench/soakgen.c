/*
 * The soak's and the syscall storm's generators (bench/.../Soak.java compiles this with the system cc).
 *   soakgen exec RATE SECONDS LOG     fork + execve("/bin/true") RATE times a second; LOG gets "epoch_ns child_pid" per exec
 *   soakgen connect RATE SECONDS LOG  connect() of one UDP socket to 127.0.0.1, port 20000 + (i % 40000) for the i-th call,
 *                                     RATE times a second; LOG gets "epoch_ns" per call (line i is call i)
 * RATE 0: as fast as it can (no pacing). LOG "-": no log (the syscall storm counts rows by pid, and a log line per call
 * would slow an unpaced storm). At the end it prints "CALLS ELAPSED_NS CPU_NS" on stdout: the rate it achieved, and its
 * own user+system CPU time (for connect, the audited syscalls' kernel work is most of it: the records are made there).
 * The port names the call, so the soak matches each socket_events record to its call exactly.
 * The time is taken before the syscall: the kernel's audit time of the event is at or after it.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(clockid_t c) {
    struct timespec t;
    clock_gettime(c, &t);
    return (long long) t.tv_sec * 1000000000LL + t.tv_nsec;
}

int main(int argc, char **argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: soakgen exec|connect RATE SECONDS LOG\n");
        return 2;
    }
    double rate = atof(argv[2]);
    long long dur = (long long) (atof(argv[3]) * 1e9);
    if (rate < 0) {
        fprintf(stderr, "soakgen: RATE must be 0 (as fast as it can) or more, not %s\n", argv[2]);
        return 2;
    }
    FILE *log = NULL;
    if (strcmp(argv[4], "-") != 0 && !(log = fopen(argv[4], "w"))) {
        perror(argv[4]);
        return 2;
    }
    int udp = -1;
    struct sockaddr_in to;
    memset(&to, 0, sizeof to);
    to.sin_family = AF_INET;
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int exec = strcmp(argv[1], "exec") == 0;
    if (!exec) {
        udp = socket(AF_INET, SOCK_DGRAM, 0);
        if (udp < 0) {
            perror("socket");
            return 2;
        }
    }
    long long start = now_ns(CLOCK_MONOTONIC), i;
    for (i = 0;; i++) {
        long long now = now_ns(CLOCK_MONOTONIC), due = rate > 0 ? start + (long long) (i * 1e9 / rate) : now;
        /* Ends on time even when a loaded machine held it back (it then runs behind the rate, never past the end). */
        if (due - start >= dur || now - start >= dur) break;
        if (due > now) {
            struct timespec s = {(due - now) / 1000000000LL, (due - now) % 1000000000LL};
            nanosleep(&s, NULL);
        }
        long long at = now_ns(CLOCK_REALTIME);
        if (exec) {
            pid_t p = fork();
            if (p == 0) {
                char *args[] = {"/bin/true", NULL};
                execv("/bin/true", args);
                _exit(127);
            }
            if (p > 0 && log) fprintf(log, "%lld %d\n", at, (int) p);
            while (waitpid(-1, NULL, WNOHANG) > 0) {}
        } else {
            to.sin_port = htons(20000 + (int) (i % 40000));
            connect(udp, (struct sockaddr *) &to, sizeof to);
            if (log) fprintf(log, "%lld\n", at);
        }
    }
    long long elapsed = now_ns(CLOCK_MONOTONIC) - start;
    while (wait(NULL) > 0) {}
    if (log) fclose(log);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    long long cpu = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000LL + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000LL;
    printf("%lld %lld %lld\n", i, elapsed, cpu);
    return 0;
}
