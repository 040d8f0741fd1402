// The target of library-getenv: a program that reads its configuration from environment
// variables, looking each name in /tmp/names up with libc's getenv(). It reports every lookup on
// stdout, for the checks (the ground truth the student's submissions are compared with):
//
//   lab-call <function> tid=<thread> ret=<1 when set, else 0> ns=<duration> arg=<hex of the name>
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ull + (unsigned long long)ts.tv_nsec;
}

/* One write per line. */
static void report(long ret, unsigned long long ns, const char *name)
{
	char line[700];
	int n = snprintf(line, sizeof(line), "lab-call getenv tid=%d ret=%ld ns=%llu arg=", gettid(),
			 ret, ns);

	for (const unsigned char *p = (const unsigned char *)name; *p && n < (int)sizeof(line) - 3; p++)
		n += snprintf(line + n, sizeof(line) - (size_t)n, "%02x", *p);
	printf("%s\n", line);
}

int main(void)
{
	char name[256];
	FILE *f = fopen("/tmp/names", "r");

	if (!f)
		return 2;
	setvbuf(stdout, NULL, _IOLBF, 0);
	setenv("APP_MODE", "test", 1);
	while (fgets(name, sizeof(name), f)) {
		unsigned long long t0;
		const char *value;

		name[strcspn(name, "\n")] = 0;
		t0 = now_ns();
		value = getenv(name);
		report(value != NULL, now_ns() - t0, name);
	}
	fclose(f);
	return 0;
}
