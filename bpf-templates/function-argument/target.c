// The target of function-argument: a login prompt that checks each guess it is given with
// check_password(). It reports every call it made on stdout, for the checks: the ground truth
// the student's submissions are compared with.
//
//   lab-call <function> tid=<thread> ret=<value> ns=<duration> arg=<hex of the string argument>
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static char password[128];

/*
 * noipa: the function stays one real function under its own name (no inlining, no clone with a
 * suffix), so the probe on check_password sees every call.
 */
__attribute__((noipa)) int check_password(const char *guess)
{
	return strcmp(guess, password) == 0;
}

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ull + (unsigned long long)ts.tv_nsec;
}

/* One write per line: lines from several threads never mix. */
static void report(const char *fn, long ret, unsigned long long ns, const char *arg)
{
	char line[700];
	int n = snprintf(line, sizeof(line), "lab-call %s tid=%d ret=%ld ns=%llu arg=", fn, gettid(),
			 ret, ns);

	for (const unsigned char *p = (const unsigned char *)arg; *p && n < (int)sizeof(line) - 3; p++)
		n += snprintf(line + n, sizeof(line) - (size_t)n, "%02x", *p);
	printf("%s\n", line);
}

static void strip(char *s) { s[strcspn(s, "\n")] = 0; }

int main(void)
{
	char line[256];
	FILE *f = fopen("/tmp/password", "r");

	if (!f || !fgets(password, sizeof(password), f))
		return 2;
	fclose(f);
	strip(password);
	f = fopen("/tmp/guesses", "r");
	if (!f)
		return 2;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long t0;
		int ok;

		strip(line);
		t0 = now_ns();
		ok = check_password(line);
		report("check_password", ok, now_ns() - t0, line);
		if (ok)
			printf("welcome\n");
	}
	fclose(f);
	return 0;
}
