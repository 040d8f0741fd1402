// Target of http-password: a login script. It reads the account's password from
// /tmp/password, then talks HTTP to a tiny server of its own on 127.0.0.1:8080 (the run has a
// network namespace of its own, so nothing leaves the run). One process, one thread: each
// request is written on a fresh TCP connection, then the server's side accepts it and reads it.
// Requests go out with write() or sendto(); only one carries the password, as the form field
// password=…; the scenario decides how the requests are cut and what else is written.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int listener;
static struct sockaddr_in server = {.sin_family = AF_INET};

/* The server's turn: accept the connection and read the whole request. */
static void serve_one(void)
{
	char buf[1024];
	int c = accept(listener, NULL, NULL);

	if (c < 0)
		return;
	while (read(c, buf, sizeof(buf)) > 0)
		;
	close(c);
}

/* A client connection to the server. */
static int connect_server(void)
{
	int s = socket(AF_INET, SOCK_STREAM, 0);

	if (s < 0 || connect(s, (struct sockaddr *)&server, sizeof(server)) != 0) {
		perror("http-password target: connect");
		return -1;
	}
	return s;
}

/* Sends `parts` (NULL-terminated) on one connection, each with its own call. */
static void request(int use_sendto, const char *const *parts)
{
	int s = connect_server();

	if (s < 0)
		return;
	for (; *parts; parts++) {
		if (use_sendto)
			sendto(s, *parts, strlen(*parts), 0, NULL, 0);
		else
			write(s, *parts, strlen(*parts));
	}
	shutdown(s, SHUT_WR);
	serve_one();
	close(s);
}

int main(int argc, char **argv)
{
	const char *scenario = argc > 1 ? argv[1] : "";
	char password[128], body[256], head[256], whole[512];
	int fd = open("/tmp/password", O_RDONLY), one = 1;
	ssize_t n = fd < 0 ? -1 : read(fd, password, sizeof(password) - 1);

	if (n <= 0) {
		fprintf(stderr, "http-password target: cannot read /tmp/password\n");
		return 1;
	}
	close(fd);
	password[n] = 0;
	password[strcspn(password, "\r\n")] = 0;

	server.sin_port = htons(8080);
	server.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	listener = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(listener, (struct sockaddr *)&server, sizeof(server)) || listen(listener, 8)) {
		perror("http-password target: listen");
		return 1;
	}

	snprintf(body, sizeof(body), "user=ada&password=%s", password);
	snprintf(head, sizeof(head),
		 "POST /login HTTP/1.1\r\nHost: lab.test\r\n"
		 "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: %zu\r\n\r\n",
		 strlen(body));
	snprintf(whole, sizeof(whole), "%s%s", head, body);

	if (!strcmp(scenario, "split-request")) {
		/* the headers in one write(), the body with the password in a second one */
		request(0, (const char *const[]){"GET /status HTTP/1.1\r\nHost: lab.test\r\n\r\n", NULL});
		request(0, (const char *const[]){head, body, NULL});
	} else if (!strcmp(scenario, "other-path")) {
		/* sendto(): a search that mentions passwords, then the login with a field after it */
		static const char search[] = "q=password+reset&lang=en";
		char search_head[256];

		snprintf(search_head, sizeof(search_head),
			 "POST /search HTTP/1.1\r\nHost: lab.test\r\n"
			 "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: %zu\r\n\r\n%s",
			 strlen(search), search);
		request(1, (const char *const[]){search_head, NULL});
		snprintf(body, sizeof(body), "user=ada&password=%s&remember=1", password);
		snprintf(whole, sizeof(whole),
			 "POST /login HTTP/1.1\r\nHost: lab.test\r\n"
			 "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: %zu\r\n\r\n%s",
			 strlen(body), body);
		request(1, (const char *const[]){whole, NULL});
	} else if (!strcmp(scenario, "file-copy")) {
		/* the script keeps a copy of what it sends: the same bytes, written to a file */
		int log = open("/tmp/requests.log", O_WRONLY | O_CREAT | O_TRUNC, 0600);

		write(log, whole, strlen(whole));
		request(0, (const char *const[]){whole, NULL});
		close(log);
	} else {
		fprintf(stderr, "http-password target: unknown scenario \"%s\"\n", scenario);
		return 2;
	}
	close(listener);
	return 0;
}
