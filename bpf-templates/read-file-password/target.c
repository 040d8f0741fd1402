// Target of read-file-password. One scenario per run of this program: argv[1] names it.
// It uses open()/read() directly (glibc's open() is the openat syscall) so that every read
// is a read() syscall the student's programs can see. It never closes a file before it is
// done with all of them: fd reuse after close() is the subject of the next exercise.
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/*
 * Copies a path to the stack before passing it to open(). A string literal sits in a page of
 * the binary that may not be loaded yet when open() is called; the kernel can fault it in, but
 * a tracing program cannot (bpf_probe_read_user_str just fails). Copying touches the page in
 * user space first, and the stack copy is resident.
 */
static int open_path(const char *literal, int flags)
{
	char path[64];

	strncpy(path, literal, sizeof(path) - 1);
	path[sizeof(path) - 1] = 0;
	return open(path, flags);
}

static char sink[4096];
static size_t sunk;

/* Keeps what was read, so the reads cannot be optimised away and stdout shows the story. */
static void keep(const char *buf, ssize_t n)
{
	if (n > 0 && sunk + (size_t)n < sizeof(sink)) {
		memcpy(sink + sunk, buf, (size_t)n);
		sunk += (size_t)n;
	}
}

static void read_once(int fd, size_t count)
{
	char buf[256];

	memset(buf, 0, sizeof(buf));
	keep(buf, read(fd, buf, count < sizeof(buf) ? count : sizeof(buf)));
}

static void read_all(int fd, size_t chunk)
{
	char buf[256];
	ssize_t n;

	do {
		memset(buf, 0, sizeof(buf));
		n = read(fd, buf, chunk);
		keep(buf, n);
	} while (n > 0);
}

static void *thread_reader(void *arg)
{
	read_once(*(int *)arg, 256);
	return NULL;
}

int main(int argc, char **argv)
{
	const char *s = argc > 1 ? argv[1] : "bait-around";

	if (!strcmp(s, "bait-around")) {
		int a = open_path("/tmp/notes.txt", O_RDONLY);
		read_once(a, 256);
		int p = open_path("/tmp/password", O_RDONLY);
		read_once(p, 256);
		int b = open_path("/tmp/config.ini", O_RDONLY);
		read_once(b, 256);
	} else if (!strcmp(s, "kept-open")) {
		int p = open_path("/tmp/password", O_RDONLY);
		int a = open_path("/tmp/notes.txt", O_RDONLY);
		read_once(a, 10);
		read_once(p, 256);
		read_once(a, 256);
	} else if (!strcmp(s, "decoys")) {
		int d1 = open_path("/tmp/password.bak", O_RDONLY);
		read_once(d1, 256);
		int d2 = open_path("/tmp/passwordX", O_RDONLY);
		read_once(d2, 256);
		int d3 = open_path("/tmp/passwor", O_RDONLY);
		read_once(d3, 256);
		int p = open_path("/tmp/password", O_RDONLY);
		read_once(p, 256);
	} else if (!strcmp(s, "failed-open")) {
		/* The password exists, but it is not a directory: this open fails with ENOTDIR. */
		int bad = open_path("/tmp/password", O_RDONLY | O_DIRECTORY);
		int a = open_path("/tmp/notes.txt", O_RDONLY);
		read_once(a, 256);
		int p = open_path("/tmp/password", O_RDONLY);
		read_once(p, 256);
		(void)bad;
	} else if (!strcmp(s, "chunks")) {
		int p = open_path("/tmp/password", O_RDONLY);
		read_all(p, 5);
	} else if (!strcmp(s, "second-thread")) {
		pthread_t t;
		int p = open_path("/tmp/password", O_RDONLY);
		if (pthread_create(&t, NULL, thread_reader, &p) == 0)
			pthread_join(t, NULL);
	} else {
		return 2;
	}
	/* Only lengths: the content stays in the target. */
	char line[64];
	int len = snprintf(line, sizeof(line), "read %zu bytes\n", sunk);
	write(1, line, len > 0 ? (size_t)len : 0);
	return 0;
}
