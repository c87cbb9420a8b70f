/* SPDX-License-Identifier: Apache-2.0
 * A small static HTTP-ish server for the workload tests: a server thread (pthread_create,
 * which glibc starts with clone3 and falls back to clone on ENOSYS) accepts on loopback with
 * epoll, answers each request with "hello <request line>"; the main thread connects N times
 * as a client and prints each reply. Exit 0 only if every reply came back.
 *   tiny-server [PORT [N]] */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

static int listen_fd;

static void *serve(void *arg)
{
	int ep = epoll_create1(EPOLL_CLOEXEC);
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = listen_fd };
	if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, listen_fd, &ev) < 0) {
		perror("epoll");
		exit(3);
	}
	for (;;) {
		if (epoll_wait(ep, &ev, 1, -1) != 1)
			continue;
		int c = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
		if (c < 0)
			continue;
		char buf[256], out[300];
		ssize_t n = read(c, buf, sizeof(buf) - 1);
		if (n > 0) {
			buf[n] = '\0';
			buf[strcspn(buf, "\r\n")] = '\0';
			int len = snprintf(out, sizeof(out), "hello %s\n", buf);
			if (write(c, out, (size_t)len) < 0)
				perror("write");
		}
		close(c);
	}
	return arg;
}

int main(int argc, char **argv)
{
	int port = argc > 1 ? atoi(argv[1]) : 8080, n = argc > 2 ? atoi(argv[2]) : 3;
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons((uint16_t)port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int one = 1;
	listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (listen_fd < 0 ||
	    setsockopt(listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(listen_fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(listen_fd, 16) < 0) {
		perror("listen");
		return 2;
	}
	pthread_t t;
	int r = pthread_create(&t, NULL, serve, NULL);
	if (r != 0) {
		fprintf(stderr, "pthread_create: %s\n", strerror(r));
		return 2;
	}
	for (int i = 0; i < n; i++) {
		int c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		char req[64], buf[300];
		if (c < 0 || connect(c, (struct sockaddr *)&a, sizeof(a)) < 0) {
			perror("connect");
			return 1;
		}
		int len = snprintf(req, sizeof(req), "GET /%d\r\n", i);
		if (write(c, req, (size_t)len) != len) {
			perror("send");
			return 1;
		}
		ssize_t got = read(c, buf, sizeof(buf) - 1);
		if (got <= 0) {
			fprintf(stderr, "no reply %d\n", i);
			return 1;
		}
		buf[got] = '\0';
		fputs(buf, stdout);
		close(c);
	}
	return 0;
}
