// The target of function-return: a login service that checks guesses with check_password(),
// which accepts any of the passwords in /tmp/passwords. It reports every call it made on
// stdout, for the checks (the ground truth the student's submissions are compared with):
//
//   lab-call <function> tid=<thread> ret=<value> ns=<duration> arg=<hex of the string argument>
//
//   target            one thread checks every line of /tmp/guesses in turn
//   target threads    two threads: each of /tmp/guesses-a's guesses (right ones) is still inside
//                     check_password() while another thread checks one of /tmp/guesses-b's
#define _GNU_SOURCE
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_PASSWORDS 8
#define MAX_GUESSES 16

static char passwords[MAX_PASSWORDS][128];
static int npasswords;
static sem_t a_inside, b_done;
static __thread int hold_inside;

/* Every attempt is logged: the call leaves the attempt's outcome in the first argument register. */
__attribute__((noipa)) void audit_attempt(int accepted)
{
	static volatile int attempts;

	attempts += accepted >= 0;
}

/* noipa: one real function under its own name (no inlining, no renamed clone) for the probes */
__attribute__((noipa)) int check_password(const char *guess)
{
	int ok = 0;

	for (int i = 0; i < npasswords; i++)
		ok |= strcmp(guess, passwords[i]) == 0;
	if (hold_inside) {
		/* let the other thread make a whole call while this one is still in here */
		sem_post(&a_inside);
		sem_wait(&b_done);
	}
	audit_attempt(ok);
	return ok;
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

static int read_lines(const char *path, char lines[][128], int max)
{
	FILE *f = fopen(path, "r");
	int n = 0;

	if (!f)
		return -1;
	while (n < max && fgets(lines[n], 128, f)) {
		lines[n][strcspn(lines[n], "\n")] = 0;
		n++;
	}
	fclose(f);
	return n;
}

static void attempt(const char *guess)
{
	unsigned long long t0 = now_ns();
	int ok = check_password(guess);

	report("check_password", ok, now_ns() - t0, guess);
}

static char guesses_a[MAX_GUESSES][128], guesses_b[MAX_GUESSES][128];
static int na, nb;

static void *thread_a(void *arg)
{
	hold_inside = 1;
	for (int i = 0; i < na; i++)
		attempt(guesses_a[i]);
	return NULL;
}

static void *thread_b(void *arg)
{
	for (int i = 0; i < nb; i++) {
		sem_wait(&a_inside);
		attempt(guesses_b[i]);
		sem_post(&b_done);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	npasswords = read_lines("/tmp/passwords", passwords, MAX_PASSWORDS);
	if (npasswords < 1)
		return 2;
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc > 1 && !strcmp(argv[1], "threads")) {
		pthread_t a, b;

		na = read_lines("/tmp/guesses-a", guesses_a, MAX_GUESSES);
		nb = read_lines("/tmp/guesses-b", guesses_b, MAX_GUESSES);
		if (na < 1 || nb != na)
			return 2;
		sem_init(&a_inside, 0, 0);
		sem_init(&b_done, 0, 0);
		pthread_create(&b, NULL, thread_b, NULL);
		pthread_create(&a, NULL, thread_a, NULL);
		pthread_join(a, NULL);
		pthread_join(b, NULL);
		return 0;
	}
	na = read_lines("/tmp/guesses", guesses_a, MAX_GUESSES);
	for (int i = 0; i < na; i++)
		attempt(guesses_a[i]);
	return 0;
}
